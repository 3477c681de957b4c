"""Article revisions: every save that changes an article's text keeps the text it replaces (who replaced it,
when); a restore is one more save, so history is never rewritten. Who may do this is decided by
``services.editorial`` (authors: their own articles only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from blog.core import revisions as core
from blog.extensions import db
from blog.models import Article, ArticleRevision, User


@dataclass(frozen=True)
class Version:
    """A version of the text to compare: a revision, or the article as it is now (``revision_id`` None)."""

    revision_id: int | None
    title: str
    summary: str
    body: str

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "summary": self.summary, "body": self.body}


def keep(
    article: Article, *, actor: User, now: datetime, title: str, summary: str, body: str
) -> ArticleRevision | None:
    """Before ``article`` takes this text: keep the text it has, if the new one differs."""
    if (article.title, article.summary, article.body_markdown) == (title.strip(), summary.strip(), body):
        return None
    revision = ArticleRevision(
        article_id=article.id,
        replaced_by_id=actor.id,
        replaced_at=now,
        title=article.title,
        summary=article.summary,
        body_markdown=article.body_markdown,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def history(article_id: int) -> list[ArticleRevision]:
    """An article's revisions, newest first, with the name of who replaced each."""
    return list(
        db.session.scalars(
            sa.select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .options(sa.orm.joinedload(ArticleRevision.replaced_by).load_only(User.display_name, raiseload=True))
            .order_by(ArticleRevision.id.desc())
        )
    )


def get(article_id: int, revision_id: int) -> ArticleRevision | None:
    return db.session.scalar(
        sa.select(ArticleRevision).where(ArticleRevision.id == revision_id, ArticleRevision.article_id == article_id)
    )


def version(article: Article, revision_id: int | None) -> Version | None:
    """The article's text now (``revision_id`` None), or one of its revisions (None if it has no such one)."""
    if revision_id is None:
        return Version(None, article.title, article.summary, article.body_markdown)
    revision = get(article.id, revision_id)
    if revision is None:
        return None
    return Version(revision.id, revision.title, revision.summary, revision.body_markdown)


def compare(old: Version, new: Version) -> list[core.FieldDiff]:
    return core.diff_fields(old.fields(), new.fields())
