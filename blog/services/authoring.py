"""Writing articles, tags and curated Keep Reading links (used by the CLI now, editorial pages later)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from blog.core import sanitize
from blog.core.text import slugify
from blog.extensions import db
from blog.models import Article, ArticleStatus, RelatedKind, RelatedLink, Tag, User
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
) -> Article:
    """A new article; published when ``published_at`` is given, otherwise a draft."""
    article = Article(
        author=author,
        title=title.strip(),
        slug=unique_slug(Article, slug or slugify(title), fallback="article"),
        summary=summary.strip(),
        body_markdown=body,
        body_html=sanitize.render_article(body),
        status=ArticleStatus.PUBLISHED if published_at else ArticleStatus.DRAFT,
        published_at=published_at,
        comments_open=comments_open,
        tags=list(tags),
    )
    db.session.add(article)
    db.session.flush()
    return article


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
