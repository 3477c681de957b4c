"""Accounts: creating users (CLI now, the admin pages later)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from blog.core import sanitize
from blog.core.text import slugify
from blog.extensions import db
from blog.inputs import parse_id
from blog.models import Article, Role, User


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


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: a deactivated user's session stops working at once."""
    if (number := parse_id(user_id)) is None:
        return None
    user = db.session.get(User, number)
    return user if user is not None and user.is_active else None


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


def set_role_and_status(actor: User, user: User, *, role: Role, is_active: bool) -> None:
    """Change someone's role or deactivate them; the last active admin can be neither demoted nor deactivated."""
    losing_admin = user.role is Role.ADMIN and user.is_active and (role is not Role.ADMIN or not is_active)
    if losing_admin and _active_admins() <= 1:
        raise UserError("This is the last active admin: make someone else an admin first.")
    user.role = role
    user.is_active = is_active
    db.session.flush()
