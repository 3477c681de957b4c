from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import utcnow


class SecurityEvent(enum.StrEnum):
    SIGNED_IN = "signed-in"
    SIGN_IN_FAILED = "sign-in-failed"  # a wrong password for an existing account (the typed address is never kept)
    SIGNED_OUT_EVERYWHERE = "signed-out-everywhere"
    PASSWORD_CHANGED = "password-changed"  # noqa: S105  (an event name, not a password)
    PASSWORD_RESET_REQUESTED = "password-reset-requested"  # noqa: S105  (an event name, not a password)
    PASSWORD_RESET = "password-reset"  # noqa: S105  (an event name, not a password)
    ROLE_CHANGED = "role-changed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    TWO_FACTOR_ENABLED = "two-factor-enabled"
    TWO_FACTOR_DISABLED = "two-factor-disabled"
    RECOVERY_CODES_RENEWED = "recovery-codes-renewed"
    RECOVERY_CODE_USED = "recovery-code-used"
    TWO_FACTOR_REFUSED = "two-factor-refused"  # a wrong or replayed code after a right password
    API_TOKEN_CREATED = "api-token-created"  # noqa: S105  (an event name, not a token)
    API_TOKEN_REVOKED = "api-token-revoked"  # noqa: S105  (an event name, not a token)


class SecurityLogEntry(Model):
    """The security log (``services.security_log``): what happened to whose account, who did it, when, and from
    which network address, named only by its keyed hash. No address, no name: those live on the user row."""

    __tablename__ = "security_events"
    __table_args__ = (sa.Index("ix_security_events_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # None: themselves
    # Who acted when no account did: "command line (<operating-system user>)" for `flask users set-password`.
    actor_label: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    event: Mapped[str] = mapped_column(sa.String(32))  # a SecurityEvent value
    ip_hash: Mapped[str] = mapped_column(sa.String(64), default="")  # keyed hash; "" outside a request, or purged
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<SecurityLogEntry {self.id} {self.event} user {self.user_id}>"
