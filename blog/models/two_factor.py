from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import utcnow


class TwoFactor(Model):
    """A staff member's authenticator app (``core.two_factor``): on once ``confirmed_at`` is set; before that, an
    enrolment waiting for its first code. The shared secret is stored encrypted (``security.cipher``)."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)  # PRIVATE: Fernet token of the base32 secret
    confirmed_at: Mapped[datetime | None]  # None: enrolment started, not yet confirmed with a code
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)  # time step of the last accepted code: no replay
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:  # never the secret
        return f"<TwoFactor user {self.user_id} {'on' if self.confirmed_at else 'pending'}>"


class RecoveryCode(Model):
    """One single-use recovery code, as its keyed digest (``core.two_factor.recovery_code_digest``)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user {self.user_id}{' used' if self.used_at else ''}>"
