from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow


class Topic(enum.StrEnum):
    REPLIES = "replies"  # replies to the address's comments (a commenter, double opt-in)
    HELD = "held"  # comments held for moderation (an editor or admin, by their role)


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"  # a mail per event, up to NOTIFY_RATE_LIMIT an hour; the rest wait for the digest
    DAILY = "daily"  # one digest a day


class MailSubscription(Model):
    """An address that gets mail about a topic (``services.notifications``).

    One row per address and topic: the address is what is subscribed, so a confirmed commenter hears of replies
    to any of their comments, and unsubscribing once stops them all. ``created_at`` is when it was asked for
    (the consent; asked again after an unsubscribe, it starts over). Only confirmed, not unsubscribed rows get
    mail; editors' rows are confirmed when made (their role is why they get it)."""

    __tablename__ = "mail_subscriptions"
    __table_args__ = (sa.UniqueConstraint("email", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))  # PRIVATE
    topic: Mapped[Topic] = mapped_column(enum_column_type(Topic))
    delivery: Mapped[Delivery] = mapped_column(enum_column_type(Delivery), default=Delivery.IMMEDIATE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<MailSubscription {self.id} {self.topic}>"


class MailNotice(Model):
    """One comment to tell one subscription about: written once (the unique pair: an approval undone and done
    again tells nobody twice), ``sent_at`` set when it went into a mail of its own or a digest (``in_digest``).
    Unsent notices wait for the next digest; the rate limit counts the last hour's own mails."""

    __tablename__ = "mail_notices"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "comment_id"),
        sa.Index("ix_mail_notices_sent_at_subscription_id", "sent_at", "subscription_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_subscriptions.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    in_digest: Mapped[bool] = mapped_column(default=False)
    # The mail that told it: it quotes the comment, so erasing the comment's writer erases that mail too
    # (services.personal_data); None once the outbox row is gone (retention) or before it is sent.
    mail_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_mails.id", ondelete="SET NULL"), index=True)


class ConsentPurpose(enum.StrEnum):
    REMEMBER_ME = "remember-me"  # "Save my name, email, and website in this browser"
    REPLY_MAIL = "reply-mail"  # "Notify me of replies by email"


class ConsentRecord(Model):
    """When an address gave (and withdrew) a consent, and with which comment: what the export shows and
    erasure deletes (``services.notifications.consents_of`` / ``erase_address``)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)  # PRIVATE
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_column_type(ConsentPurpose))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True)
