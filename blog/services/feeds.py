"""What the Atom feeds and the sitemap list: published articles only, comments without emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, Tag, User, article_tags
from blog.services import articles

FEED_SIZE = 20
COMMENT_FEED_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of a feed with nothing in it: stable across runs


@dataclass(frozen=True)
class FeedComment:
    """A comment as a feed shows it: the commenter's name, never their email."""

    id: int
    author_name: str
    body_html: str
    created_at: datetime
    updated_at: datetime  # its last edit, if any


def modified(article: Article) -> datetime:
    """When an article's text last changed, never before it was published (an approved comment moves
    ``updated_at`` but is not an update of the article: ``content_updated_at`` is)."""
    return max(article.published_at or EPOCH, article.content_updated_at or EPOCH)


def latest_articles(*, author: User | None = None, tag: Tag | None = None) -> list[Article]:
    """The newest published articles, with their authors and tags loaded."""
    return articles.list_published(1, FEED_SIZE, author=author, tag=tag).items


def latest_comments(article: Article) -> list[FeedComment]:
    """An article's newest approved comments (public columns only)."""
    rows = db.session.execute(
        sa.select(Comment.id, Comment.author_name, Comment.body_html, Comment.created_at, Comment.edited_at)
        .where(Comment.article_id == article.id, Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENT_FEED_SIZE)
    )
    return [FeedComment(r.id, r.author_name, r.body_html, r.created_at, r.edited_at or r.created_at) for r in rows]


def published_article(slug: str) -> Article | None:
    return db.session.scalars(sa.select(Article).where(Article.slug == slug, articles.published())).one_or_none()


@dataclass(frozen=True)
class SitemapEntry:
    endpoint: str
    slug: str | None
    lastmod: datetime


_LASTMOD = sa.func.max(
    sa.case((Article.updated_at > Article.published_at, Article.updated_at), else_=Article.published_at)
)


def sitemap_pages() -> list[SitemapEntry]:
    """The front page, and every author and tag page that lists a published article."""
    newest = db.session.scalar(sa.select(_LASTMOD).where(articles.published()))
    if newest is None:
        return []
    authors = db.session.execute(
        sa.select(User.slug, _LASTMOD)
        .join(Article, Article.author_id == User.id)
        .where(articles.published())
        .group_by(User.slug)
        .order_by(User.slug)
    )
    tags = db.session.execute(
        sa.select(Tag.slug, _LASTMOD)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(articles.published())
        .group_by(Tag.slug)
        .order_by(Tag.slug)
    )
    return [
        SitemapEntry("public.home", None, newest),
        *(SitemapEntry("public.author", slug, lastmod) for slug, lastmod in authors),
        *(SitemapEntry("public.tag", slug, lastmod) for slug, lastmod in tags),
    ]


def sitemap_articles(*, offset: int = 0, limit: int | None = None) -> list[SitemapEntry]:
    """Published articles, oldest first (a stable order for splitting into files)."""
    rows = db.session.execute(
        sa.select(Article.slug, Article.published_at, Article.updated_at)
        .where(articles.published())
        .order_by(Article.published_at, Article.id)
        .offset(offset)
        .limit(limit)
    )
    return [SitemapEntry("public.article", slug, max(published or EPOCH, updated)) for slug, published, updated in rows]
