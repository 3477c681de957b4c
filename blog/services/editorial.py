"""Editorial operations on top of ``services.authoring``: the article form, curated links, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blog.core.text import slugify
from blog.extensions import db
from blog.models import Article, ArticleStatus, RelatedKind, RelatedLink, SettingsChange, SiteSettings, User
from blog.services import authoring, media
from blog.services.site import ensure_settings


class EditorialError(ValueError):
    """A change that cannot be made; ``field`` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    slug: str
    summary: str
    body: str
    tags: str  # comma-separated names
    author_id: int
    comments_open: bool


def parse_tags(text: str) -> list[tuple[str, str]]:
    """'Harbour, City Council' -> [('harbour', 'Harbour'), ('city-council', 'City Council')]; no duplicates."""
    pairs: dict[str, str] = {}
    for name in (part.strip() for part in text.split(",")):
        if name and (slug := slugify(name)):
            pairs.setdefault(slug, name[:80])
    return list(pairs.items())


def list_articles(*, q: str = "") -> list[Article]:
    stmt = (
        sa.select(Article)
        .options(sa.orm.joinedload(Article.author), sa.orm.raiseload("*"))
        .order_by(Article.status, Article.published_at.desc().nulls_first(), Article.updated_at.desc())
    )
    if q:
        pattern = "%" + q.replace("%", "").replace("_", "") + "%"
        stmt = stmt.where(sa.or_(Article.title.ilike(pattern), Article.slug.ilike(pattern)))
    return list(db.session.scalars(stmt.limit(500)))


def get_article(article_id: int) -> Article | None:
    return db.session.scalar(
        sa.select(Article).where(Article.id == article_id).options(sa.orm.selectinload(Article.tags))
    )


def _check_slug(slug: str, *, own_id: int | None) -> None:
    taken = db.session.scalar(sa.select(Article.id).where(Article.slug == slug, Article.id != (own_id or 0)))
    if taken is not None:
        raise EditorialError(f"Another article already uses the address “{slug}”. Choose a different one.", "slug")


def _author(author_id: int) -> User:
    author = db.session.get(User, author_id)
    if author is None:
        raise EditorialError("Choose an author from the list.", "author_id")
    return author


def create_from_draft(draft: ArticleDraft) -> Article:
    slug = draft.slug or slugify(draft.title)
    if draft.slug:
        _check_slug(slug, own_id=None)
    return authoring.create_article(
        author=_author(draft.author_id),
        title=draft.title,
        slug=slug or None,
        summary=draft.summary,
        body=draft.body,
        tags=authoring.get_or_create_tags(parse_tags(draft.tags)),
        comments_open=draft.comments_open,
    )


def update_from_draft(article: Article, draft: ArticleDraft) -> Article:
    slug = draft.slug or article.slug
    _check_slug(slug, own_id=article.id)
    article.slug = slug
    article.author_id = _author(draft.author_id).id
    return authoring.update_article(
        article,
        title=draft.title,
        summary=draft.summary,
        body=draft.body,
        tags=authoring.get_or_create_tags(parse_tags(draft.tags)),
        comments_open=draft.comments_open,
    )


def set_published(article: Article, publish: bool, *, now: datetime) -> None:
    if publish:
        authoring.publish_article(article, published_at=article.published_at or now)
    else:
        authoring.unpublish_article(article)


# --- Curated Keep Reading links -----------------------------------------------------------------


def curated_links(article: Article) -> list[RelatedLink]:
    return list(
        db.session.scalars(
            sa.select(RelatedLink)
            .where(RelatedLink.article_id == article.id, RelatedLink.kind == RelatedKind.CURATED)
            .options(sa.orm.joinedload(RelatedLink.target))
            .order_by(RelatedLink.position, RelatedLink.id)
        )
    )


def find_link_targets(article: Article, q: str, *, limit: int = 10) -> list[Article]:
    """Published articles matching ``q`` in title or slug, other than ``article`` itself."""
    if not q:
        return []
    pattern = "%" + q.replace("%", "").replace("_", "") + "%"
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(
                Article.status == ArticleStatus.PUBLISHED,
                Article.id != article.id,
                sa.or_(Article.title.ilike(pattern), Article.slug.ilike(pattern)),
            )
            .order_by(Article.published_at.desc())
            .limit(limit)
        )
    )


def add_internal_link(article: Article, target_id: int) -> None:
    target = db.session.get(Article, target_id)
    if target is None or not target.is_published:
        raise EditorialError("Only published articles can be linked.")
    if target.id == article.id:
        raise EditorialError("An article cannot recommend itself.")
    if any(link.target_article_id == target.id for link in curated_links(article)):
        raise EditorialError(f"“{target.title}” is already in Keep Reading.")
    authoring.add_curated_link(article, target=target)


def add_external_link(article: Article, url: str, title: str) -> None:
    authoring.add_curated_link(article, url=url, title=title)


def change_link(article: Article, link_id: int, action: str) -> None:
    """Move a curated link up or down, or remove it; positions stay 0..n-1."""
    links = curated_links(article)
    index = next((i for i, link in enumerate(links) if link.id == link_id), None)
    if index is None:
        raise EditorialError("That link is not in this article's Keep Reading list.")
    if action == "remove":
        db.session.delete(links.pop(index))
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(links):
            links[index], links[other] = links[other], links[index]
    else:
        raise EditorialError(f"Unknown link action “{action}”.")
    for position, link in enumerate(links):
        link.position = position
    db.session.flush()


# --- Settings ----------------------------------------------------------------------------------

SETTING_FIELDS = (
    "max_links",
    "hold_words",
    "block_words",
    "auto_approve_known",
    "close_after_days",
    "thread_depth",
    "comments_per_page",
    "keep_ip_days",
    "purge_spam_days",
    "purge_trash_days",
    "privacy_notice_markdown",
    "edit_window_minutes",
)
WORD_LISTS = ("hold_words", "block_words")  # one entry per line: stripped, blank lines dropped


def update_settings(values: dict[str, Any], *, actor: User, now: datetime) -> dict[str, tuple[Any, Any]]:
    """Apply new settings and record who changed what; returns {field: (old, new)}."""
    settings: SiteSettings = ensure_settings()
    changes: dict[str, tuple[Any, Any]] = {}
    for name in SETTING_FIELDS:
        old, new = getattr(settings, name), values[name]
        if name in WORD_LISTS:
            new = "\n".join(line.strip() for line in new.splitlines() if line.strip())
        if old != new:
            changes[name] = (old, new)
            setattr(settings, name, new)
    if "privacy_notice_markdown" in changes:
        settings.privacy_notice_html = media.render_article(settings.privacy_notice_markdown)
    if changes:
        db.session.add(
            SettingsChange(actor_id=actor.id, changed_at=now, changes={k: list(v) for k, v in changes.items()})
        )
    db.session.flush()
    return changes


def recent_settings_changes(limit: int = 20) -> list[SettingsChange]:
    return list(
        db.session.scalars(
            sa.select(SettingsChange)
            .options(sa.orm.joinedload(SettingsChange.actor).load_only(User.display_name, raiseload=True))
            .order_by(SettingsChange.changed_at.desc(), SettingsChange.id.desc())
            .limit(limit)
        )
    )
