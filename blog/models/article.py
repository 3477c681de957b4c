from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from blog.core.placement import source_without_marker
from blog.core.text import word_count
from blog.extensions import Model, db
from blog.orm import enum_column_type, utcnow

if TYPE_CHECKING:
    from blog.models.comment import Comment
    from blog.models.media import Media
    from blog.models.user import User


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"  # submitted by its author; an editor publishes it or sends it back with a note
    PUBLISHED = "published"  # readers see it once published_at has come (services.articles.published)


article_tags = sa.Table(
    "article_tags",
    db.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # A tag's articles in id order, from the index alone: tag pages, and Keep Reading's
    # "filed just before and after under the same tag" candidates.
    sa.Index("ix_article_tags_tag_id_article_id", "tag_id", "article_id"),
)


class Article(Model):
    __tablename__ = "articles"
    __table_args__ = (
        # Home page and feeds: newest published first.
        sa.Index("ix_articles_status_published_at", "status", "published_at"),
        # Author page: one author's newest published first.
        sa.Index("ix_articles_author_id_status_published_at", "author_id", "status", "published_at"),
        # Search: an article whose title is the query, whatever the case, goes first.
        sa.Index("ix_articles_lower_title", sa.text("lower(title)")),
        sa.Index("ix_articles_wp_guid", "wp_guid", unique=True),  # imported: matched by it on a second run
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised at write time
    word_count: Mapped[int] = mapped_column(default=0, server_default="0")  # of body_markdown, kept with it
    status: Mapped[ArticleStatus] = mapped_column(enum_column_type(ArticleStatus), default=ArticleStatus.DRAFT)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    comments_open: Mapped[bool] = mapped_column(default=True)
    comment_count: Mapped[int] = mapped_column(default=0)  # approved comments only
    review_note: Mapped[str | None] = mapped_column(sa.Text)  # an editor's, when sending it back to its author
    # Newsroom details: the section label (one of its tags; None: the alphabetically first tag), and when its
    # text (title, summary, body) last changed after publishing ("Updated …"; updated_at also moves on comments).
    section_tag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tags.id", ondelete="SET NULL"), index=True)
    content_updated_at: Mapped[datetime | None]
    # correction notes (article_corrections): the page reads them only when there are some (its query budget)
    correction_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Pictures: the lead image shown at the top, from the media library (alt text, caption, credit are there).
    lead_media_id: Mapped[int | None] = mapped_column(sa.ForeignKey("media.id", ondelete="SET NULL"))
    lead_media: Mapped[Media | None] = relationship(lazy="raise")  # lists load it with the page's articles
    # Imported from WordPress (services.wxr_import): its GUID matches it on a second run (nothing added twice),
    # its post id is kept for the record. None: written here.
    wp_guid: Mapped[str | None] = mapped_column(sa.String(500))
    wp_post_id: Mapped[int | None]
    # Keep Reading (the box inside the body): shown at all, and filled up from the section's latest articles
    # when fewer related ones pass the relevance floor. Editors turn either off per article.
    keep_reading_shown: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    keep_reading_fill: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    author: Mapped[User] = relationship(back_populates="articles", lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=article_tags, back_populates="articles", order_by="Tag.name", lazy="raise"
    )
    section_tag: Mapped[Tag | None] = relationship(foreign_keys=[section_tag_id], lazy="raise")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="article", order_by="Comment.created_at, Comment.id", lazy="raise", passive_deletes=True
    )
    related_links: Mapped[list[RelatedLink]] = relationship(
        back_populates="article",
        foreign_keys="RelatedLink.article_id",
        order_by="RelatedLink.kind, RelatedLink.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    @property
    def is_published(self) -> bool:
        """Readers see it now: published, and its publication time has come."""
        return (
            self.status is ArticleStatus.PUBLISHED and self.published_at is not None and self.published_at <= utcnow()
        )

    @property
    def is_scheduled(self) -> bool:
        """Published for a time still to come: hidden until then."""
        return self.status is ArticleStatus.PUBLISHED and self.published_at is not None and self.published_at > utcnow()

    @property
    def section(self) -> Tag | None:
        """The label above the headline (needs ``tags`` loaded): the chosen tag, or else the first."""
        return next((t for t in self.tags if t.id == self.section_tag_id), self.tags[0] if self.tags else None)

    @validates("body_markdown")
    def _count_words(self, key: str, body: str) -> str:
        """The reading time's word count, counted once when the text changes rather than on every view."""
        self.word_count = word_count(source_without_marker(body or ""))  # the [keep-reading] line is no word
        return body

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.slug} {self.status}>"


class ArticleRevision(Model):
    """An article's text as it was before a save replaced it: who replaced it, when (``services.revisions``)."""

    __tablename__ = "article_revisions"
    __table_args__ = (sa.Index("ix_article_revisions_article_id_id", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")

    replaced_by: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<ArticleRevision {self.id} of article {self.article_id}>"


class Tag(Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)

    articles: Mapped[list[Article]] = relationship(secondary=article_tags, back_populates="tags", lazy="raise")

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class ArticleCorrection(Model):
    """A dated correction note an editor adds; shown at the end of the article."""

    __tablename__ = "article_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)  # Markdown, as the editor wrote it
    text_html: Mapped[str] = mapped_column(sa.Text)  # sanitised at write time
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    def __repr__(self) -> str:
        return f"<ArticleCorrection {self.id} of {self.article_id}>"


class Redirect(Model):
    """An old address that answers 301 to an article's current one (slug changes, imported permalinks).

    Always points at the article, never at another path: no chains, whatever the article's slug is now.
    """

    __tablename__ = "redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_path: Mapped[str] = mapped_column(sa.String(500), unique=True)  # e.g. /articles/old-slug
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Redirect {self.old_path} -> {self.article_id}>"


class RelatedKind(enum.StrEnum):
    CURATED = "curated"  # chosen and ordered by an editor; shown first
    AUTO = "auto"  # precomputed by the related-articles scorer
    FILL = "fill"  # the section's latest articles, when fewer automatic picks pass the floor (shown marked)


class RelatedLink(Model):
    """One "Keep Reading" entry: another article of ours, or an external URL with a title."""

    __tablename__ = "related_links"
    __table_args__ = (
        sa.Index("ix_related_links_article_id_kind_position", "article_id", "kind", "position"),
        sa.CheckConstraint("(target_article_id IS NULL) <> (url IS NULL)", name="target_xor_url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[RelatedKind] = mapped_column(enum_column_type(RelatedKind), default=RelatedKind.CURATED)
    position: Mapped[int] = mapped_column(default=0)
    target_article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(sa.String(500))
    title: Mapped[str | None] = mapped_column(sa.String(200))  # external links only
    score: Mapped[float | None]  # auto links: the scorer's value, for inspection
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="related_links", foreign_keys=[article_id], lazy="raise")
    target: Mapped[Article | None] = relationship(foreign_keys=[target_article_id], lazy="raise")

    def __repr__(self) -> str:
        return f"<RelatedLink {self.id} {self.kind} #{self.position}>"
