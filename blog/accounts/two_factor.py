"""Two-factor sign-in for staff: setting it up on one's account, and the second step of signing in.

After a correct password, ``accounts.login`` calls ``begin_sign_in`` for a user with two-factor sign-in on:
nobody is signed in yet; the session holds only a short-lived marker (the user's id, a fingerprint of their
password hash, the time) until ``/login/two-factor`` gets a code. Rules: ``core.two_factor``; storage:
``services.two_factor``.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blog.accounts.forms import safe_next
from blog.core.two_factor import grouped_secret
from blog.extensions import db, limiter
from blog.inputs import parse_id
from blog.models import SecurityEvent, User
from blog.orm import utcnow
from blog.public.sharing import private
from blog.services import security_log, two_factor
from blog.services.site import get_settings

bp = Blueprint("two_factor", __name__)
PENDING = "two_factor_pending"  # the session key of a sign-in waiting for its second factor


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired("Enter the 6-digit code from your app."), Length(max=64)],
    )


class IdentityForm(FlaskForm):
    """Turning two-factor sign-in off, or new recovery codes: the password or a current code proves it is you."""

    password = PasswordField("Your password", validators=[Optional(), Length(max=1024)])
    code = StringField("or a code from your app", validators=[Optional(), Length(max=64)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.password.data and not (self.code.data or "").strip():
            self.password.errors = ["Enter your password or a code from your app."]
            return False
        return True


def _failed(response) -> bool:
    return response.status_code >= 400


@bp.after_request
def _never_cached(response):
    return private(response)  # secrets, codes, one person's sign-in


# --- Signing in: the second step ------------------------------------------------------------------------------


def begin_sign_in(user: User, *, remember: bool, next_url: str | None):
    """The password was right: keep a marker of it in the session, and ask for the second factor."""
    session.clear()
    session[PENDING] = {
        "user_id": user.id,
        "fingerprint": _fingerprint(user),
        "since": int(utcnow().timestamp()),
        "remember": bool(remember),
        "next": next_url or "",
    }
    return redirect(url_for("two_factor.sign_in"), code=303)


def _fingerprint(user: User) -> str:
    """Ties the marker to the password that was checked: a password change before the second step voids it."""
    key = current_app.config["SECRET_KEY"]
    secret = key.encode() if isinstance(key, str) else key
    message = f"two-factor-pending:{user.password_hash or ''}:{user.session_token}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def _pending() -> tuple[User, dict] | None:
    """The user whose password was checked a moment ago, and the marker; None when there is none, it is too
    old, or the account changed (deactivated, new password, two-factor turned off) since."""
    marker = session.get(PENDING)
    if not isinstance(marker, dict):
        return None
    age = utcnow().timestamp() - float(marker.get("since", 0))
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user_id = parse_id(str(marker.get("user_id", "")))
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active or not two_factor.is_enabled(user):
        return None
    if not hmac.compare_digest(str(marker.get("fingerprint", "")), _fingerprint(user)):
        return None
    return user, marker


def _pending_account_key() -> str:
    marker = session.get(PENDING)
    return f"two-factor-account:{marker.get('user_id') if isinstance(marker, dict) else '-'}"


def _own_account_key() -> str:
    return f"two-factor-account:{current_user.id}"


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TWO_FACTOR_RATE_LIMIT_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["TWO_FACTOR_RATE_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=_pending_account_key,
    deduct_when=_failed,
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"), code=303)
    found = _pending()
    if found is None:
        session.pop(PENDING, None)
        flash("Please sign in again: that sign-in was not finished in time.", "info")
        return redirect(url_for("accounts.login"), code=303)
    user, marker = found
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("accounts/login_two_factor.html", form=form), 422 if request.method == "POST" else 200
    outcome = two_factor.verify(user, form.code.data or "", now=utcnow())
    if outcome in (two_factor.Outcome.WRONG, two_factor.Outcome.REPLAYED):
        security_log.record(SecurityEvent.TWO_FACTOR_REFUSED, user=user)
        db.session.commit()
        form.code.errors = [
            "That code has been used already. Wait for the next one in your app."
            if outcome is two_factor.Outcome.REPLAYED
            else "That code is not right. Check the time on your phone, or use a recovery code."
        ]
        return render_template("accounts/login_two_factor.html", form=form), 422
    remaining = two_factor.unused_recovery_codes(user)
    if outcome is two_factor.Outcome.RECOVERY_CODE:
        security_log.record(SecurityEvent.RECOVERY_CODE_USED, user=user)
    from blog.accounts.views import landing, sign_in  # here: views imports this module

    sign_in(user, remember=bool(marker.get("remember")))  # commits
    flash(f"Welcome back, {user.display_name}.", "success")
    if outcome is two_factor.Outcome.RECOVERY_CODE:
        flash(
            f"You signed in with a recovery code; {remaining} left. If your phone is lost, turn two-factor sign-in "
            "off and on again with a new one.",
            "info",
        )
    return redirect(safe_next(marker.get("next")) or landing(user), code=303)


@bp.errorhandler(RateLimitExceeded)
def too_many_codes(error: RateLimitExceeded):
    message = "Too many codes tried. For your account's safety, please wait a few minutes and try again."
    if request.endpoint == "two_factor.sign_in":
        form = CodeForm(meta={"csrf": False})
        form.code.errors = [message]
        return render_template("accounts/login_two_factor.html", form=form), 429
    identity = IdentityForm(meta={"csrf": False})
    identity.password.errors = [message]
    return _manage_page(identity=identity), 429


# --- One's own account: set up, confirm, turn off, new recovery codes ----------------------------------------


def _manage_page(*, confirm: CodeForm | None = None, identity: IdentityForm | None = None) -> str:
    user = current_user._get_current_object()
    record = two_factor.record_of(user)
    qr = secret = None
    if record is not None and record.confirmed_at is None:
        secret = two_factor.secret_of(record)
        if secret is None:
            record = None  # unreadable (SECRET_KEY changed): set up afresh
        else:
            import segno  # here: the QR code is drawn a few times in an account's life, not on every worker's pages

            uri = two_factor.provisioning_uri(user, secret, issuer=_issuer())
            svg = segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")
            qr = Markup(svg)  # noqa: S704  (segno's own SVG of our own URI; inline, as the CSP allows no data: images)
            secret = grouped_secret(secret)
    return render_template(
        "accounts/two_factor.html",
        record=record,
        qr=qr,
        secret=secret,
        confirm=confirm or CodeForm(),
        identity=identity or IdentityForm(),
        required=two_factor.required_for(user, require_for_admins=bool(get_settings().require_two_factor_admins)),
        unused=two_factor.unused_recovery_codes(user) if record is not None and record.confirmed_at else 0,
    )


def _issuer() -> str:
    return get_settings().site_title or current_app.config["SITE_NAME"]


@bp.get("/account/two-factor")
def manage():
    return _manage_page()


@bp.post("/account/two-factor/enrol")
def enrol():
    try:
        two_factor.start_enrolment(current_user._get_current_object(), now=utcnow())
    except ValueError as error:
        flash(str(error), "info")
    db.session.commit()
    return redirect(url_for("two_factor.manage"), code=303)


@bp.post("/account/two-factor/confirm")
def confirm():
    user = current_user._get_current_object()
    form = CodeForm()
    if not form.validate_on_submit():
        return _manage_page(confirm=form), 422
    codes = two_factor.confirm(user, form.code.data or "", now=utcnow())
    if codes is None:
        db.session.rollback()
        form.code.errors = ["That code is not right. Check the time on your phone and try the newest code."]
        return _manage_page(confirm=form), 422
    security_log.record(SecurityEvent.TWO_FACTOR_ENABLED, user=user)
    db.session.commit()
    return render_template("accounts/two_factor_codes.html", codes=codes, first=True)


def _proves_identity(user: User, form: IdentityForm) -> bool:
    if form.password.data:
        return bool(user.password_hash) and check_password_hash(user.password_hash or "", form.password.data)
    outcome = two_factor.verify(user, form.code.data or "", now=utcnow())
    return outcome in (two_factor.Outcome.CODE, two_factor.Outcome.RECOVERY_CODE)


def _identity_refused(form: IdentityForm):
    db.session.commit()  # a code that was accepted stays used
    target = form.password if form.password.data else form.code
    target.errors = [
        "That password is not right." if form.password.data else "That code is not right, or was used already."
    ]
    return _manage_page(identity=form), 422


@bp.post("/account/two-factor/disable")
@limiter.limit(
    lambda: current_app.config["TWO_FACTOR_RATE_LIMIT_ACCOUNT"], key_func=_own_account_key, deduct_when=_failed
)
def disable():
    user = current_user._get_current_object()
    form = IdentityForm()
    if not form.validate_on_submit():
        return _manage_page(identity=form), 422
    if not _proves_identity(user, form):
        return _identity_refused(form)
    two_factor.disable(user)
    security_log.record(SecurityEvent.TWO_FACTOR_DISABLED, user=user)
    db.session.commit()
    flash("Two-factor sign-in is off. Your password alone signs you in now.", "success")
    return redirect(url_for("two_factor.manage"), code=303)


@bp.post("/account/two-factor/recovery-codes")
@limiter.limit(
    lambda: current_app.config["TWO_FACTOR_RATE_LIMIT_ACCOUNT"], key_func=_own_account_key, deduct_when=_failed
)
def recovery_codes():
    user = current_user._get_current_object()
    form = IdentityForm()
    if not form.validate_on_submit():
        return _manage_page(identity=form), 422
    if not two_factor.is_enabled(user):
        flash("Two-factor sign-in is off, so there are no recovery codes to replace.", "info")
        return redirect(url_for("two_factor.manage"), code=303)
    if not _proves_identity(user, form):
        return _identity_refused(form)
    codes = two_factor.regenerate_recovery_codes(user)
    security_log.record(SecurityEvent.RECOVERY_CODES_RENEWED, user=user)
    db.session.commit()
    return render_template("accounts/two_factor_codes.html", codes=codes, first=False)


@bp.app_template_global("two_factor_on")
def two_factor_on(user: User) -> bool:
    """For the profile page's "Two-factor sign-in" section."""
    return two_factor.is_enabled(user)
