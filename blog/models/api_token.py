from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import utcnow


class ApiToken(Model):
    """A personal access token for the staff API (``services.api_tokens``). Only a hash of the secret is kept:
    the person sees the secret once, when it is made."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.Index("ix_api_tokens_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))  # what the person calls it ("desk script")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 hex of the secret
    prefix: Mapped[str] = mapped_column(sa.String(12))  # the secret's first characters, to tell tokens apart
    scopes: Mapped[str] = mapped_column(sa.String(64))  # space-separated: read, moderate, write
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()  # None: never (the person chose so, or made it before)

    def __repr__(self) -> str:  # never the hash
        return f"<ApiToken {self.id} user {self.user_id} {self.scopes!r}>"
