"""Importing content from a JSON export (the benchmark fixture's format): site, author, articles, comments.

The format: ``site`` {title, tagline}; ``author`` {login, display_name, email, url, bio};
``post`` and ``others`` [{slug, title, tags, date, paragraphs}]; ``comments`` [{author, email, url,
date, text}] on ``post``. Comments arrive approved (they were published where they came from);
their email addresses stay as private as any other commenter's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from blog.core import privacy, sanitize
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent, User
from blog.services import authoring, comments, site, users


class ExportFormatError(ValueError):
    """The export cannot be imported; the message says what is wrong."""


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"articles": 0, "comments": 0, "users": 0})

    def __str__(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.created.items())


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ExportFormatError(f"{text!r} is not a date and time (expected e.g. 2024-05-14 09:30:00)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def import_export(data: dict[str, Any], *, full_thread_copy: bool = True, preview_comments: int = 100) -> ImportReport:
    """Import what is missing (articles are matched by slug). Flushes; the caller commits.

    The main post gets its first ``preview_comments`` comments; with ``full_thread_copy`` a copy of
    it (slug ``<slug>-full-thread``) gets all of them — the large-thread benchmark page.
    """
    try:
        author_spec, post, others, thread = (
            data["author"],
            data["post"],
            data.get("others", []),
            data.get("comments", []),
        )
    except (KeyError, TypeError):
        raise ExportFormatError("the export needs at least 'author' and 'post'") from None
    report = ImportReport()
    settings = site.ensure_settings()
    if not settings.site_title and data.get("site"):
        settings.site_title = data["site"].get("title", "")[:120]
        settings.site_tagline = data["site"].get("tagline", "")[:200]

    author = db.session.scalar(sa.select(User).where(User.email == author_spec["email"].lower()))
    if author is None:
        author = users.create_user(
            email=author_spec["email"],
            name=author_spec["display_name"],
            role="author",
            password=None,
            bio=author_spec.get("bio", ""),
            website=author_spec.get("url", ""),
        )
        report.created["users"] += 1

    for spec in others:
        _article(spec, author, report)
    slugs = [spec["slug"] for spec in others]
    found = {a.slug: a for a in db.session.scalars(sa.select(Article).where(Article.slug.in_(slugs)))}
    targets = [found[slug] for slug in slugs if slug in found]  # the Keep Reading links, in the export's order
    main = _article(post, author, report)
    copies = [(main, thread[:preview_comments])]
    if full_thread_copy:
        copy = dict(post, slug=f"{post['slug']}-full-thread", title=f"{post['title']} (full thread)")
        copies.append((_article(copy, author, report), thread))
    for article, article_comments in copies:
        if article is None:
            continue  # existed already: leave its links and comments alone
        for target in targets:
            authoring.add_curated_link(article, target=target)
        report.created["comments"] += _comments(article, article_comments)
    return report


def _article(spec: dict[str, Any], author: User, report: ImportReport) -> Article | None:
    """A new published article for ``spec``, or None when its slug exists already."""
    if db.session.scalar(sa.select(Article.id).where(Article.slug == spec["slug"])) is not None:
        return None
    tags = spec.get("tags", [])
    if isinstance(tags, str):
        raise ExportFormatError(f"article {spec['slug']!r}: tags must be a list")
    article = authoring.create_article(
        author=author,
        title=spec["title"],
        slug=spec["slug"],
        body="\n\n".join(spec["paragraphs"]),
        summary=spec.get("summary") or spec["paragraphs"][0][:300],
        tags=authoring.get_or_create_tags((tag.replace(" ", "-"), tag.title()) for tag in tags),
        published_at=_when(spec["date"]),
    )
    report.created["articles"] += 1
    return article


def _comments(article: Article, thread: list[dict[str, Any]]) -> int:
    """Approved comments in bulk (one INSERT batch, one count refresh), each with an audit event."""
    rows = [
        Comment(
            article_id=article.id,
            status=CommentStatus.APPROVED,
            author_name=c["author"][:80],
            author_email=privacy.normalise_email(c["email"]),
            author_website=c.get("url") or "",
            avatar_colour=comments.avatar_colour(c["email"]),
            body_text=c["text"],
            body_html=sanitize.render_comment(c["text"]),
            created_at=_when(c["date"]),
            moderation_reasons=["imported"],
        )
        for c in thread
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(
        ModerationEvent(comment_id=r.id, action="imported", to_status=CommentStatus.APPROVED, created_at=r.created_at)
        for r in rows
    )
    comments.refresh_comment_count(article.id)
    return len(rows)
