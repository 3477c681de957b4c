from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow

if TYPE_CHECKING:
    from blog.models.article import Article


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    AUTHOR = "author"


class User(UserMixin, Model):
    """A person who signs in: author, editor or admin. Readers have no account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # PRIVATE: sign-in only
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column_type(Role), default=Role.AUTHOR)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)  # stable: renaming keeps links
    bio_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    bio_html: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised at write time
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    social_links: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    avatar_path: Mapped[str | None] = mapped_column(sa.String(255))  # the photo's stored file: "<sha256>.webp"
    is_active: Mapped[bool] = mapped_column(default=True)
    # Single-key shortcuts on the moderation desk (j/k, a/s/d/u/r, ?): off unless the person turns them on
    # on their profile (WCAG 2.1.4: a single-key shortcut must be switchable).
    keyboard_shortcuts: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Flask-Login's alternative id: in the session and the remember-me cookie instead of the user's number, and
    # replaced (``services.users.end_sessions``) on sign-out, a new password, deactivation and "sign out
    # everywhere", so that every cookie issued before stops working. PRIVATE, like a password.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: new_session_token())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="author", lazy="raise")

    def get_id(self) -> str:
        """The session's id: the session token, and a random part so that each sign-in's cookies differ (the
        user loader reads the token alone: ``services.users.load_user``)."""
        return f"{self.session_token}.{secrets.token_urlsafe(8)}"

    # Not UserMixin's equality by ``get_id`` (random here): the same row is the same user.
    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, User) and self.id is not None and other.id == self.id)

    __hash__ = object.__hash__

    def __repr__(self) -> str:  # never the email in reprs or logs
        return f"<User {self.id} {self.slug} {self.role}>"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
