"""Pictures: the media library's items and their stored files (content-addressed, in the database or S3)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow


class MediaKind(enum.StrEnum):
    IMAGE = "image"  # the media library: lead images and in-body images
    AVATAR = "avatar"  # an author's photo (one 256 px square WebP, no variants)


class Media(Model):
    """One uploaded picture: who, when, the words that go with it, and the files made from it."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MediaKind] = mapped_column(enum_column_type(MediaKind), default=MediaKind.IMAGE)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    alt_text: Mapped[str] = mapped_column(sa.String(300), default="")
    caption: Mapped[str] = mapped_column(sa.String(500), default="")
    credit: Mapped[str] = mapped_column(sa.String(200), default="")
    # The stored original: decoded within the pixel budget, metadata stripped, re-encoded as WebP.
    width: Mapped[int]
    height: Mapped[int]
    original_key: Mapped[str] = mapped_column(sa.String(64))
    # The smaller WebP variants made so far by the job queue: [[width, key], ...], narrowest first. Kept here so
    # a page shows an image (srcset included) from this row alone.
    variants: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)

    files: Mapped[list[MediaFile]] = relationship(
        back_populates="media", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Media {self.id} {self.kind} {self.width}x{self.height}>"


class MediaFile(Model):
    """A stored file, named by the SHA-256 of its bytes: the bytes themselves (``data``) when stored in the
    database, or nothing here when they are in the S3 bucket (``MEDIA_S3_BUCKET``)."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64), index=True)  # sha256 hex of the bytes
    mime: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # None: in the S3 store
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    media: Mapped[Media] = relationship(back_populates="files", lazy="raise")
