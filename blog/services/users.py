"""Accounts: creating users, passwords and their resets, sessions that end, roles and deactivation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from blog.core import passwords, sanitize
from blog.core.text import slugify
from blog.extensions import db
from blog.links import external_url
from blog.models import Article, Role, SecurityEvent, User
from blog.models.user import new_session_token
from blog.services import outbox_mail, security_log


def hash_password(password: str) -> str:
    """werkzeug's scrypt; the cost can be set (PASSWORD_HASH_METHOD) — tests use a cheaper one."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class UserError(ValueError):
    """A request about users that cannot be carried out; the message is for people."""


def unique_slug(model: type[User | Article], base: str, *, fallback: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … — the first not yet taken by ``model.slug``."""
    base = base or fallback
    taken = set(db.session.scalars(sa.select(model.slug).where(model.slug.like(f"{base}%"))))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_user(*, email: str, name: str, role: str, password: str | None, bio: str = "", website: str = "") -> User:
    email = email.strip().lower()
    name = name.strip()
    if not email or "@" not in email or len(email) > 254:
        raise UserError(f"{email!r} is not a valid email address.")
    if not name or len(name) > 80:
        raise UserError("A name is required (at most 80 characters).")
    try:
        role_value = Role(role)
    except ValueError:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}.") from None
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise UserError(f"A user with the email {email} already exists.")
    user = User(
        email=email,
        display_name=name,
        slug=unique_slug(User, slugify(name), fallback="author"),
        role=role_value,
        password_hash=hash_password(password) if password else None,
        bio_markdown=bio,
        bio_html=sanitize.render_bio(bio),
        website=website,
    )
    db.session.add(user)
    db.session.flush()
    return user


# A real scrypt hash of a random string: checking a password against it costs what a real check
# costs, so a sign-in for an unknown email takes as long as one for a known email.
_DUMMY_HASH = generate_password_hash("not a real password: timing equaliser")

SOCIAL_NETWORKS = {  # the small fixed set a profile may link to: key -> label
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
}


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (without telling which part was wrong)."""
    user: User | None = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader, from the session's (or the remember-me cookie's) id, ``<session token>.<random>``
    (``User.get_id``): a session ends when the token is replaced, or when its user is deactivated."""
    token = session_id.partition(".")[0]
    if not token:
        return None
    user: User | None = db.session.scalar(sa.select(User).where(User.session_token == token))
    return user if user is not None and user.is_active else None


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session and remember-me cookie issued so far stops working."""
    user.session_token = new_session_token()
    db.session.flush()


# --- Passwords ------------------------------------------------------------------------------------------


def password_weakness(user: User, password: str) -> str | None:
    """Why ``password`` is too weak for ``user`` (whose name and address make poor passwords), or None."""
    return passwords.weakness(password, passwords.personal_words(user.display_name, user.email))


def set_password(user: User, password: str) -> None:
    """A new password (checked for strength first: ``UserError``), and every session of the user ended."""
    if (weakness := password_weakness(user, password)) is not None:
        raise UserError(weakness)
    user.password_hash = hash_password(password)
    end_sessions(user)


_RESET_SALT = "password-reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_stamp(user: User) -> str:
    """Changes whenever the password does: a reset link made before a new password no longer works. A digest of
    the (salted) hash, so the link, which anyone holding it can decode, shows nothing of it."""
    return hashlib.sha256((user.password_hash or "no password").encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return _reset_serializer().dumps([user.id, _password_stamp(user)])


def user_for_reset(token: str) -> User:
    """The active user a reset link was made for; ``UserError`` (a message for people) when it has expired, has
    been used (the password changed since), or is damaged."""
    try:
        user_id, stamp = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise UserError("This link has expired. Ask for a new one below.") from None
    except (BadSignature, ValueError, TypeError):
        raise UserError("This link is not valid: it may have been cut short in the mail. Ask for a new one.") from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or stamp != _password_stamp(user):
        raise UserError("This link has already been used, or the password has changed since. Ask for a new one.")
    return user


def send_reset_link(user: User, *, actor: User | None = None) -> bool:
    """Mail the user a link to choose a new password (not to a deactivated account); the caller commits."""
    if not user.is_active:
        return False
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    by = "An admin asked" if actor is not None and actor.id != user.id else "Someone (we hope you) asked"
    body = "\n".join(
        [
            f"Hello {user.display_name},",
            "",
            f"{by} for a link to choose a new password for your account. It works once, for {minutes} minutes:",
            external_url("accounts.reset_password", token=reset_token(user)),
            "",
            "If you did not ask, ignore this mail: your password stays as it is.",
        ]
    )
    outbox_mail.queue_mail([user.email], "Choose a new password", body)
    security_log.record(SecurityEvent.PASSWORD_RESET_REQUESTED, user=user, actor=actor)
    return True


def request_reset(email: str) -> None:
    """ "Forgot your password?": mail a link if ``email`` is an active account's, else nothing — the caller gives
    the same answer either way, and both ways cost one query and no more (the mail only waits in the outbox)."""
    if (user := find_by_email(email)) is not None:
        send_reset_link(user)


@dataclass(frozen=True)
class ProfileDraft:
    display_name: str
    bio: str
    website: str
    social_links: dict[str, str]


def may_edit_profile(actor: User, user: User) -> bool:
    return actor.id == user.id or actor.role is Role.ADMIN


def update_profile(actor: User, user: User, draft: ProfileDraft) -> None:
    """Change a profile. Only its owner or an admin may; the slug stays, so links keep working."""
    if not may_edit_profile(actor, user):
        raise PermissionError("You may edit only your own profile.")
    renamed = user.display_name != draft.display_name.strip()
    user.display_name = draft.display_name.strip()
    user.bio_markdown = draft.bio
    user.bio_html = sanitize.render_bio(draft.bio)
    user.website = draft.website
    user.social_links = {k: v for k, v in draft.social_links.items() if k in SOCIAL_NETWORKS and v}
    db.session.flush()
    if renamed:  # bylines are searchable: the author's articles are found by the new name
        from blog.services import search

        search.sync_author(user.id)


def _active_admins() -> int:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active))
        or 0
    )


def set_role_and_status(actor: User | None, user: User, *, role: Role, is_active: bool) -> None:
    """Change someone's role or deactivate them (``actor`` None: the command line). Nobody deactivates their own
    account, and the last active admin can be neither demoted nor deactivated. Both are recorded in the security
    log; deactivation ends the person's sessions."""
    losing_admin = user.role is Role.ADMIN and user.is_active and (role is not Role.ADMIN or not is_active)
    if losing_admin and _active_admins() <= 1:
        raise UserError("This is the last active admin: make someone else an admin first.")
    if actor is not None and actor.id == user.id and user.is_active and not is_active:
        raise UserError("You cannot deactivate your own account: ask another admin.")
    old_role, was_active = user.role, user.is_active
    user.role = role
    user.is_active = is_active
    if not is_active and was_active:
        end_sessions(user)
    db.session.flush()
    if role is not old_role:
        security_log.record(
            SecurityEvent.ROLE_CHANGED, user=user, actor=actor, detail=f"Your role is now: {role.value}."
        )
    if is_active != was_active:
        event = SecurityEvent.REACTIVATED if is_active else SecurityEvent.DEACTIVATED
        security_log.record(event, user=user, actor=actor)


def set_active(actor: User, user: User, *, active: bool) -> None:
    """Deactivate or reactivate from the users page: never oneself, never the last active admin."""
    set_role_and_status(actor, user, role=user.role, is_active=active)
