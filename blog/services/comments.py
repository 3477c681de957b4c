"""The comment pipeline after form validation: rules, verdict, storage, audit, notification."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from blog import cache
from blog.core import moderation, privacy, sanitize
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ConsentPurpose, ModerationEvent, Role, User
from blog.services import commenters, consent, notifications, spamfilter
from blog.services.site import Settings, get_settings

if TYPE_CHECKING:
    from blog.services.articles import ArticleView

DUPLICATE = "Duplicate comment detected; it looks as though you've already said that!"
CLOSED = "Comments are closed."


class CommentRefused(Exception):
    """The comment cannot be accepted; ``str()`` is the message for the reader."""

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Client:
    ip: str
    user_agent: str


def policy_from(settings: Settings) -> moderation.Policy:
    return moderation.Policy(
        max_links=settings.max_links,
        hold_words=moderation.parse_words(settings.hold_words),
        block_words=moderation.parse_words(settings.block_words),
        auto_approve_known=settings.auto_approve_known,
        spam_threshold=settings.spam_threshold / 100,
        ham_threshold=settings.ham_threshold / 100,
        publish_likely_good=settings.publish_likely_good,
    )


def comments_closed(article: Article | ArticleView, *, now: datetime) -> bool:
    return moderation.comments_closed(**_closing_rule(article), now=now)


def comments_close_at(article: Article | ArticleView) -> datetime | None:
    """When an open article's comments close by age (``close_after_days``), if they do."""
    return moderation.comments_close_at(**_closing_rule(article))


def _closing_rule(article: Article | ArticleView) -> dict[str, Any]:
    return {
        "comments_open": article.comments_open,
        "published_at": article.published_at if article.is_published else None,
        "close_after_days": get_settings().close_after_days,
    }


def submit_comment(
    article: Article,
    draft: moderation.Draft,
    *,
    client: Client,
    now: datetime,
    user: User | None = None,
    notify: bool = False,
    remember: bool | None = None,
) -> Comment:
    """Check the article-level rules, decide the status, store, tell whom it concerns. Raises
    ``CommentRefused``. ``notify``: the commenter asked for mail about replies; ``remember``: they consented to
    "remember me" (True), or withdrew it (False: their browser had the cookie and the box was unticked)."""
    if comments_closed(article, now=now):
        raise CommentRefused(CLOSED, status=403)
    settings = get_settings()
    parent = _valid_parent(article, draft.parent_id, max_depth=settings.thread_depth)
    duplicate, known = _history(article, draft)
    if duplicate:
        raise CommentRefused(DUPLICATE, field="body")

    hash_key = current_app.config["HASH_KEY"]
    network = privacy.network_key(hash_key, client.ip)
    by_editor = user is not None and user.role in (Role.EDITOR, Role.ADMIN)
    spam = None if by_editor else spamfilter.score(body=draft.body, name=draft.name, website=draft.website)
    verdict = moderation.decide(
        policy_from(settings),
        draft,
        by_editor=by_editor,
        known_commenter=known,
        banned=commenters.ban_matching(privacy.person_key(hash_key, draft.email), network),
        spam=spam,
    )
    comment = record_comment(
        article,
        name=draft.name,
        email=draft.email,
        website=draft.website,
        body=draft.body,
        parent=parent,
        status=CommentStatus(verdict.status),
        created_at=now,
        reasons=list(verdict.reasons),
        ip_hash=privacy.ip_hash(hash_key, client.ip),
        network_hash=network,
        user_agent=client.user_agent[:255],
        user=user,
    )
    spamfilter.keep_score(comment, spam)
    if comment.status is CommentStatus.PENDING:
        notifications.comment_held(comment, now=now)
    elif comment.status is CommentStatus.APPROVED:
        notifications.comment_approved(comment, now=now)
    if notify and comment.status is not CommentStatus.SPAM:  # a spammer's form mails nobody
        notifications.request_replies(comment.author_email, comment_id=comment.id, now=now)
    if remember:
        consent.give(comment.author_email, ConsentPurpose.REMEMBER_ME, now=now, comment_id=comment.id)
    elif remember is False:
        consent.withdraw(comment.author_email, ConsentPurpose.REMEMBER_ME, now=now)
    return comment


def _valid_parent(article: Article, parent_id: int | None, *, max_depth: int) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    refusal = moderation.reply_refusal(
        parent_article_id=None if parent is None else parent.article_id,
        parent_status=None if parent is None else parent.status,
        parent_depth=0 if parent is None else parent.depth,
        article_id=article.id,
        max_depth=max_depth,
    )
    if refusal:
        raise CommentRefused(refusal, field="parent_id")
    return parent


def _history(article: Article, draft: moderation.Draft) -> tuple[bool, bool]:
    """(the same comment is already on this article, this commenter — same email *and* name — has had a
    comment approved before), in one query."""
    row = db.session.execute(
        _history_statement(),
        {"article_id": article.id, "email": draft.email, "name": draft.name, "body": draft.body},
    ).one()
    return bool(row.duplicate), bool(row.known)


@functools.cache
def _history_statement() -> sa.Select[bool, bool]:
    c = Comment.__table__.c  # Core columns: no ORM round trip for a statement that loads no objects
    email = c.author_email == sa.bindparam("email")
    duplicate = sa.exists().where(
        c.article_id == sa.bindparam("article_id"), email, c.body_text == sa.bindparam("body")
    )
    known = sa.exists().where(email, c.author_name == sa.bindparam("name"), c.status == CommentStatus.APPROVED)
    return sa.select(duplicate.label("duplicate"), known.label("known"))


def refresh_comment_count(article_id: int) -> None:
    """Recount the article's approved comments in the database (exact under concurrency)."""
    # Lock the article row first. Under PostgreSQL's READ COMMITTED the count below is then a new statement
    # that sees every approval committed before ours; a lone UPDATE's subquery would count from a snapshot
    # taken before it waited for the row, and two overlapping approvals could leave the count one short.
    # FOR NO KEY UPDATE (key_share): inserting a comment key-share-locks its article, and a plain FOR UPDATE
    # would deadlock with another transaction that inserted one too.
    db.session.execute(sa.select(Article.id).where(Article.id == article_id).with_for_update(key_share=True))
    approved = (
        sa.select(sa.func.count())
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Article)
        .where(Article.id == article_id)
        .values(comment_count=approved)
        .execution_options(**{cache.ARTICLE_SCOPE: article_id})  # the count is shown on the article's page only
    )


def avatar_colour(email: str) -> int:
    """The colour of this address's initials avatar, stored with each of its comments."""
    return privacy.avatar_colour(current_app.config["HASH_KEY"], email)


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
    ip_hash: str = "",
    network_hash: str = "",
    user_agent: str = "",
    user: User | None = None,
) -> Comment:
    """Store a comment that has passed validation and moderation, with its first audit event."""
    comment = Comment(
        article_id=article.id,
        parent_id=None if parent is None else parent.id,
        depth=0 if parent is None else parent.depth + 1,
        status=status,
        author_name=name,
        author_email=privacy.normalise_email(email),
        author_key=privacy.person_key(current_app.config["HASH_KEY"], email),
        author_website=website,
        avatar_colour=avatar_colour(email),
        body_text=body,
        body_html=sanitize.render_comment(body),
        created_at=created_at,
        moderation_reasons=reasons or [],
        ip_hash=ip_hash,
        network_hash=network_hash,
        user_agent=user_agent,
        user_id=None if user is None else user.id,
    )
    db.session.add(comment)
    db.session.flush()
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            actor_id=None if user is None else user.id,
            action="submitted",
            to_status=status,
            created_at=created_at,
        )
    )
    if status is CommentStatus.APPROVED:  # the public thread changed
        refresh_comment_count(article.id)
    return comment
