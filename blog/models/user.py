from __future__ import annotations

import enum
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="author", lazy="raise")

    def __repr__(self) -> str:  # never the email in reprs or logs
        return f"<User {self.id} {self.slug} {self.role}>"
