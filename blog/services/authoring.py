"""Writing articles, tags and curated Keep Reading links (used by the CLI now, editorial pages later).

Every change to an article goes through ``create_article``, ``update_article``,
``publish_article`` or ``unpublish_article``: they keep the search index and the automatic Keep
Reading picks (``services.search``, ``services.related``) in step with what is public.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from blog import jobs
from blog.core.text import slugify
from blog.extensions import db
from blog.models import Article, ArticleStatus, RelatedKind, RelatedLink, Tag, User
from blog.orm import utcnow
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


class _Keep:
    """``update_article(section=KEEP)``: leave the section label as it is (the default)."""


KEEP = _Keep()


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
    section: Tag | None = None,
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
    _set_section(article, section)
    db.session.add(article)
    db.session.flush()
    if article.is_published and index:
        _went_public(article)
    elif article.is_scheduled:
        _schedule(article)
    return article


def update_article(
    article: Article,
    *,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    tags: Iterable[Tag] | None = None,
    comments_open: bool | None = None,
    section: Tag | None | _Keep = KEEP,
    now: datetime | None = None,
) -> Article:
    """Change an article's text, tags, section label or comment setting; a published one is re-indexed.

    A change to the title, summary or body of a published article stamps ``content_updated_at`` (the page's
    "Updated …"); tags, the section and the comment setting are not the text. ``section`` None: the first tag.
    """
    was_public = article.is_published
    if was_public:
        related.forget(article)  # with the old text and tags, before they change
        new_text = (
            title is not None and title.strip() != article.title,
            summary is not None and summary.strip() != article.summary,
            body is not None and body != article.body_markdown,
        )
        if any(new_text):
            article.content_updated_at = now or utcnow()
    if title is not None:
        article.title = title.strip()
    if summary is not None:
        article.summary = summary.strip()
    if body is not None:
        article.body_markdown = body
        article.body_html = media.render_article(body)
    if tags is not None:
        _with_tags_loaded(article).tags = list(tags)
    if tags is not None or not isinstance(section, _Keep):
        loaded = _with_tags_loaded(article)
        kept = next((t for t in loaded.tags if t.id == loaded.section_tag_id), None)  # while still one of its tags
        wanted = kept if isinstance(section, _Keep) else section
        _set_section(loaded, wanted)
    if comments_open is not None:
        article.comments_open = comments_open
    db.session.flush()
    if was_public:
        _went_public(article)
    return article


def _set_section(article: Article, wanted: Tag | None) -> None:
    """The section label: ``wanted`` when it is one of the article's tags, else the alphabetically first tag
    (what the kicker always showed), else none."""
    if wanted is not None and any(t is wanted or t.id == wanted.id for t in article.tags):
        article.section_tag = wanted
        return
    article.section_tag = min(article.tags, key=lambda t: (t.name, t.slug), default=None)


def publish_article(article: Article, *, published_at: datetime) -> Article:
    """Make a draft public as of ``published_at``; it enters search and Keep Reading.

    A time still to come schedules it: hidden until then (``services.articles.published``), and ``went_live``
    is queued for that time. A scheduled article may be given another time (the old task then finds it not due).
    """
    if article.is_published:
        return article
    article.status = ArticleStatus.PUBLISHED
    article.published_at = published_at
    article.review_note = None
    db.session.flush()
    if published_at <= utcnow():
        _went_public(article)
    else:
        _schedule(article)
    return article


def _schedule(article: Article) -> None:
    assert article.published_at is not None  # noqa: S101  (is_scheduled)
    jobs.after_commit_at(article.published_at, went_live, article.id)


@jobs.task
def went_live(article_id: int) -> None:
    """A scheduled article's time has come: index it, refresh Keep Reading around it and touch its row, so that
    cached pages, lists and feeds (retired by row changes) take it in at once. Nothing for an article that is
    not due (unpublished, or moved to a later time: that time's task does it); safe to run twice."""
    article = db.session.get(Article, article_id)
    if article is None or not article.is_published:
        return
    related.forget(article)  # no-op unless indexed already (a second run)
    _went_public(article)
    article.updated_at = utcnow()
    db.session.commit()


def unpublish_article(article: Article) -> Article:
    """Take an article off the public site (or out of the schedule): out of search and every automatic Keep
    Reading."""
    if article.status is not ArticleStatus.PUBLISHED:
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
