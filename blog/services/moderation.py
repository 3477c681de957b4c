"""Moderating comments: status changes with an audit event and a correct approved count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm.attributes import set_committed_value

from blog import inputs
from blog.core import audit
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent, User
from blog.services import notifications, paging, spamfilter
from blog.services.comments import refresh_comment_count
from blog.services.paging import Cursor

# action -> (statuses it applies to, resulting status); "delete" removes the row for good.
TRANSITIONS: dict[str, tuple[frozenset[CommentStatus], CommentStatus | None]] = {
    "approve": (frozenset({CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH}), CommentStatus.APPROVED),
    "unapprove": (frozenset({CommentStatus.APPROVED}), CommentStatus.PENDING),
    "spam": (frozenset({CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.TRASH}), CommentStatus.SPAM),
    "trash": (frozenset({CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM}), CommentStatus.TRASH),
    "restore": (frozenset({CommentStatus.TRASH, CommentStatus.SPAM}), CommentStatus.PENDING),
    "delete": (frozenset({CommentStatus.TRASH, CommentStatus.SPAM}), None),
}


def undo_action(from_status: CommentStatus, to_status: CommentStatus | None) -> str | None:
    """The action that takes a comment back from ``to_status`` to ``from_status`` (the desk's Undo), or None
    (a permanent delete cannot be undone: it asks first instead)."""
    if to_status is None:
        return None
    for action, (allowed_from, target) in TRANSITIONS.items():
        if target is from_status and to_status in allowed_from:
            return action
    return None


class ModerationError(ValueError):
    """The action does not apply; the message is for people."""


class CommentGone(ModerationError):
    """The comment is no longer there (deleted for good, perhaps by another editor a moment ago)."""


def moderate(comment: Comment, action: str, *, actor: User | None, now: datetime, actor_label: str = "") -> bool:
    """Apply ``action`` to ``comment``, recording who did what. Flushes; the caller commits.

    Safe when two editors (or a bulk action and a single one) act on the same comment at once: the comment's
    row is locked first on PostgreSQL (``SELECT … FOR UPDATE``), and the change itself is a conditional
    ``UPDATE``/``DELETE … WHERE status = <the status it was decided from>`` on both databases, retried from
    the new status when another transaction got there first. Idempotent: a comment that already is where the
    action leads (or, for "delete", is already gone) is left alone, without an event, and False is returned;
    True when this call changed it. Raises ``ModerationError`` when the action does not apply to the comment's
    status now, ``CommentGone`` when it was deleted meanwhile. ``actor_label`` names an actor who is not a
    signed-in user (``core.audit.command_line_actor`` for a command)."""
    if action not in TRANSITIONS:
        raise ModerationError(f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}.")
    allowed_from, to_status = TRANSITIONS[action]
    for _ in range(3):  # each retry follows another transaction's committed change
        current = _current_status(comment)
        if current is None:
            if to_status is None:
                return False  # deleted already: what was asked is done
            raise CommentGone(f"Comment {comment.id} no longer exists (it may have been deleted).")
        if current is to_status:
            return False
        if current not in allowed_from:
            raise ModerationError(f"Comment {comment.id} is {current}; it cannot be given the action {action!r}.")
        if to_status is None:
            if _delete_one(comment, current, actor=actor, actor_label=actor_label, now=now):
                return True
        elif change_status(
            comment, to_status, action=action, actor=actor, now=now, from_status=current, actor_label=actor_label
        ):
            return True
    raise ModerationError(f"Comment {comment.id} is being changed by someone else; try again.")


def _current_status(comment: Comment) -> CommentStatus | None:
    """The comment's status as committed now (None: deleted), its row locked on PostgreSQL until the commit."""
    stmt = sa.select(Comment.status).where(Comment.id == comment.id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    status = db.session.scalar(stmt)
    if status is not None:
        set_committed_value(comment, "status", status)
    return status


def _delete_one(
    comment: Comment, status: CommentStatus, *, actor: User | None, actor_label: str, now: datetime
) -> bool:
    gone = db.session.execute(
        sa.delete(Comment)
        .where(Comment.id == comment.id, Comment.status == status)
        .returning(*_SNAPSHOT_COLUMNS)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if gone is None:
        return False
    event = _event(comment, "delete", actor=actor, actor_label=actor_label, from_status=status, to_status=None, now=now)
    event.snapshot = _snapshot(gone)
    db.session.add(event)
    if comment in db.session:
        db.session.expunge(comment)  # only spam or trash is deleted: the public thread does not change
    db.session.flush()
    g.pop("desk_counts", None)  # counted before this change
    return True


def change_status(
    comment: Comment,
    to_status: CommentStatus,
    *,
    action: str,
    actor: User | None,
    now: datetime,
    from_status: CommentStatus | None = None,
    actor_label: str = "",
) -> bool:
    """Move the comment to ``to_status`` with an event saying who did it (``actor`` None: the commenter or a
    command), keep the article's approved count right and tell the thread's subscribers of an approval.
    The one path every status change takes (the desk, bulk actions, the commenter's own edit). Flushes.

    A conditional ``UPDATE … WHERE status = from_status`` (default: the status the comment has in this
    session): when another transaction changed the status first, nothing is written and False is returned;
    True when this call made the change."""
    if from_status is None:
        from_status = comment.status
    db.session.flush()  # the comment's other pending changes (an edit's text) go first
    changed = db.session.execute(
        sa.update(Comment)
        .where(Comment.id == comment.id, Comment.status == from_status)
        .values(status=to_status, status_changed_at=now)  # retention counts spam or trash days from here
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]  # a CursorResult: UPDATE reports its row count
        return False
    set_committed_value(comment, "status", to_status)
    set_committed_value(comment, "status_changed_at", now)
    db.session.add(
        _event(
            comment, action, actor=actor, actor_label=actor_label, from_status=from_status, to_status=to_status, now=now
        )
    )
    db.session.flush()
    g.pop("desk_counts", None)  # counted before this change
    if CommentStatus.APPROVED in (from_status, to_status):  # the public thread changed
        refresh_comment_count(comment.article_id)
    if to_status is CommentStatus.APPROVED:
        notifications.comment_approved(comment, now=now)
    spamfilter.learn_from_decision(comment, action, from_status)
    return True


def _event(
    comment: Comment,
    action: str,
    *,
    actor: User | None,
    actor_label: str = "",
    from_status: CommentStatus | None,
    to_status: CommentStatus | None,
    now: datetime,
) -> ModerationEvent:
    return ModerationEvent(
        comment_id=None if to_status is None else comment.id,  # a deleted comment's row is gone
        comment_number=comment.id,
        actor_id=None if actor is None else actor.id,
        actor_label=actor_label,
        action=action,
        from_status=from_status,
        to_status=to_status,
        created_at=now,
    )


def delete_for_good(
    *where: sa.ColumnElement[bool], actor: User | None, now: datetime, action: str = "delete", actor_label: str = ""
) -> int:
    """Delete the spam and trashed comments that match ``where`` in one statement, each with its audit event
    (whose ``comment_id`` is None, as a deleted comment's events become, while ``comment_number`` and a
    snapshot of keyed hashes keep which comment it was and what was deleted). For many comments at once: the
    retention purge, emptying spam or trash. The rows are chosen by the DELETE itself, so a comment restored
    meanwhile is not taken; only spam and trash, as the "delete" action, so no approved count changes.
    Flushes; the caller commits."""
    deletable = TRANSITIONS["delete"][0]
    gone = db.session.execute(
        sa.delete(Comment)
        .where(Comment.status.in_(deletable), *where)
        .returning(*_SNAPSHOT_COLUMNS)
        .execution_options(synchronize_session=False)
    ).all()
    if gone:
        db.session.execute(
            sa.insert(ModerationEvent),
            [
                {
                    "comment_id": None,
                    "comment_number": row.id,
                    "actor_id": None if actor is None else actor.id,
                    "actor_label": actor_label,
                    "action": action,
                    "from_status": row.status,
                    "to_status": None,
                    "created_at": now,
                    "snapshot": _snapshot(row),
                }
                for row in gone
            ],
        )
        g.pop("desk_counts", None)
    return len(gone)


_SNAPSHOT_COLUMNS = (
    Comment.id,
    Comment.status,
    Comment.article_id,
    Comment.author_name,
    Comment.author_email,
    Comment.author_website,
    Comment.body_text,
    Comment.ip_hash,
    Comment.created_at,
)


def _snapshot(row: Any) -> dict[str, str | int]:  # a row of _SNAPSHOT_COLUMNS
    return audit.snapshot(
        current_app.config["HASH_KEY"],
        status=str(row.status),
        article_id=row.article_id,
        name=row.author_name,
        email=row.author_email,
        website=row.author_website,
        body=row.body_text,
        ip_hash=row.ip_hash,
        created_at=row.created_at,
    )


# --- The moderation desk -------------------------------------------------------------------------

ALL_STATUSES = (CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.TRASH)


@dataclass(frozen=True)
class DeskQuery:
    status: CommentStatus = CommentStatus.PENDING
    article_id: int | None = None
    q: str = ""
    ip: str = ""  # a keyed IP hash, or its first characters (lowercase hex; the desk shows the first ten)
    before: Cursor | None = None  # older than this row
    after: Cursor | None = None  # newer than this row
    per_page: int = 20


@dataclass(frozen=True)
class DeskPage:
    comments: list[Comment]
    counts: dict[CommentStatus, int]
    older: Cursor | None
    newer: Cursor | None
    counts_capped: bool = False  # counts above COUNT_LIMIT mean "more" (all comments; an article's are exact)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def desk_page(query: DeskQuery) -> DeskPage:
    """One page of the desk: newest first, keyset-paginated on the (status, created_at) index."""
    where = [Comment.status == query.status]
    if query.article_id is not None:
        where.append(Comment.article_id == query.article_id)
    if query.ip:  # hex only (the view checks): nothing to escape in the pattern
        where.append(Comment.ip_hash == query.ip if len(query.ip) == 64 else Comment.ip_hash.startswith(query.ip))
    if query.q:
        pattern = _like(query.q.lower())
        where.append(
            sa.or_(
                *(
                    sa.func.lower(col).like(pattern, escape="\\")
                    for col in (Comment.author_name, Comment.author_email, Comment.author_website, Comment.body_text)
                )
            )
        )
    position, order = paging.keyset(query.before, query.after)
    where.extend(position)
    parent = sa.orm.aliased(Comment)
    rows = list(
        db.session.scalars(
            sa.select(Comment)
            .where(*where)
            .options(
                sa.orm.joinedload(Comment.article).load_only(Article.id, Article.title, Article.slug, raiseload=True),
                sa.orm.joinedload(Comment.parent.of_type(parent)).load_only(
                    parent.id, parent.author_name, parent.body_text, raiseload=True
                ),
                sa.orm.raiseload("*"),
            )
            .order_by(*order)
            .limit(query.per_page + 1)
        )
    )
    found = paging.page(
        rows, per_page=query.per_page, before=query.before, after=query.after, position=paging.position_of
    )
    return DeskPage(
        comments=found.items,
        counts=count_by_status(query.article_id),
        older=found.older,
        newer=found.newer,
        counts_capped=query.article_id is None,
    )


COUNT_LIMIT = 1000  # comments a desk tab (or the staff bar) counts at most; beyond, it shows "1000+"


def count_by_status(article_id: int | None = None) -> dict[CommentStatus, int]:
    """The desk's tab counts: comments per status, of one article (exact) or of all.

    For all comments, each status is counted to ``COUNT_LIMIT`` + 1 at most, an index range of
    ``ix_comments_status_created_at`` that stops there: a value above ``COUNT_LIMIT`` means "more"
    (``shown_count``). Exact counts walked every approved comment (60 ms at 1,000,000 comments,
    ``tests/perf/bench_scale.py``), and a status with a backlog of 100,000 cost 6 ms on every desk
    and staff page. The counts are kept for the request: the staff bar's pending badge reuses them.
    """
    counts = dict.fromkeys(ALL_STATUSES, 0)
    if article_id is not None:
        stmt = sa.select(Comment.status, sa.func.count()).where(Comment.article_id == article_id)
        counts.update({status: n for status, n in db.session.execute(stmt.group_by(Comment.status))})
        return counts
    limit = sa.bindparam("limit", COUNT_LIMIT + 1, type_=sa.Integer)
    row = db.session.execute(sa.select(*(_capped_count(status, limit) for status in ALL_STATUSES))).one()
    counts.update(zip(ALL_STATUSES, row, strict=True))
    g.desk_counts = counts
    return counts


def _capped_count(status: CommentStatus, limit: sa.BindParameter[int]) -> sa.ScalarSelect[int]:
    window = sa.select(Comment.id).where(Comment.status == status).limit(limit).subquery()
    return sa.select(sa.func.count()).select_from(window).scalar_subquery()


def count_pending() -> int:
    """Pending comments, to ``COUNT_LIMIT`` + 1 at most (see ``count_by_status``, whose figure it reuses)."""
    counts: dict[CommentStatus, int] | None = g.get("desk_counts")
    if counts is not None:
        return counts[CommentStatus.PENDING]
    limit = sa.bindparam("limit", COUNT_LIMIT + 1, type_=sa.Integer)
    return db.session.scalar(sa.select(_capped_count(CommentStatus.PENDING, limit))) or 0


def shown_count(n: int) -> str:
    """A count as the desk shows it: "10000+" for one that stopped past ``COUNT_LIMIT``."""
    return f"{COUNT_LIMIT}+" if n > COUNT_LIMIT else str(n)


def parse_ids(raw: list[str]) -> list[int]:
    """Comment ids from a bulk form; anything but positive whole numbers is refused."""
    if not raw:
        raise ModerationError("Select at least one comment first.")
    ids = [number for r in raw if (number := inputs.parse_id(r)) is not None]
    if len(ids) < len(raw):
        raise ModerationError("The selection contained something that is not a comment number.")
    return sorted(set(ids))


def check_many(ids: list[int], action: str) -> None:
    """Raise ``ModerationError`` if ``moderate_many`` would refuse these comments now (before asking to confirm)."""
    allowed_from, to_status = TRANSITIONS[action]
    found = {
        row.id: row.status
        for row in db.session.execute(sa.select(Comment.id, Comment.status).where(Comment.id.in_(ids)))
    }
    missing = [i for i in ids if i not in found]
    if missing and to_status is not None:
        raise ModerationError(f"No comment with number {', '.join(map(str, missing))}; nothing was changed.")
    for comment_id, status in found.items():
        if status is not to_status and status not in allowed_from:
            raise ModerationError(f"Comment {comment_id} is {status}; it cannot be given the action {action!r}.")


def moderate_many(ids: list[int], action: str, *, actor: User | None, now: datetime) -> int:
    """Apply one action to several comments: all of them, or (on any problem) none. Returns how many this call
    changed: those already where the action leads (another editor's work) are left as they are, and for
    "delete" so are those already gone. The rows are locked in id order on PostgreSQL, so that two bulk actions
    over the same comments wait for each other instead of deadlocking."""
    stmt = sa.select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    found = {c.id: c for c in db.session.scalars(stmt.execution_options(populate_existing=True))}
    missing = [i for i in ids if i not in found]
    if missing and TRANSITIONS.get(action, (None, CommentStatus.PENDING))[1] is not None:
        raise ModerationError(f"No comment with number {', '.join(map(str, missing))}; nothing was changed.")
    return sum(moderate(found[comment_id], action, actor=actor, now=now) for comment_id in ids if comment_id in found)


def last_change(comment_id: int) -> tuple[CommentStatus | None, CommentStatus | None]:
    """(from, to) of the comment's latest event: what the desk's Undo reverses."""
    row = db.session.execute(
        sa.select(ModerationEvent.from_status, ModerationEvent.to_status)
        .where(ModerationEvent.comment_number == comment_id)
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    ).one_or_none()
    return (None, None) if row is None else (row.from_status, row.to_status)


def comment_history(comment_id: int) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            sa.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment_id)
            .options(sa.orm.joinedload(ModerationEvent.actor).load_only(User.display_name, raiseload=True))
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        )
    )


EMPTIABLE = {"spam": CommentStatus.SPAM, "trash": CommentStatus.TRASH}


def emptying(status: CommentStatus) -> tuple[int, int | None]:
    """What "Empty Spam" / "Empty Trash" would delete now: how many comments, and the highest id among them
    (the confirmation carries it, so that a comment arriving after the editor read the count is not taken)."""
    count, upto = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Comment.id)).where(Comment.status == status)
    ).one()
    return count, upto


def empty(status: CommentStatus, *, upto: int, actor: User | None, now: datetime) -> int:
    """Delete for good every comment of the spam or trash tab up to id ``upto``, each with its audit event
    (``delete_for_good``). Flushes; the caller commits. The number deleted."""
    if status not in EMPTIABLE.values():
        raise ModerationError("Only the spam and the trash can be emptied.")
    return delete_for_good(Comment.status == status, Comment.id <= upto, actor=actor, now=now)
