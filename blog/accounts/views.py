"""Sign-in, sign-out, one's own profile (its photo stored and served by services.media) and password, forgotten
passwords."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from blog.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ResetPasswordForm,
    TokenForm,
    safe_next,
)
from blog.accounts.two_factor import begin_sign_in as begin_two_factor
from blog.core import sanitize
from blog.core.api_scopes import ROLE_SCOPES
from blog.extensions import address_key, db, limiter
from blog.models import Role, SecurityEvent, User
from blog.orm import utcnow
from blog.policy import may_moderate
from blog.public import sharing
from blog.services import api_tokens, media, security_log, two_factor, users

bp = Blueprint("accounts", __name__)


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: address_key("login-account"),
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or landing(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if request.method == "POST" else 200
    user = users.authenticate(form.email.data or "", form.password.data or "")
    if user is None:
        if (account := users.find_by_email(form.email.data or "")) is not None:
            security_log.record(SecurityEvent.SIGN_IN_FAILED, user=account)
            db.session.commit()
        form.password.errors = ["That email and password don't match an active account."]
        return render_template("accounts/login.html", form=form), 422
    if two_factor.is_enabled(user):  # the password was right; a code from the app comes next
        return begin_two_factor(user, remember=bool(form.remember.data), next_url=form.next.data)
    sign_in(user, remember=form.remember.data)
    flash(f"Welcome back, {user.display_name}.", "success")
    return redirect(safe_next(form.next.data) or landing(user), code=303)


def landing(user: User) -> str:
    """Where a sign-in leads without a ``next``: editors and admins to the desk, authors to their articles."""
    return url_for("moderation.desk") if user.role in (Role.EDITOR, Role.ADMIN) else url_for("editorial.articles")


def sign_in(user: User, *, remember: bool = False) -> None:
    """Every sign-in ends here (the password, the second factor, a completed reset): logged, a fresh session."""
    security_log.record(SecurityEvent.SIGNED_IN, user=user)
    db.session.commit()
    session.clear()
    login_user(user, remember=remember)


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded):
    if request.endpoint == "accounts.forgot_password":
        forgot = ForgotPasswordForm(meta={"csrf": False})
        forgot.email.errors = ["Too many requests for reset links. Please wait an hour, then try again."]
        return render_template("accounts/forgot_password.html", form=forgot, sent=False), 429
    form = LoginForm(meta={"csrf": False})
    form.password.errors = [
        "Too many sign-in attempts. For your account's safety, please wait a few minutes and try again."
    ]
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
def logout():
    users.end_sessions(current_user._get_current_object())  # a copied cookie stops working too
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"), code=303)


# --- Passwords and sessions -------------------------------------------------------------------------------


@bp.post("/account/password")
def change_password():
    """One's own password: the current one, then the new one twice. Other sessions end; this one goes on."""
    user = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit():
        if not users.check_password(user, form.current.data or ""):
            form.current.errors = ["That is not your current password."]
        else:
            try:
                users.set_password(user, form.new.data or "")
            except users.UserError as error:
                db.session.rollback()
                form.new.errors = [str(error)]
            else:
                security_log.record(SecurityEvent.PASSWORD_CHANGED, user=user)
                db.session.commit()
                remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
                login_user(user, remember=remembered)  # this session goes on, under the new token
                flash("Your password has been changed. You have been signed out everywhere else.", "success")
                return redirect(url_for("accounts.profile", _anchor="password"), code=303)
    return _profile_page(user, ProfileForm.for_user(user), password_form=form), 422


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    """Every session of the account ends, this one too: a lost phone or a shared computer stays signed out."""
    user = current_user._get_current_object()
    users.end_sessions(user)
    security_log.record(SecurityEvent.SIGNED_OUT_EVERYWHERE, user=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have been signed out on every device, this one too.", "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"],
    methods=["POST"],
    key_func=lambda: address_key("password-reset"),
)
def forgot_password():
    """The same answer, after the same work, whether or not the address has an account (nobody may learn who
    has one here); the mail itself is only queued."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _private(render_template("accounts/forgot_password.html", form=form, sent=False), status)
    users.request_reset(form.email.data or "")
    db.session.commit()
    return _private(render_template("accounts/forgot_password.html", form=form, sent=True))


@bp.route("/account/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = users.user_for_reset(token)
    except users.UserError as error:
        page = render_template("accounts/reset_password.html", form=None, problem=str(error))
        return _private(page, 400)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            users.set_password(user, form.new.data or "")
        except users.UserError as error:
            db.session.rollback()
            form.new.errors = [str(error)]
        else:
            security_log.record(SecurityEvent.PASSWORD_RESET, user=user)
            sign_in(user)
            flash("Your new password is set, and you are signed in.", "success")
            return redirect(landing(user), code=303)
    status = 422 if request.method == "POST" else 200
    return _private(render_template("accounts/reset_password.html", form=form, problem=None), status)


def _private(page: str, status: int = 200):
    """Pages that carry a reset token (or answer for an address): kept by no cache, their URL passed to nobody."""
    response = sharing.private(make_response(page, status))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/account/profile", methods=["GET", "POST"])
def profile():
    return edit_profile(current_user._get_current_object(), "accounts.profile")


def edit_profile(user, endpoint: str, **url_args):
    """The profile editor, for one's own profile or (admins, from the editorial pages) anyone's."""
    form = ProfileForm.for_user(user) if request.method == "GET" else ProfileForm()
    preview = None
    if request.method == "POST":
        if (form.user_id.data and form.user_id.data != str(user.id)) or not users.may_edit_profile(current_user, user):
            abort(403, "You may edit only your own profile.")
        if form.validate_on_submit():
            if request.form.get("action") == "preview":
                preview = sanitize.render_bio(form.bio.data or "")
            else:
                try:
                    _save_profile(user, form)
                except media.PictureError as error:
                    db.session.rollback()
                    form.avatar.errors = [str(error)]
                else:
                    db.session.commit()
                    flash(
                        "Your profile has been saved." if user.id == current_user.id else "The profile has been saved.",
                        "success",
                    )
                    return redirect(url_for(endpoint, **url_args), code=303)
    status = 422 if request.method == "POST" and form.errors else 200
    return _profile_page(user, form, preview=preview, action=url_for(endpoint, **url_args)), status


def _profile_page(
    user, form: ProfileForm, *, preview=None, action=None, password_form=None, token_form=None, new_token=None
) -> str:
    own = user.id == current_user.id
    return render_template(
        "accounts/profile.html",
        form=form,
        user=user,
        preview=preview,
        action=action or url_for("accounts.profile"),
        password_form=(password_form or PasswordForm(formdata=None)) if own else None,
        api_tokens=api_tokens.list_tokens(user) if own else None,
        token_form=token_form or TokenForm(formdata=None),
        token_scopes=sorted(ROLE_SCOPES[user.role.value]),
        new_token=new_token,
        now=utcnow(),
    )


@bp.post("/account/tokens")
def create_token():
    """A personal access token for the staff API. Its secret is shown on this answer only (never stored: we
    keep its hash), so the page is not a redirect and is kept by no cache."""
    user = current_user._get_current_object()
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = api_tokens.create_token(
                user, name=form.name.data or "", scopes=form.scopes(), now=utcnow(), lifetime=form.lifetime()
            )
        except api_tokens.TokenRefused as refusal:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(refusal)]
        else:
            db.session.commit()
            page = _profile_page(user, ProfileForm.for_user(user), new_token=(token.name, secret))
            return _private(page, 201)
    return _private(_profile_page(user, ProfileForm.for_user(user), token_form=form), 422)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    user = current_user._get_current_object()
    try:
        token = api_tokens.revoke_token(user, token_id, now=utcnow())
    except api_tokens.TokenRefused as refusal:
        db.session.rollback()
        abort(404, str(refusal))
    db.session.commit()
    flash(f"The token “{token.name}” has been revoked: it no longer works.", "success")
    return redirect(url_for("accounts.profile", _anchor="api-tokens"), code=303)


def _save_profile(user, form: ProfileForm) -> None:
    users.update_profile(current_user, user, form.to_draft())
    if may_moderate(user):
        user.keyboard_shortcuts = bool(form.keyboard_shortcuts.data)
    data = media.read_upload(form.avatar.data)
    if data is not None:
        media.store_avatar(user, data)
    elif form.remove_avatar.data:
        media.remove_avatar(user)
