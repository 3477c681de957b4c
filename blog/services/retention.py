"""Retention: the daily purge that applies ``core.retention``'s rules to the database.

Each rule says which rows are due (conditions on one table, from the settings and ``now``) and what it does
to them. ``purge`` walks each rule's due rows by primary key, ``BATCH`` ids at a time, and its caller commits
after each batch: a big site never holds a long lock, and a purge cut short keeps what it did. Every change
re-checks the rule's conditions, so a row changed meanwhile (a comment restored from spam) is left alone, and
a second run finds nothing to do. Deleting comments goes through ``moderation.delete_for_good`` (audit events kept);
pages showing what changed are retired by the cache's hook on bulk statements, as for any other change.

``RULES`` is the one list: personal data with a retention period adds its rule there.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import InstrumentedAttribute

from blog import jobs
from blog.core.retention import PURGE_AT, Fate, Policy, comment_fate, cutoff
from blog.extensions import db
from blog.models import Comment, CommentStatus, MailSubscription, OutboxMail, SecurityLogEntry
from blog.orm import utcnow
from blog.services import moderation
from blog.services.site import get_settings

log = logging.getLogger(__name__)
BATCH = 500

Where = list[sa.ColumnElement[bool]]


@dataclass(frozen=True)
class Rule:
    name: str  # as the summary shows it: "<name>: <count>"
    key: InstrumentedAttribute[int]  # the primary key the purge walks
    due: Callable[[Policy, datetime], Where | None]  # the rows it takes; None: switched off
    apply: Callable[[Where, datetime], int]  # to the rows matching these conditions; flushes; rows changed


def current_policy() -> Policy:
    """The rules as they stand: comment rules from the site settings, the others from the configuration."""
    settings = get_settings()
    config = current_app.config
    return Policy(
        keep_ip_days=settings.keep_ip_days,
        purge_spam_days=settings.purge_spam_days,
        purge_trash_days=settings.purge_trash_days,
        unconfirmed_days=math.ceil(config["NOTIFY_CONFIRM_MAX_AGE"] / 86400),  # the link's age: no use after
        outbox_days=config["RETENTION_OUTBOX_DAYS"],
    )


def _ip_due(policy: Policy, now: datetime) -> Where | None:
    if (cut := cutoff(policy.keep_ip_days, now)) is None:
        return None
    return [Comment.created_at <= cut, sa.or_(Comment.ip_hash != "", Comment.user_agent != "")]


def _drop_ip(where: Where, now: datetime) -> int:
    result = db.session.execute(
        sa.update(Comment)
        .where(*where)
        .values(ip_hash="", network_hash="", user_agent="")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def _security_ip_due(policy: Policy, now: datetime) -> Where | None:
    """The security log keeps where a sign-in came from as long as comments keep it (``keep_ip_days``)."""
    if (cut := cutoff(policy.keep_ip_days, now)) is None:
        return None
    return [SecurityLogEntry.created_at <= cut, SecurityLogEntry.ip_hash != ""]


def _drop_security_ip(where: Where, now: datetime) -> int:
    result = db.session.execute(
        sa.update(SecurityLogEntry).where(*where).values(ip_hash="").execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def _comments_due(status: CommentStatus) -> Callable[[Policy, datetime], Where | None]:
    def due(policy: Policy, now: datetime) -> Where | None:
        if (cut := cutoff(policy.days_in(status), now)) is None:
            return None
        # created_at first: an index range of ix_comments_status_created_at (the status came later, if at all)
        return [
            Comment.status == status,
            Comment.created_at <= cut,
            sa.or_(Comment.status_changed_at.is_(None), Comment.status_changed_at <= cut),
        ]

    return due


def _delete_comments(where: Where, now: datetime) -> int:
    return moderation.delete_for_good(*where, actor=None, now=now, action="purge")


def _outbox_due(policy: Policy, now: datetime) -> Where | None:
    if (cut := cutoff(policy.outbox_days, now)) is None:
        return None
    return [sa.or_(OutboxMail.sent_at <= cut, OutboxMail.failed_at <= cut)]


def _delete_mail(where: Where, now: datetime) -> int:
    result = db.session.execute(sa.delete(OutboxMail).where(*where).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult


def _unconfirmed_due(policy: Policy, now: datetime) -> Where | None:
    if (cut := cutoff(policy.unconfirmed_days, now)) is None:
        return None
    return [MailSubscription.confirmed_at.is_(None), MailSubscription.created_at <= cut]


def _delete_subscriptions(where: Where, now: datetime) -> int:
    """Their consent records stay: the record of what was asked, until the person's data is erased."""
    result = db.session.execute(sa.delete(MailSubscription).where(*where).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult


RULES: list[Rule] = [
    # Deletions first: what they take needs no IP dropped.
    Rule("spam comments deleted", Comment.id, _comments_due(CommentStatus.SPAM), _delete_comments),
    Rule("trashed comments deleted", Comment.id, _comments_due(CommentStatus.TRASH), _delete_comments),
    Rule("IP hashes and user agents dropped", Comment.id, _ip_due, _drop_ip),
    Rule("sent or undeliverable mail deleted", OutboxMail.id, _outbox_due, _delete_mail),
    Rule("unconfirmed reply subscriptions deleted", MailSubscription.id, _unconfirmed_due, _delete_subscriptions),
    Rule("security log IP hashes dropped", SecurityLogEntry.id, _security_ip_due, _drop_security_ip),
]


def due_counts(now: datetime) -> dict[str, int]:
    """How many rows each rule would take now (for a progress bar)."""
    policy = current_policy()
    counts = {}
    for rule in RULES:
        where = rule.due(policy, now)
        counts[rule.name] = (
            0 if where is None else db.session.scalar(sa.select(sa.func.count(rule.key)).where(*where)) or 0
        )
    return counts


def purge(now: datetime, *, batch: int = BATCH, on_batch: Callable[[int], object] = lambda n: None) -> dict[str, int]:
    """Apply every rule, ``batch`` rows at a time; returns the rows changed per rule. Flushes, and calls
    ``on_batch(rows looked at)`` after each batch: the caller commits there (the command, the daily task), so
    no transaction spans more than one batch."""
    policy = current_policy()
    done: dict[str, int] = {}
    for rule in RULES:
        done[rule.name] = 0
        where = rule.due(policy, now)
        if where is None:
            continue
        last = 0
        page = sa.select(rule.key).where(*where).order_by(rule.key).limit(batch)
        while ids := list(db.session.scalars(page.where(rule.key > last))):
            done[rule.name] += rule.apply([rule.key.in_(ids), *where], now)
            last = ids[-1]
            on_batch(len(ids))
    return done


def fates(comments: Iterable[Comment], now: datetime) -> dict[int, Fate]:
    """What the purge will do to each comment, by id (the desk's "Deleted for good on …"): from the rows
    already loaded and the settings the request has read, so no query per row."""
    policy = current_policy()
    return {
        c.id: comment_fate(
            policy,
            status=c.status,
            created_at=c.created_at,
            status_changed_at=c.status_changed_at,
            has_ip=bool(c.ip_hash or c.user_agent),
            now=now,
        )
        for c in comments
    }


@jobs.periodic(minute=str(PURGE_AT.minute), hour=str(PURGE_AT.hour))
def purge_daily() -> None:
    """The daily purge (the job queue's consumer runs it at ``PURGE_AT`` UTC)."""
    done = purge(utcnow(), on_batch=lambda n: db.session.commit())
    db.session.commit()
    log.info("retention: %s", ", ".join(f"{name}: {count}" for name, count in done.items()))
