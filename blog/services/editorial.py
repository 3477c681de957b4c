"""Editorial operations on top of ``services.authoring``: the article form, curated links, settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blog import links
from blog.core import related as core_related
from blog.core import sanitize
from blog.core.text import slugify
from blog.extensions import db
from blog.models import (
    Article,
    ArticleCorrection,
    ArticleStatus,
    Comment,
    CommentStatus,
    RelatedKind,
    RelatedLink,
    Role,
    SettingsChange,
    SiteSettings,
    Tag,
    User,
    article_tags,
)
from blog.services import articles, authoring, media, outbox_mail, redirects, related, revisions
from blog.services.site import ensure_settings


class EditorialError(ValueError):
    """A change that cannot be made; ``field`` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(PermissionError):
    """The signed-in person may not do this to this article (an author and another's article, or an editor's
    choice); the view answers 403 with the message."""


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    slug: str
    summary: str
    body: str
    tags: str  # comma-separated names
    author_id: int | None  # None: authors have no choice (their own name)
    comments_open: bool
    section: str = ""  # the name of one of its tags, shown above the headline; empty: the first tag


def parse_tags(text: str) -> list[tuple[str, str]]:
    """'Harbour, City Council' -> [('harbour', 'Harbour'), ('city-council', 'City Council')]; no duplicates."""
    pairs: dict[str, str] = {}
    for name in (part.strip() for part in text.split(",")):
        if name and (slug := slugify(name)):
            pairs.setdefault(slug, name[:80])
    return list(pairs.items())


def list_articles(*, q: str = "", author_id: int | None = None) -> list[Article]:
    """The newsroom's list (``author_id``: one author's own articles only)."""
    stmt = (
        sa.select(Article)
        .options(sa.orm.joinedload(Article.author), sa.orm.raiseload("*"))
        .order_by(Article.status, Article.published_at.desc().nulls_first(), Article.updated_at.desc())
    )
    if author_id is not None:
        stmt = stmt.where(Article.author_id == author_id)
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


def _tags_and_section(draft: ArticleDraft) -> tuple[list[Tag], Tag | None]:
    """The draft's tags, and the one chosen as its section label (None: the first tag)."""
    pairs = parse_tags(draft.tags)
    tags = authoring.get_or_create_tags(pairs)
    wanted = slugify(draft.section) if draft.section.strip() else ""
    if not wanted:
        return tags, None
    section = next((t for t in tags if t.slug == wanted), None)
    if section is None:
        raise EditorialError(
            f"“{draft.section.strip()}” is not one of this article's tags. Choose one of them, or leave it empty.",
            "section",
        )
    return tags, section


def create_from_draft(draft: ArticleDraft, *, actor: User) -> Article:
    """A new draft: an editor names its author, an author's is their own."""
    slug = draft.slug or slugify(draft.title)
    if draft.slug:
        _check_slug(slug, own_id=None)
    author_id = draft.author_id if is_editor(actor) and draft.author_id is not None else actor.id
    tags, section = _tags_and_section(draft)
    return authoring.create_article(
        author=_author(author_id),
        title=draft.title,
        slug=slug or None,
        summary=draft.summary,
        body=draft.body,
        tags=tags,
        comments_open=draft.comments_open,
        section=section,
    )


def update_from_draft(article: Article, draft: ArticleDraft, *, actor: User, now: datetime) -> Article:
    """Save the form. Authors: their own draft or submitted article only, its byline and (once it has been
    published) its address stay as they are. The text it replaces is kept as a revision."""
    if not may_edit(actor, article):
        raise NotAllowed(_why_not(actor, article))
    slug = draft.slug or article.slug
    if slug != article.slug and not is_editor(actor) and article.published_at is not None:
        raise EditorialError("Only an editor can change the address of an article that has been published.", "slug")
    _check_slug(slug, own_id=article.id)
    tags, section = _tags_and_section(draft)
    old_slug, article.slug = article.slug, slug
    if is_editor(actor) and draft.author_id is not None:
        article.author_id = _author(draft.author_id).id
    revisions.keep(article, actor=actor, now=now, title=draft.title, summary=draft.summary, body=draft.body)
    updated = authoring.update_article(
        article,
        title=draft.title,
        summary=draft.summary,
        body=draft.body,
        tags=tags,
        comments_open=draft.comments_open,
        section=section,
        now=now,
    )
    redirects.slug_changed(article, old_slug)  # the old address keeps answering, with a 301
    return updated


def set_published(article: Article, publish: bool, *, actor: User, now: datetime, at: datetime | None = None) -> None:
    """Editors publish (now, or ``at`` a time to come: scheduled) and unpublish; authors never do."""
    if not is_editor(actor):
        raise NotAllowed("Only an editor can publish or unpublish an article. Submit it for review instead.")
    if not publish:
        authoring.unpublish_article(article)
        return
    if at is not None and article.is_scheduled and article.published_at != at:
        authoring.unpublish_article(article)  # a new time: the task queued for the old one will find it not due
    authoring.publish_article(article, published_at=at or article.published_at or now)


# --- Authors and review: who may do what to which article ------------------------------------------


def is_editor(user: User) -> bool:
    return user.role in (Role.EDITOR, Role.ADMIN)


def may_open(user: User, article: Article) -> bool:
    """Editors open every article; authors their own."""
    return is_editor(user) or article.author_id == user.id


def may_edit(user: User, article: Article) -> bool:
    """Editors change every article; authors their own while it is a draft or waiting for review (as WordPress
    lets them edit a pending post), not once it is published or scheduled."""
    return is_editor(user) or (
        article.author_id == user.id and article.status in (ArticleStatus.DRAFT, ArticleStatus.REVIEW)
    )


def _why_not(user: User, article: Article) -> str:
    if article.author_id != user.id:
        return "This is another author's article: you may open and edit only your own."
    return "This article is published: ask an editor to change it."


def article_for(user: User, article_id: int) -> Article | None:
    """The article, if ``user`` may open it (None when there is no such article; ``NotAllowed`` otherwise)."""
    article = get_article(article_id)
    if article is not None and not may_open(user, article):
        raise NotAllowed(_why_not(user, article))
    return article


def ready_for_review() -> list[Article]:
    """Articles their authors submitted, oldest submission first (by last change)."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.status == ArticleStatus.REVIEW)
            .options(sa.orm.joinedload(Article.author), sa.orm.raiseload("*"))
            .order_by(Article.updated_at, Article.id)
        )
    )


def submit_for_review(article: Article, *, actor: User) -> None:
    """An author hands a draft to the editors; the note of an earlier send-back has been answered."""
    if not may_edit(actor, article):
        raise NotAllowed(_why_not(actor, article))
    if article.status is not ArticleStatus.DRAFT:
        raise EditorialError("Only a draft can be submitted for review.")
    article.status = ArticleStatus.REVIEW
    article.review_note = None
    db.session.flush()


def send_back(article: Article, note: str, *, actor: User) -> None:
    """An editor returns a submitted article to its author as a draft, with a note shown on its page and mailed
    to the author (through the outbox: sent once this commits)."""
    if not is_editor(actor):
        raise NotAllowed("Only an editor can send an article back.")
    if article.status is not ArticleStatus.REVIEW:
        raise EditorialError("Only an article waiting for review can be sent back.")
    article.status = ArticleStatus.DRAFT
    article.review_note = note.strip()
    author = _author(article.author_id)
    db.session.flush()
    body = "\n".join(
        [
            f"{actor.display_name} sent your article “{article.title}” back to you with this note:",
            "",
            article.review_note,
            "",
            "Edit it and submit it for review again:",
            links.external_url("editorial.article", article_id=article.id),
        ]
    )
    outbox_mail.queue_mail([author.email], f"Your article was sent back: {article.title}", body)


def restore_revision(article: Article, revision_id: int, *, actor: User, now: datetime) -> None:
    """Give the article a revision's text again: one more save (the text it replaces becomes a revision)."""
    if not may_edit(actor, article):
        raise NotAllowed(_why_not(actor, article))
    revision = revisions.get(article.id, revision_id)
    if revision is None:
        raise EditorialError("This article has no such revision.")
    revisions.keep(
        article, actor=actor, now=now, title=revision.title, summary=revision.summary, body=revision.body_markdown
    )
    authoring.update_article(article, title=revision.title, summary=revision.summary, body=revision.body_markdown)


def pending_counts(article_ids: list[int]) -> dict[int, int]:
    """Comments waiting for moderation, per article (a count only: authors never see who wrote them)."""
    if not article_ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.article_id, sa.func.count())
        .where(Comment.article_id.in_(article_ids), Comment.status == CommentStatus.PENDING)
        .group_by(Comment.article_id)
    )
    return {article_id: count for article_id, count in rows}


# --- Corrections ---------------------------------------------------------------------------------


def add_correction(article: Article, text: str, *, editor: User, now: datetime) -> ArticleCorrection:
    """A dated correction note at the end of the article (Markdown, sanitised now); flushes."""
    correction = ArticleCorrection(
        article_id=article.id,
        text=text.strip(),
        text_html=sanitize.render_correction(text.strip()),
        created_at=now,
        editor_id=editor.id,
    )
    db.session.add(correction)
    article.correction_count = (article.correction_count or 0) + 1  # a change of the article: retires its page
    db.session.flush()
    return correction


def corrections_of(article_id: int) -> list[ArticleCorrection]:
    return list(
        db.session.scalars(
            sa.select(ArticleCorrection)
            .where(ArticleCorrection.article_id == article_id)
            .order_by(ArticleCorrection.created_at, ArticleCorrection.id)
        )
    )


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


@dataclass(frozen=True)
class Candidate:
    """A row of the curation page's automatic picks: an article the scorer looked at, its score in parts."""

    id: int
    title: str
    slug: str
    parts: core_related.Breakdown
    shared_tags: list[str]
    picked: bool  # one of the stored automatic picks
    curated: bool  # already a curated link


@dataclass(frozen=True)
class KeepReadingReport:
    candidates: list[Candidate]
    fill: list[tuple[int, str, str]]  # (id, title, slug) of the fill links stored
    floor: float
    size: int
    shown: bool
    fill_on: bool


EXPLAINED = 6  # candidates shown beyond the box's size: those that came close


def keep_reading_report(article: Article, *, size: int) -> KeepReadingReport:
    """What the editor sees of Keep Reading's automatic part: each pick and the best candidates that did not
    make it, with their scores in parts (shared tags, text, recency) and the floor, and the section fill."""
    parts = related.explain_picks(article.id, limit=size + EXPLAINED)
    ids = [p.id for p in parts]
    stored = db.session.execute(
        sa.select(RelatedLink.kind, RelatedLink.target_article_id)
        .where(RelatedLink.article_id == article.id)
        .order_by(RelatedLink.position)
    ).all()
    picked = {t for k, t in stored if k is RelatedKind.AUTO}
    curated = {t for k, t in stored if k is RelatedKind.CURATED}
    fill_ids = [t for k, t in stored if k is RelatedKind.FILL and t is not None]
    rows = {
        r.id: r
        for r in db.session.execute(
            sa.select(Article.id, Article.title, Article.slug).where(Article.id.in_(ids + fill_ids))
        )
    }
    own_tags = {t.id for t in _tags_of(article.id)}
    shared: dict[int, list[str]] = {}
    for article_id, name in db.session.execute(
        sa.select(article_tags.c.article_id, Tag.name)
        .join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(ids), article_tags.c.tag_id.in_(own_tags))
        .order_by(Tag.name)
    ):
        shared.setdefault(article_id, []).append(name)
    return KeepReadingReport(
        candidates=[
            Candidate(p.id, rows[p.id].title, rows[p.id].slug, p, shared.get(p.id, []), p.id in picked, p.id in curated)
            for p in parts
            if p.id in rows
        ],
        fill=[(i, rows[i].title, rows[i].slug) for i in fill_ids if i in rows],
        floor=core_related.WEIGHTS.min_relevance,
        size=size,
        shown=article.keep_reading_shown,
        fill_on=article.keep_reading_fill,
    )


def _tags_of(article_id: int) -> list[Tag]:
    return list(
        db.session.scalars(
            sa.select(Tag)
            .join(article_tags, article_tags.c.tag_id == Tag.id)
            .where(article_tags.c.article_id == article_id)
        )
    )


def set_keep_reading(article: Article, *, shown: bool, fill: bool) -> None:
    """The editor's switches: the box shown in this article at all; filled from the section when fewer related
    articles pass the floor. The stored links are recomputed when the fill changes."""
    refill = fill != article.keep_reading_fill
    article.keep_reading_shown = shown
    article.keep_reading_fill = fill
    db.session.flush()
    if refill and article.is_published:
        related.refresh_picks(article.id)


def find_link_targets(article: Article, q: str, *, limit: int = 10) -> list[Article]:
    """Published articles matching ``q`` in title or slug, other than ``article`` itself."""
    if not q:
        return []
    pattern = "%" + q.replace("%", "").replace("_", "") + "%"
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(
                articles.published(),  # not a scheduled one: readers could not follow the link yet
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
    "spam_threshold",  # the spam filter (blog/core/spamfilter.py)
    "ham_threshold",
    "publish_likely_good",
    "close_after_days",
    "thread_depth",
    "comments_per_page",
    "keep_ip_days",
    "purge_spam_days",
    "purge_trash_days",
    "privacy_notice_markdown",
    "edit_window_minutes",
    "unpublish_after_reports",  # readers' reports (services.commenters.report)
    "require_two_factor_admins",  # two-factor sign-in (blog/accounts/two_factor.py)
    "time_zone",
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
