"""Sign-in, sign-out, one's own profile (and photo: stored and served by services.media)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from blog.accounts.forms import LoginForm, ProfileForm, safe_next
from blog.core import sanitize
from blog.extensions import db, limiter
from blog.services import media, users

bp = Blueprint("accounts", __name__)


def _login_account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("accounts.profile"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if request.method == "POST" else 200
    user = users.authenticate(form.email.data or "", form.password.data or "")
    if user is None:
        form.password.errors = ["That email and password don't match an active account."]
        return render_template("accounts/login.html", form=form), 422
    session.clear()
    login_user(user, remember=form.remember.data)
    flash(f"Welcome back, {user.display_name}.", "success")
    return redirect(safe_next(form.next.data) or url_for("accounts.profile"), code=303)


@bp.errorhandler(RateLimitExceeded)
def too_many_sign_ins(error: RateLimitExceeded):
    form = LoginForm(meta={"csrf": False})
    form.password.errors = [
        "Too many sign-in attempts. For your account's safety, please wait a few minutes and try again."
    ]
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"), code=303)


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
    return render_template(
        "accounts/profile.html", form=form, user=user, preview=preview, action=url_for(endpoint, **url_args)
    ), status


def _save_profile(user, form: ProfileForm) -> None:
    users.update_profile(current_user, user, form.to_draft())
    data = media.read_upload(form.avatar.data)
    if data is not None:
        media.store_avatar(user, data)
    elif form.remove_avatar.data:
        media.remove_avatar(user)
