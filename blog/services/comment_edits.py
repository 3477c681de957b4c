"""A commenter edits or deletes their own comment within the edit window; every earlier text is kept.

Who may is the view's business (the comment's id in their session, ``public/commenter.py``); whether the window
is still open is decided here from the database and the server's clock (``core.moderation.edit_refusal``). An
edit goes through the comment pipeline again: the same sanitiser, the same verdict (``status_after_edit``).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from blog.core import moderation, sanitize
from blog.extensions import db
from blog.models import Article, Comment, CommentRevision, CommentStatus, ModerationEvent, Role, User
from blog.services import moderation as desk
from blog.services import notifications, spamfilter
from blog.services.articles import published
from blog.services.comments import policy_from
from blog.services.site import get_settings

# Events the commenter's own actions leave; any other event on a comment is someone's judgement of it (an
# editor on the desk, a command), which closes the window.
COMMENTER_ACTIONS = ("submitted", "edit", "withdrawn")
# Replies that close the window: those others see, or may soon see.
REPLY_STATUSES = (CommentStatus.APPROVED, CommentStatus.PENDING)


def _replied() -> sa.Exists:
    reply = sa.orm.aliased(Comment)
    return sa.exists().where(reply.parent_id == Comment.id, reply.status.in_(REPLY_STATUSES))


def _reviewed() -> sa.ColumnElement[bool]:
    """An editor acted on it: a moderation event not of the commenter's making, or a staff user's revision."""
    events = sa.exists().where(
        ModerationEvent.comment_id == Comment.id, ModerationEvent.action.not_in(COMMENTER_ACTIONS)
    )
    staff_edits = sa.exists().where(CommentRevision.comment_id == Comment.id, CommentRevision.editor_id.is_not(None))
    return sa.or_(events, staff_edits)


class Found(NamedTuple):
    comment: Comment
    replied: bool  # someone has replied to it
    reviewed: bool  # an editor has acted on it

    def refusal(self, *, now: datetime) -> str | None:
        """Why its writer may no longer edit or delete it, or None (the setting read now)."""
        return moderation.edit_refusal(
            created_at=self.comment.created_at,
            now=now,
            window_minutes=get_settings().edit_window_minutes,
            replied=self.replied,
            reviewed=self.reviewed,
        )


def find(slug: str, comment_id: int, *, for_update: bool = False) -> Found | None:
    """The comment ``comment_id`` of the published article ``slug`` (not one in the trash), with what may have
    closed its edit window; None when there is no such comment.

    ``for_update`` first locks the comment's row, so that a reply or an editor's action cannot slip in between
    these checks and the change (a reply's insert takes a key-share lock on its parent, which waits for ours).
    """
    if for_update:
        db.session.execute(sa.select(Comment.id).where(Comment.id == comment_id).with_for_update())
    row = db.session.execute(
        _find_statement(), {"slug": slug, "comment_id": comment_id, "trash": CommentStatus.TRASH}
    ).one_or_none()
    return None if row is None else Found(row[0], bool(row.replied), bool(row.reviewed))


@functools.cache
def _find_statement() -> sa.Select[Comment, bool, bool]:
    return (
        sa.select(Comment, _replied().label("replied"), _reviewed().label("reviewed"))
        .join(Article, Article.id == Comment.article_id)
        .where(
            Comment.id == sa.bindparam("comment_id"),
            Comment.status != sa.bindparam("trash"),
            Article.slug == sa.bindparam("slug"),
            published(),
        )
    )


def still_editable(ids: list[int], *, now: datetime) -> set[int]:
    """Which of these comments their writer may still edit, in one query (for the Edit links on their page)."""
    minutes = get_settings().edit_window_minutes
    if not ids or minutes <= 0:
        return set()
    since = now - timedelta(minutes=minutes)
    return set(
        db.session.scalars(
            sa.select(Comment.id).where(
                Comment.id.in_(ids),
                Comment.created_at >= since,
                Comment.status != CommentStatus.TRASH,
                ~_replied(),
                ~_reviewed(),
            )
        )
    )


def revise(comment: Comment, body: str, *, editor: User | None, now: datetime) -> None:
    """Give the comment a new text, keeping the old one as a revision (``editor`` None: the commenter)."""
    db.session.add(
        CommentRevision(
            comment_id=comment.id, body_text=comment.body_text, edited_at=now, editor_id=editor and editor.id
        )
    )
    spamfilter.learn(comment, None)  # what the old text taught goes with it; the next decision teaches anew
    comment.body_text = body
    comment.body_html = sanitize.render_comment(body)
    comment.edited_at = now


def edit_comment(comment: Comment, body: str, *, user: User | None, now: datetime) -> CommentStatus:
    """The commenter's edit, through the verdict again: a block word sends it to spam, too many links or a hold
    word send an approved comment back to pending. Returns the comment's status. Flushes; the caller commits."""
    if body == comment.body_text:
        return comment.status  # nothing changed: no revision
    revise(comment, body, editor=None, now=now)
    draft = moderation.Draft(
        name=comment.author_name, email=comment.author_email, website=comment.author_website, body=body
    )
    by_editor = user is not None and user.role in (Role.EDITOR, Role.ADMIN)
    spam = None if by_editor else spamfilter.score(body=body, name=draft.name, website=draft.website)
    verdict = moderation.decide(
        policy_from(get_settings()),
        draft,
        by_editor=by_editor,
        known_commenter=comment.status is CommentStatus.APPROVED,
        spam=spam,
    )
    spamfilter.keep_score(comment, spam)
    status = moderation.status_after_edit(moderation.Status(comment.status), verdict.status)
    if status is verdict.status:  # else the comment keeps the reasons it was held for
        comment.moderation_reasons = list(verdict.reasons)
    _change_status(comment, CommentStatus(status), action="edit", now=now)
    return comment.status


def withdraw_comment(comment: Comment, *, now: datetime) -> None:
    """The commenter deletes their comment: it goes to the trash (editors may still read it there, and the
    retention rules empty it), with an event that says who did it."""
    _change_status(comment, CommentStatus.TRASH, action="withdrawn", now=now)


def _change_status(comment: Comment, status: CommentStatus, *, action: str, now: datetime) -> None:
    if status is comment.status:
        db.session.flush()
        return
    held = status is CommentStatus.PENDING
    desk.change_status(comment, status, action=action, actor=None, now=now)
    if held:  # held again by the edit: editors are told, as for a new comment
        notifications.comment_held(comment, now=now)


def revisions(comment_id: int) -> list[CommentRevision]:
    """The comment's earlier texts, oldest first, with who changed each (for the desk)."""
    return list(
        db.session.scalars(
            sa.select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .options(sa.orm.joinedload(CommentRevision.editor).load_only(User.display_name, raiseload=True))
            .order_by(CommentRevision.edited_at, CommentRevision.id)
        )
    )
