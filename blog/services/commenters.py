"""Commenters as editors see them: all of one commenter's comments, bans, and readers' reports.

A commenter is named by keyed hashes only (core.privacy): ``person_key`` of their address (``Comment.author_key``,
the commenter view's URL) and ``network_key`` of the IPv4 /24 or IPv6 /64 they wrote from
(``Comment.network_hash``). Bans and reports store those hashes, never an address, an IP or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, raiseload

from blog import jobs
from blog.core import privacy
from blog.extensions import db
from blog.models import (
    Article,
    BanKind,
    Comment,
    CommenterBan,
    CommentReport,
    CommentStatus,
    ModerationEvent,
    SettingsChange,
    User,
)
from blog.orm import utcnow
from blog.services import paging
from blog.services.paging import Cursor

COMMENTER_LIMIT = 200  # comments a page of the commenter view lists, newest first
# Pending comments a ban moves to spam within the editor's request (a second or two on PostgreSQL); more wait for
# the job queue, which moves them this many to a transaction: a spam wave's thousands never outlast the request.
MOVE_AT_ONCE = 500


class CommenterError(ValueError):
    """What the editor asked cannot be done; the message is for people."""


# --- The commenter view ------------------------------------------------------------------------------------------


def comments_of(
    author_key: str, *, before: Cursor | None = None, after: Cursor | None = None, limit: int = COMMENTER_LIMIT
) -> paging.Page[Comment]:
    """One page of one commenter's comments (every status), newest first, keyset-paged like the desk."""
    position, order = paging.keyset(before, after)
    rows = list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.author_key == author_key, *position)
            .options(
                joinedload(Comment.article).load_only(Article.id, Article.title, Article.slug, raiseload=True),
                raiseload("*"),
            )
            .order_by(*order)
            .limit(limit + 1)
        )
    )
    return paging.page(rows, per_page=limit, before=before, after=after, position=paging.position_of)


def latest_of(author_key: str) -> Comment | None:
    """The commenter's newest comment: their name, address and network as the commenter view shows them."""
    return db.session.scalar(
        sa.select(Comment)
        .where(Comment.author_key == author_key)
        .options(raiseload("*"))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(1)
    )


def count_of(author_key: str) -> int:
    """How many comments the commenter has (every status), from the ``author_key`` index."""
    return db.session.scalar(sa.select(sa.func.count()).where(Comment.author_key == author_key)) or 0


# --- Bans ---------------------------------------------------------------------------------------------------------


def ban_matching(author_key: str, network_hash: str) -> str:
    """What a ban matches for a new comment: "address", "network", or "" (no ban)."""
    where = [sa.and_(CommenterBan.kind == BanKind.ADDRESS, CommenterBan.key_hash == author_key)]
    if network_hash:
        where.append(sa.and_(CommenterBan.kind == BanKind.NETWORK, CommenterBan.key_hash == network_hash))
    kinds = set(db.session.scalars(sa.select(CommenterBan.kind).where(sa.or_(*where))))
    return next((kind.value for kind in BanKind if kind in kinds), "")


def ban_key(comment: Comment, kind: BanKind) -> str:
    """The keyed hash a ban of this kind made from ``comment`` stores: its ``author_key`` or its ``network_hash``.
    Raises ``CommenterError`` when the comment no longer has it."""
    key = comment.author_key if kind is BanKind.ADDRESS else comment.network_hash
    if not key:
        raise CommenterError(
            "This comment's network is not known (it is older than bans, or its IP hash has been dropped): "
            "ban the address instead."
            if kind is BanKind.NETWORK
            else "This comment's address is no longer known (its personal data was erased)."
        )
    return key


def _pending_matching(kind: BanKind, key: str) -> sa.ColumnElement[bool]:
    """The pending comments a ban of ``kind`` on ``key`` would have sent to spam had it been there: from that
    address or that network, and not written by a signed-in member of the staff (bans never catch those)."""
    column = Comment.author_key if kind is BanKind.ADDRESS else Comment.network_hash
    return sa.and_(column == key, Comment.status == CommentStatus.PENDING, Comment.user_id.is_(None))


def pending_count(kind: BanKind, key: str) -> int:
    """How many pending comments ``ban(…, spam_pending=True)`` would move to spam now (for the confirmation)."""
    return db.session.scalar(sa.select(sa.func.count()).where(_pending_matching(kind, key))) or 0


@dataclass(frozen=True)
class Banned:
    ban: CommenterBan
    new: bool  # False: it was banned already (the first ban is kept)
    moved: list[int]  # the pending comments this call sent to spam, by id
    later: int = 0  # pending comments beyond MOVE_AT_ONCE, moved by the job queue once this transaction commits


def ban(comment: Comment, kind: BanKind, *, actor: User, now: datetime, spam_pending: bool = False) -> Banned:
    """Ban the address or the network ``comment`` came from; banning twice keeps the first ban. With
    ``spam_pending``, the pending comments the ban matches go to spam too, each through ``change_status`` as the
    desk's Spam button would send it (an event by ``actor``, the spam filter taught); one that another editor
    decided meanwhile is left as they left it. Up to ``MOVE_AT_ONCE`` of them now, the rest by the job queue after
    the commit (``spam_pending_of_ban``). Flushes."""
    key = ban_key(comment, kind)
    existing = db.session.scalar(sa.select(CommenterBan).where(CommenterBan.kind == kind, CommenterBan.key_hash == key))
    made = existing
    if made is None:
        made = CommenterBan(kind=kind, key_hash=key, created_at=now, actor_id=actor.id, comment_id=comment.id)
        db.session.add(made)
        db.session.flush()
    if not spam_pending:
        return Banned(ban=made, new=existing is None, moved=[])
    moved, more = _spam_pending(kind, key, actor=actor, now=now)
    later = pending_count(kind, key) if more else 0
    if later:
        jobs.after_commit(spam_pending_of_ban, made.id, actor.id)
    return Banned(ban=made, new=existing is None, moved=moved, later=later)


@jobs.task
def spam_pending_of_ban(ban_id: int, actor_id: int) -> int:
    """Move to spam what a ban matches and is still pending, ``MOVE_AT_ONCE`` to a transaction, as the editor who
    banned (nothing once the ban is lifted). Safe to run twice: it only ever finds what is still pending."""
    total = 0
    while (found := db.session.get(CommenterBan, ban_id)) is not None:
        actor = db.session.get(User, actor_id)
        if actor is None:
            break
        moved, more = _spam_pending(found.kind, found.key_hash, actor=actor, now=utcnow())
        db.session.commit()
        total += len(moved)
        if not more:
            break
    return total


def _spam_pending(kind: BanKind, key: str, *, actor: User, now: datetime) -> tuple[list[int], bool]:
    """Up to MOVE_AT_ONCE of the pending comments matching the ban, moved to spam: (their ids, whether there may
    be more)."""
    from blog.services import moderation  # moderation imports comments, which imports this module

    moved = []
    # in id order, as moderate_many locks its rows: two editors' overlapping actions wait rather than deadlock
    found = db.session.scalars(
        sa.select(Comment).where(_pending_matching(kind, key)).order_by(Comment.id).limit(MOVE_AT_ONCE)
    ).all()
    for comment in found:
        if moderation.change_status(
            comment, CommentStatus.SPAM, action="spam", actor=actor, now=now, from_status=CommentStatus.PENDING
        ):
            moved.append(comment.id)
    return moved, len(found) == MOVE_AT_ONCE


def bans() -> list[CommenterBan]:
    return list(
        db.session.scalars(
            sa.select(CommenterBan)
            .options(joinedload(CommenterBan.actor).load_only(User.display_name, raiseload=True))
            .order_by(CommenterBan.created_at.desc(), CommenterBan.id.desc())
        )
    )


def banned_kinds(author_key: str) -> set[BanKind]:
    """Which of this commenter's address and the networks they wrote from are banned (for the commenter view)."""
    networks = sa.select(Comment.network_hash).where(Comment.author_key == author_key, Comment.network_hash != "")
    where = [
        sa.and_(CommenterBan.kind == BanKind.ADDRESS, CommenterBan.key_hash == author_key),
        sa.and_(CommenterBan.kind == BanKind.NETWORK, CommenterBan.key_hash.in_(networks)),
    ]
    return set(db.session.scalars(sa.select(CommenterBan.kind).where(sa.or_(*where))))


def bans_of(comments: list[Comment]) -> dict[int, set[BanKind]]:
    """For rows of the desk: which of each comment's address and network are banned already (one query)."""
    keys = {c.author_key for c in comments if c.author_key} | {c.network_hash for c in comments if c.network_hash}
    found: set[tuple[BanKind, str]] = set()
    if keys:
        stmt = sa.select(CommenterBan.kind, CommenterBan.key_hash).where(CommenterBan.key_hash.in_(keys))
        found = {(kind, key) for kind, key in db.session.execute(stmt)}
    rows = {}
    for c in comments:
        mine = ((BanKind.ADDRESS, c.author_key), (BanKind.NETWORK, c.network_hash))
        rows[c.id] = {kind for kind, key in mine if key and (kind, key) in found}
    return rows


def revoke(ban_id: int, *, actor: User, now: datetime) -> bool:
    """Lift a ban, recorded in the settings' history (who, when, which: its kind and the start of its hash);
    False when there was none (already lifted). Flushes."""
    lifted = db.session.execute(
        sa.delete(CommenterBan).where(CommenterBan.id == ban_id).returning(CommenterBan.kind, CommenterBan.key_hash)
    ).one_or_none()
    if lifted is None:
        return False
    kind, key_hash = lifted
    db.session.add(
        SettingsChange(actor_id=actor.id, changed_at=now, changes={"commenter_ban": [f"{kind} {key_hash[:12]}", None]})
    )
    db.session.flush()
    return True


# --- Readers' reports ---------------------------------------------------------------------------------------------


def reported_reason(networks: int) -> str:
    return f"reported by readers from {networks} network{'' if networks == 1 else 's'}"


@dataclass(frozen=True)
class ReportOutcome:
    counted: bool  # False: this reader's network had reported it already
    unpublished: bool  # this report sent it back to pending


def reportable(slug: str, comment_id: int, *, for_update: bool = False) -> Comment | None:
    """The published comment ``comment_id`` on the published article ``slug``, or None. ``for_update`` first locks
    the comment's row (PostgreSQL), so that two readers' reports at once, or a report and an editor's action, take
    turns: the one that completes the count unpublishes it once."""
    from blog.services.articles import get_published_article  # articles imports comments, which imports this

    if for_update:
        db.session.execute(sa.select(Comment.id).where(Comment.id == comment_id).with_for_update())
    article = get_published_article(slug)
    if article is None:
        return None
    return db.session.scalar(
        sa.select(Comment).where(
            Comment.id == comment_id, Comment.article_id == article.id, Comment.status == CommentStatus.APPROVED
        )
    )


def report(comment: Comment, *, ip: str, now: datetime, unpublish_after: int) -> ReportOutcome:
    """A reader (at the address ``ip``) reports a published comment: once per network (IPv4 /24, IPv6 /64).
    Reports from ``unpublish_after`` distinct networks (0: never) send it back to pending for review, unless an
    editor approved it again after reports. Flushes."""
    if comment.status is not CommentStatus.APPROVED:
        raise CommenterError("Only a published comment can be reported.")
    network_hash = privacy.network_key(current_app.config["HASH_KEY"], ip)
    inserted = db.session.scalar(
        _insert_ignoring_duplicate()
        .values(comment_id=comment.id, network_hash=network_hash, created_at=now)
        .returning(CommentReport.id)
    )
    if inserted is None:
        return ReportOutcome(counted=False, unpublished=False)
    if unpublish_after <= 0 or _approved_after_reports(comment.id):
        return ReportOutcome(counted=True, unpublished=False)
    networks = (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(CommentReport.network_hash))).where(
                CommentReport.comment_id == comment.id
            )
        )
        or 0
    )
    if networks < unpublish_after:
        return ReportOutcome(counted=True, unpublished=False)
    from blog.services import moderation  # moderation imports comments, which imports this module

    comment.moderation_reasons = [*comment.moderation_reasons, reported_reason(networks)]
    moderation.change_status(comment, CommentStatus.PENDING, action="reported", actor=None, now=now)
    return ReportOutcome(counted=True, unpublished=True)


def _insert_ignoring_duplicate() -> sa.Insert:
    """INSERT … ON CONFLICT DO NOTHING on both databases: two reports from one network at once count once."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(CommentReport).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(CommentReport).on_conflict_do_nothing()


KEEP = "keep"  # the editor read the reports and keeps the comment published (an event from approved to approved)
STAFF_APPROVALS = ("approve", KEEP)


def _last_review() -> sa.ScalarSelect[datetime]:
    """When staff last approved (or kept) the comment in the enclosing query: reports after that are open."""
    return (
        sa.select(sa.func.max(ModerationEvent.created_at))
        .where(
            ModerationEvent.comment_id == Comment.id,
            ModerationEvent.actor_id.is_not(None),
            ModerationEvent.action.in_(STAFF_APPROVALS),
        )
        .scalar_subquery()
    )


def _approved_after_reports(comment_id: int) -> bool:
    """An editor approved (or kept) the comment after its first report: reports never unpublish it again."""
    first_report = (
        sa.select(sa.func.min(CommentReport.created_at)).where(CommentReport.comment_id == comment_id).scalar_subquery()
    )
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    ModerationEvent.comment_id == comment_id,
                    ModerationEvent.actor_id.is_not(None),
                    ModerationEvent.action.in_(STAFF_APPROVALS),
                    ModerationEvent.created_at >= first_report,
                )
            )
        )
    )


def _open_reports() -> sa.Select[int, int]:
    """(comment id, open reports): reports after the comment's last review, of comments still on the site."""
    reviewed = _last_review()
    return (
        sa.select(CommentReport.comment_id, sa.func.count().label("reports"))
        .join(Comment, Comment.id == CommentReport.comment_id)
        .where(
            Comment.status.in_((CommentStatus.APPROVED, CommentStatus.PENDING)),
            sa.or_(reviewed.is_(None), CommentReport.created_at > reviewed),
        )
        .group_by(CommentReport.comment_id)
    )


REPORTED_LIMIT = 200  # comments a page of the Reported tab lists


def reported(
    *, before: Cursor | None = None, after: Cursor | None = None, limit: int = REPORTED_LIMIT
) -> paging.Page[tuple[Comment, int]]:
    """One page of the Reported tab: published or held comments with open reports (and how many), newest first,
    keyset-paged like the desk's other tabs. Not most reported first: report counts change while an editor pages,
    and a list ordered by them would skip or repeat comments from one page to the next; the count is on each row."""
    counts = _open_reports().subquery()
    position, order = paging.keyset(before, after)
    rows = db.session.execute(
        sa.select(Comment, counts.c.reports)
        .join(counts, counts.c.comment_id == Comment.id)
        .where(*position)
        .options(
            joinedload(Comment.article).load_only(Article.id, Article.title, Article.slug, raiseload=True),
            raiseload("*"),
        )
        .order_by(*order)
        .limit(limit + 1)
    ).all()
    return paging.page(
        [(comment, n) for comment, n in rows],
        per_page=limit,
        before=before,
        after=after,
        position=lambda row: paging.position_of(row[0]),
    )


def reported_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_open_reports().subquery())) or 0


def keep(comment: Comment, *, actor: User, now: datetime) -> None:
    """The editor keeps a reported comment published: its reports are reviewed, and never unpublish it. Flushes."""
    if comment.status is not CommentStatus.APPROVED:
        raise CommenterError(f"Comment {comment.id} is {comment.status}: approve it instead.")
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            actor_id=actor.id,
            action=KEEP,
            from_status=comment.status,
            to_status=comment.status,
            created_at=now,
        )
    )
    db.session.flush()
