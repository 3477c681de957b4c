"""Storing comments and keeping the approved-comment count right."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from blog.core import sanitize
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent


def refresh_comment_count(article_id: int) -> None:
    """Recount the article's approved comments in the database (exact under concurrency)."""
    approved = (
        sa.select(sa.func.count())
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    db.session.execute(sa.update(Article).where(Article.id == article_id).values(comment_count=approved))


def record_comment(
    article: Article,
    *,
    name: str,
    email: str,
    body: str,
    website: str = "",
    parent: Comment | None = None,
    status: CommentStatus = CommentStatus.PENDING,
    created_at: datetime,
    reasons: list[str] | None = None,
) -> Comment:
    """Store a comment that has passed validation and moderation, with its first audit event."""
    comment = Comment(
        article_id=article.id,
        parent_id=None if parent is None else parent.id,
        depth=0 if parent is None else parent.depth + 1,
        status=status,
        author_name=name,
        author_email=email.strip().lower(),
        author_website=website,
        body_text=body,
        body_html=sanitize.render_comment(body),
        created_at=created_at,
        moderation_reasons=reasons or [],
    )
    db.session.add(comment)
    db.session.flush()
    db.session.add(
        ModerationEvent(comment_id=comment.id, action="submitted", to_status=status, created_at=created_at)
    )
    if status is CommentStatus.APPROVED:
        refresh_comment_count(article.id)
    return comment
