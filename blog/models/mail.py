from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import utcnow


class OutboxMail(Model):
    """A mail to send, written in the same transaction as the change that causes it (``services.outbox_mail``).

    Due while unsent, not given up on, and ``next_attempt_at`` has passed. ``message_id`` is chosen once, so
    every retry is the same message to the receiving servers."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        sa.Index("ix_outbox_mails_sent_at_failed_at_next_attempt_at", "sent_at", "failed_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[list[str]] = mapped_column(sa.JSON)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)  # extra ones (List-Unsubscribe …)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # given up: undeliverable (MAIL_UNDELIVERABLE_AFTER)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} attempts={self.attempts}>"
