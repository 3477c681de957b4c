from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import utcnow


class PrivacyRequest(Model):
    """Audit trail of personal-data exports and erasures (``services.personal_data``): who asked for what, when,
    and how much it touched, about an address named only by its keyed hash (``core.privacy.person_key``) — the
    record must not keep what an erasure removed."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))  # export, anonymise, delete
    via: Mapped[str] = mapped_column(sa.String(16))  # self (the mailed link), admin (the newsroom), cli
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # admin only
    counts: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)  # rows per kind, e.g. {"comments": 3}
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<PrivacyRequest {self.id} {self.action} via {self.via}>"
