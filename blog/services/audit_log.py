"""The site-wide moderation log (``/moderation/log`` and its CSV): every moderation event, newest first,
filtered by actor, action and date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from blog.core import audit
from blog.extensions import db
from blog.models import Comment, ModerationEvent, User

PER_PAGE = 100
COMMAND_LINE = "command line"  # the start of every command's actor label (core.audit.command_line_actor)
# The actor filter's words beside user ids: a command on the server, or nobody (the rules, the commenter).
ACTOR_CHOICES = {"cli": "Command line", "none": "The rules or the commenter"}


@dataclass(frozen=True)
class LogQuery:
    actor: str = ""  # "" everyone; a user id; "cli"; "none"
    action: str = ""
    since: date | None = None  # inclusive, UTC days
    until: date | None = None  # inclusive
    before: int | None = None  # keyset: events with a lower id


@dataclass(frozen=True)
class Entry:
    event: ModerationEvent
    actor: str  # in words (core.audit.actor_text)
    author_name: str | None  # the comment's author while the comment exists; None once it is deleted
    comment_exists: bool


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    older: int | None  # the ``before`` of the next page


def parse_day(raw: str) -> date | None:
    """A YYYY-MM-DD day from the filter form ("" means none); ValueError for anything else."""
    return date.fromisoformat(raw) if raw else None


def _statement(query: LogQuery) -> sa.Select[ModerationEvent, str, str, int]:
    stmt = (
        sa.select(ModerationEvent, User.display_name, Comment.author_name, Comment.id)
        .outerjoin(User, User.id == ModerationEvent.actor_id)
        .outerjoin(Comment, Comment.id == ModerationEvent.comment_id)
        .order_by(ModerationEvent.id.desc())
    )
    if query.actor == "cli":
        stmt = stmt.where(ModerationEvent.actor_id.is_(None), ModerationEvent.actor_label.startswith(COMMAND_LINE))
    elif query.actor == "none":
        stmt = stmt.where(ModerationEvent.actor_id.is_(None), ModerationEvent.actor_label == "")
    elif query.actor:
        stmt = stmt.where(ModerationEvent.actor_id == int(query.actor))
    if query.action:
        stmt = stmt.where(ModerationEvent.action == query.action)
    if query.since is not None:
        stmt = stmt.where(ModerationEvent.created_at >= datetime.combine(query.since, time(), UTC))
    if query.until is not None:
        stmt = stmt.where(ModerationEvent.created_at < datetime.combine(query.until + timedelta(days=1), time(), UTC))
    if query.before is not None:
        stmt = stmt.where(ModerationEvent.id < query.before)
    return stmt


def _entry(row: sa.Row[ModerationEvent, str, str, int]) -> Entry:
    event = row[0]
    return Entry(
        event=event,
        actor=audit.actor_text(row.display_name, event.actor_label, event.action),
        author_name=row.author_name,
        comment_exists=row.id is not None,
    )


def page(query: LogQuery) -> Page:
    rows = db.session.execute(_statement(query).limit(PER_PAGE + 1)).all()
    entries = [_entry(row) for row in rows[:PER_PAGE]]
    return Page(entries, entries[-1].event.id if len(rows) > PER_PAGE else None)


def actions() -> list[str]:
    """The actions the log holds, for the filter."""
    return list(db.session.scalars(sa.select(ModerationEvent.action).distinct().order_by(ModerationEvent.action)))


def actors() -> list[tuple[int, str]]:
    """The staff who have moderation events, for the filter."""
    has_events = sa.exists().where(ModerationEvent.actor_id == User.id)
    return [tuple(r) for r in db.session.execute(sa.select(User.id, User.display_name).where(has_events))]  # type: ignore[misc]


CSV_HEADER = ("event", "when (UTC)", "comment", "action", "from", "to", "by", "comment author", "deleted comment")


def csv_lines(query: LogQuery) -> Iterator[str]:
    """The whole filtered log as CSV, streamed a batch at a time; every cell escaped (``core.audit.csv_cell``):
    commenters choose their names, and staff their display names."""

    def rows() -> Iterator[tuple[object, ...]]:
        before = query.before
        while True:
            batch = db.session.execute(_statement(LogQuery(**{**query.__dict__, "before": before})).limit(500)).all()
            for row in batch:
                e = _entry(row)
                ev = e.event
                yield (
                    ev.id,
                    ev.created_at.isoformat(),
                    ev.comment_number or "",
                    ev.action,
                    ev.from_status or "",
                    ev.to_status or ("deleted" if ev.from_status else ""),
                    e.actor,
                    e.author_name or "",
                    json.dumps(ev.snapshot, sort_keys=True) if ev.snapshot else "",
                )
            if len(batch) < 500:
                return
            before = batch[-1][0].id

    return iter(audit.to_csv(CSV_HEADER, rows()))
