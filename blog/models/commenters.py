"""Commenters as editors act on them: bans, and readers' reports of published comments. Keyed hashes only (the
hash key's HMAC of an address or of a network, core.privacy): no address, IP or name is stored here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow

if TYPE_CHECKING:
    from blog.models.user import User


class BanKind(enum.StrEnum):
    ADDRESS = "address"  # privacy.person_key of the commenter's email address
    NETWORK = "network"  # privacy.network_key: the IPv4 /24 or IPv6 /64 a comment came from


class CommenterBan(Model):
    """Future comments from this address, or from this network, go to spam (core.moderation.decide)."""

    __tablename__ = "commenter_bans"
    __table_args__ = (sa.UniqueConstraint("kind", "key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BanKind] = mapped_column(enum_column_type(BanKind))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # the comment it was made from, for the list in the settings (None once that comment is deleted)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True)

    actor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<CommenterBan {self.id} {self.kind}>"


class CommentReport(Model):
    """A reader's report of a published comment: one per comment and network (a keyed hash of its /24 or /64)."""

    __tablename__ = "comment_reports"
    __table_args__ = (sa.UniqueConstraint("comment_id", "network_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    network_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<CommentReport {self.id} of comment {self.comment_id}>"
