"""Accounts: creating users (CLI now, the admin pages later)."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from blog.core import sanitize
from blog.core.text import slugify
from blog.extensions import db
from blog.models import Role, User


class UserError(ValueError):
    """A request about users that cannot be carried out; the message is for people."""


def unique_slug(model: type, base: str, *, fallback: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … — the first not yet taken by ``model.slug``."""
    base = base or fallback
    taken = set(db.session.scalars(sa.select(model.slug).where(model.slug.like(f"{base}%"))))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_user(
    *, email: str, name: str, role: str, password: str | None, bio: str = "", website: str = ""
) -> User:
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
        password_hash=generate_password_hash(password) if password else None,
        bio_markdown=bio,
        bio_html=sanitize.render_bio(bio),
        website=website,
    )
    db.session.add(user)
    db.session.flush()
    return user
