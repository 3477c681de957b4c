"""Retention: how long the site keeps what commenters leave behind, as rules of time alone.

Each rule is a number of days; ``None`` (or 0) means never. A row is taken once it is at least that many days
old, by the first purge after that: the purge runs once a day at ``PURGE_AT`` (UTC), in the job queue, and
``flask blog retention run`` runs it once by hand. A spam or trashed comment's days count from when it entered
that status (``status_changed_at``; the time it was written when it arrived that way).

Times are aware (UTC), as everywhere in the site: a naive one is refused rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

# When the daily purge runs (UTC): a quiet hour, off the full hour when other jobs start.
PURGE_AT = time(3, 17)

# Statuses whose comments are deleted for good after a while, and the setting that says when.
PURGED_STATUSES = ("spam", "trash")


@dataclass(frozen=True)
class Policy:
    """The retention settings, in days (``None`` or 0: never)."""

    keep_ip_days: int | None = 30  # IP hash and user agent of every comment
    purge_spam_days: int | None = 30
    purge_trash_days: int | None = 30
    unconfirmed_days: int | None = 7  # reply subscriptions never confirmed
    outbox_days: int | None = 30  # mail sent, or given up on

    def days_in(self, status: str) -> int | None:
        """The days a comment of ``status`` is kept before it is deleted (``None``: no rule deletes it)."""
        return {"spam": self.purge_spam_days, "trash": self.purge_trash_days}.get(status)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("retention works on aware (UTC) times")
    return moment.astimezone(UTC)


def cutoff(days: int | None, now: datetime) -> datetime | None:
    """Rows written (or entering their status) at or before this time are due; ``None``: the rule is off."""
    return None if not days else _aware(now) - timedelta(days=days)


def next_purge(at_or_after: datetime) -> datetime:
    """The first daily purge at or after ``at_or_after``."""
    moment = _aware(at_or_after)
    run = datetime.combine(moment.date(), PURGE_AT, tzinfo=UTC)
    return run if run >= moment else run + timedelta(days=1)


@dataclass(frozen=True)
class Fate:
    """What the purge will do to one comment, and when (``None``: nothing, as the settings stand)."""

    deleted_at: datetime | None = None
    ip_dropped_at: datetime | None = None


def comment_fate(
    policy: Policy,
    *,
    status: str,
    created_at: datetime,
    status_changed_at: datetime | None,
    has_ip: bool,
    now: datetime,
) -> Fate:
    """When the purge will delete this comment (spam and trash), and when it will drop its IP hash and user
    agent (if it still has them); each is the first purge at or after both the rule's day and ``now``."""
    now = _aware(now)

    def when(since: datetime, days: int | None) -> datetime | None:
        return None if not days else next_purge(max(_aware(since) + timedelta(days=days), now))

    deleted = when(status_changed_at or created_at, policy.days_in(status))
    dropped = when(created_at, policy.keep_ip_days) if has_ip else None
    if deleted is not None and dropped is not None and dropped >= deleted:
        dropped = None  # the row goes first
    return Fate(deleted_at=deleted, ip_dropped_at=dropped)
