"""Writing articles, tags and curated Keep Reading links (used by the CLI now, editorial pages later).

Every change to an article goes through ``create_article``, ``update_article``,
``publish_article`` or ``unpublish_article``: they keep the search index and the automatic Keep
Reading picks (``services.search``, ``services.related``) in step with what is public.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from blog.core.text import slugify
from blog.extensions import db
from blog.models import Article, ArticleStatus, RelatedKind, RelatedLink, Tag, User
from blog.services import media, related, search
from blog.services.users import unique_slug


def get_or_create_tags(names_or_slugs: Iterable[tuple[str, str]]) -> list[Tag]:
    """Tags for ``(slug, name)`` pairs, creating the missing ones."""
    wanted = dict(names_or_slugs)
    existing = {t.slug: t for t in db.session.scalars(sa.select(Tag).where(Tag.slug.in_(wanted)))}
    for slug, name in wanted.items():
        if slug not in existing:
            existing[slug] = Tag(slug=slug, name=name)
            db.session.add(existing[slug])
    return [existing[slug] for slug in wanted]


def create_article(
    *,
    author: User,
    title: str,
    body: str,
    summary: str = "",
    slug: str | None = None,
    tags: Iterable[Tag] = (),
    published_at: datetime | None = None,
    comments_open: bool = True,
    index: bool = True,
) -> Article:
    """A new article; published when ``published_at`` is given, otherwise a draft.

    ``index=False`` is for bulk loads (imports): they skip search and Keep Reading per article and
    run ``search.rebuild`` and ``related.rebuild_index`` + ``related.refresh_all_picks`` once at the end.
    """
    article = Article(
        author=author,
        title=title.strip(),
        slug=unique_slug(Article, slug or slugify(title), fallback="article"),
        summary=summary.strip(),
        body_markdown=body,
        body_html=media.render_article(body),
        status=ArticleStatus.PUBLISHED if published_at else ArticleStatus.DRAFT,
        published_at=published_at,
        comments_open=comments_open,
        tags=list(tags),
    )
    db.session.add(article)
    db.session.flush()
    if article.is_published and index:
        _went_public(article)
    return article


def update_article(
    article: Article,
    *,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    tags: Iterable[Tag] | None = None,
    comments_open: bool | None = None,
) -> Article:
    """Change an article's text, tags or comment setting; a published one is re-indexed."""
    was_public = article.is_published
    if was_public:
        related.forget(article)  # with the old text and tags, before they change
    if title is not None:
        article.title = title.strip()
    if summary is not None:
        article.summary = summary.strip()
    if body is not None:
        article.body_markdown = body
        article.body_html = media.render_article(body)
    if tags is not None:
        _with_tags_loaded(article).tags = list(tags)
    if comments_open is not None:
        article.comments_open = comments_open
    db.session.flush()
    if was_public:
        _went_public(article)
    return article


def publish_article(article: Article, *, published_at: datetime) -> Article:
    """Make a draft public as of ``published_at``; it enters search and Keep Reading."""
    if article.is_published:
        return article
    article.status = ArticleStatus.PUBLISHED
    article.published_at = published_at
    db.session.flush()
    _went_public(article)
    return article


def unpublish_article(article: Article) -> Article:
    """Take an article off the public site: out of search, out of every automatic Keep Reading."""
    if not article.is_published:
        return article
    related.forget(article)
    article.status = ArticleStatus.DRAFT
    db.session.flush()
    search.sync(article.id)
    related.withdraw_from_picks(article.id)
    return article


def _went_public(article: Article) -> None:
    """A published article is new or changed: index it, pick for it, and refresh where it may appear."""
    search.sync(article.id)
    related.index(article)
    related.refresh_around(article.id)


def _with_tags_loaded(article: Article) -> Article:
    """Replacing a collection needs the old one loaded (the relationship refuses lazy loads)."""
    return db.session.scalars(
        sa.select(Article).where(Article.id == article.id).options(sa.orm.selectinload(Article.tags))
    ).one()


def add_curated_link(
    article: Article, *, target: Article | None = None, url: str | None = None, title: str | None = None
) -> RelatedLink:
    """Append a curated Keep Reading link: one of our articles, or an external URL with a title."""
    if (target is None) == (url is None):
        raise ValueError("a curated link needs either a target article or a URL")
    if target is not None and target.id == article.id:
        raise ValueError("an article cannot link to itself")
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(RelatedLink.position) + 1, 0)).where(
            RelatedLink.article_id == article.id, RelatedLink.kind == RelatedKind.CURATED
        )
    )
    link = RelatedLink(
        article_id=article.id,
        kind=RelatedKind.CURATED,
        position=position,
        target_article_id=None if target is None else target.id,
        url=url,
        title=title,
    )
    db.session.add(link)
    db.session.flush()
    return link
