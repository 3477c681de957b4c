"""Moderating comments: status changes with an audit event and a correct approved count."""

from __future__ import annotations

from datetime import datetime

from blog.extensions import db
from blog.models import Comment, CommentStatus, ModerationEvent, User
from blog.services.comments import refresh_comment_count

# action -> (statuses it applies to, resulting status); "delete" removes the row for good.
TRANSITIONS: dict[str, tuple[frozenset[CommentStatus], CommentStatus | None]] = {
    "approve": (frozenset({CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH}), CommentStatus.APPROVED),
    "unapprove": (frozenset({CommentStatus.APPROVED}), CommentStatus.PENDING),
    "spam": (frozenset({CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.TRASH}), CommentStatus.SPAM),
    "trash": (frozenset({CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM}), CommentStatus.TRASH),
    "restore": (frozenset({CommentStatus.TRASH, CommentStatus.SPAM}), CommentStatus.PENDING),
    "delete": (frozenset({CommentStatus.TRASH, CommentStatus.SPAM}), None),
}


class ModerationError(ValueError):
    """The action does not apply; the message is for people."""


def moderate(comment: Comment, action: str, *, actor: User | None, now: datetime) -> None:
    """Apply ``action`` to ``comment``, recording who did what. Flushes; the caller commits."""
    if action not in TRANSITIONS:
        raise ModerationError(f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}.")
    allowed_from, to_status = TRANSITIONS[action]
    if comment.status not in allowed_from:
        raise ModerationError(f"Comment {comment.id} is {comment.status}; it cannot be given the action {action!r}.")
    from_status = comment.status
    db.session.add(
        ModerationEvent(
            comment_id=comment.id, actor_id=None if actor is None else actor.id, action=action,
            from_status=from_status, to_status=to_status, created_at=now,
        )
    )
    if to_status is None:
        db.session.delete(comment)
    else:
        comment.status = to_status
    db.session.flush()
    if CommentStatus.APPROVED in (from_status, to_status):
        refresh_comment_count(comment.article_id)
