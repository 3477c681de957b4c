"""Loading the demo content (``blog/demo/content.py``) — idempotent: a second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from blog.demo import content
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, User
from blog.services import authoring, comments, related, search, site, users


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=lambda: {"users": 0, "articles": 0, "comments": 0})

    def __str__(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.created.items())


def load_demo(*, password: str | None = None) -> DemoReport:
    """Create what is missing of the demo site; leave what exists alone. Flushes; the caller commits."""
    report = DemoReport()
    settings = site.ensure_settings()
    if not settings.site_title:
        settings.site_title = content.SITE["title"]
        settings.site_tagline = content.SITE["tagline"]

    authors: dict[str, User] = {}
    for person in content.AUTHORS:
        user = db.session.scalar(sa.select(User).where(User.email == person["email"]))
        if user is None:
            user = users.create_user(
                email=person["email"],
                name=person["display_name"],
                role=person["role"],
                password=password,
                bio=person["bio"],
                website=person["website"],
            )
            report.created["users"] += 1
        authors[person["slug"]] = user

    tag_names = {t["slug"]: t["name"] for t in content.TAGS}
    existing = set(db.session.scalars(sa.select(Article.slug)))
    new_articles: dict[str, Article] = {}
    for spec in content.ARTICLES:
        if spec["slug"] in existing:
            continue
        published_at = spec["published_at"] if spec["status"] == "published" else None
        new_articles[spec["slug"]] = authoring.create_article(
            author=authors[spec["author"]],
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            body=spec["body"],
            tags=authoring.get_or_create_tags((slug, tag_names[slug]) for slug in spec["tags"]),
            published_at=datetime.fromisoformat(published_at) if published_at else None,
            comments_open=spec["comments_open"],
            index=False,  # indexed all at once below
        )
        report.created["articles"] += 1

    by_slug = {a.slug: a for a in db.session.scalars(sa.select(Article))}
    for spec in content.ARTICLES:
        article = new_articles.get(spec["slug"])
        if article is None:
            continue  # existed before this run: its links and comments are already there
        for link in spec["keep_reading"]:
            if "article" in link:
                authoring.add_curated_link(article, target=by_slug[link["article"]])
            else:
                authoring.add_curated_link(article, url=link["url"], title=link["title"])
        if article.published_at is None:
            continue
        stored: list[Comment] = []
        for c in spec["comments"]:
            stored.append(
                comments.record_comment(
                    article,
                    name=c["name"],
                    email=c["email"],
                    website=c["website"],
                    body=c["body"],
                    parent=None if c["reply_to"] is None else stored[c["reply_to"]],
                    status=CommentStatus.APPROVED,
                    created_at=article.published_at + timedelta(minutes=c["minutes_after"]),
                )
            )
            report.created["comments"] += 1
    if report.created["articles"]:  # search and Keep Reading, over the whole site at once
        search.rebuild()
        related.rebuild_index()
        related.refresh_all_picks()
    return report
