"""Old addresses that answer 301 with an article's current one (``redirects``: old path → article).

Written when an article's slug changes; the data import adds WordPress permalinks to the same table. Each row
points at the article, not at another path, so there are no chains: whatever the article's slug is now, one
301 reaches it. Looked up only by the 404 handler (``blog/__init__.py``), never by a catch-all route.
"""

from __future__ import annotations

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Redirect
from blog.services.articles import published


def article_path(slug: str) -> str:
    return f"/articles/{slug}"


def remember_old_path(article: Article, old_path: str) -> None:
    """``old_path`` now leads to ``article`` (a slug change, an imported permalink). When the path led to another
    article before, the newest claim wins; the article's own current path needs no row (flushes)."""
    db.session.execute(sa.delete(Redirect).where(Redirect.old_path == article_path(article.slug)))
    if old_path == article_path(article.slug):
        return
    row = db.session.scalar(sa.select(Redirect).where(Redirect.old_path == old_path))
    if row is None:
        db.session.add(Redirect(old_path=old_path, article_id=article.id))
    else:
        row.article_id = article.id
    db.session.flush()


def remember_old_paths(article_id: int, slug: str, old_paths: list[str]) -> int:
    """``remember_old_path`` for several paths at once (an imported post's permalinks), for the article with
    this id and slug: two statements. Returns how many were stored (the article's own current path is not)."""
    paths = [p for p in dict.fromkeys(old_paths) if p != article_path(slug)]
    if paths:
        db.session.execute(sa.delete(Redirect).where(Redirect.old_path.in_(paths)))
        db.session.execute(sa.insert(Redirect), [{"old_path": p, "article_id": article_id} for p in paths])
    return len(paths)


def slug_changed(article: Article, old_slug: str) -> None:
    if old_slug and old_slug != article.slug:
        remember_old_path(article, article_path(old_slug))


def target_slug(path: str) -> str | None:
    """The current slug of the published article an old path leads to, or None."""
    return db.session.scalar(
        sa.select(Article.slug)
        .join(Redirect, Redirect.article_id == Article.id)
        .where(Redirect.old_path == path, published())
    )
