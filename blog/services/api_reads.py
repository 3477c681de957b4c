"""Lists the public API pages through that the HTML pages do not have: authors and tags that readers can see."""

from __future__ import annotations

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Tag, User, article_tags
from blog.services.articles import Page, published


def list_authors(page: int, per_page: int) -> Page[User]:
    """Authors with at least one published article, by name (staff who never published stay unlisted)."""
    shown = sa.exists().where(Article.author_id == User.id, published())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(shown)) or 0
    rows = db.session.scalars(
        sa.select(User).where(shown).order_by(User.display_name, User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def list_tags(page: int, per_page: int) -> Page[Tag]:
    """Tags with at least one published article, by name."""
    links = article_tags.c
    shown = sa.exists().where(links.tag_id == Tag.id, links.article_id == Article.id, published())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Tag).where(shown)) or 0
    rows = db.session.scalars(
        sa.select(Tag).where(shown).order_by(Tag.name, Tag.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(rows), page, per_page, total)


def has_published(user: User) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Article.author_id == user.id, published()))))
