from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine.default import DefaultExecutionContext

    from blog.models.article import Article
    from blog.models.user import User


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (
        # The article page: one article's approved comments, oldest first.
        sa.Index("ix_comments_article_id_status_created_at", "article_id", "status", "created_at"),
        # The moderation desk: one status, newest first.
        sa.Index("ix_comments_status_created_at", "status", "created_at"),
        # A new comment's checks (services.comments._history): the same text already on this article from
        # this address, and an approved comment from this address before. Two columns each, so that SQLite
        # without statistics still prefers them to the article and status indexes (which grow with the site).
        sa.Index("ix_comments_author_email_article_id", "author_email", "article_id"),
        sa.Index("ix_comments_author_email_status", "author_email", "status"),
        # Imported from WordPress: a comment's id there, unique within its article, matches it on a second run,
        # and replies find their parent through it (services.wxr_import) rather than through a map in memory.
        # Partial: only imported rows are in it, so the planner never takes it for a new comment's checks.
        sa.Index(
            "ix_comments_article_id_wp_id",
            "article_id",
            "wp_id",
            unique=True,
            postgresql_where=sa.text("wp_id IS NOT NULL"),
            sqlite_where=sa.text("wp_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    depth: Mapped[int] = mapped_column(default=0)  # 0 for a top-level comment
    status: Mapped[CommentStatus] = mapped_column(enum_column_type(CommentStatus), default=CommentStatus.PENDING)
    author_name: Mapped[str] = mapped_column(sa.String(80))
    author_email: Mapped[str] = mapped_column(sa.String(254))  # PRIVATE: moderation only
    author_website: Mapped[str] = mapped_column(sa.String(200), default="")
    # privacy.avatar_colour(HASH_KEY, email), set when the comment is written: the public thread never reads
    # the email column
    avatar_colour: Mapped[int] = mapped_column(sa.SmallInteger, server_default=sa.text("0"))
    body_text: Mapped[str] = mapped_column(sa.Text)  # raw input, kept for re-rendering
    body_html: Mapped[str] = mapped_column(sa.Text)  # sanitised at write time
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When an editor last changed the status (services.moderation.moderate); None: it is the status the
    # comment arrived with. Retention counts a spam or trash comment's days from here (core.retention).
    status_changed_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]  # the last change to the text after it was posted (CommentRevision)
    ip_hash: Mapped[str] = mapped_column(sa.String(64), default="")  # keyed hash, never the raw IP
    # privacy.network_key: the keyed hash of the IP's /24 or /64 (a ban's network); dropped with ip_hash
    network_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    # privacy.person_key of author_email: the commenter view's address (/moderation/commenters/<key>)
    author_key: Mapped[str] = mapped_column(sa.String(64), default="", server_default="", index=True)
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    moderation_reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    wp_id: Mapped[int | None]  # imported: WordPress's comment id (None: written here)
    wp_parent_id: Mapped[int | None]  # imported: WordPress's id of the comment it replies to, until parent_id is set
    # what the spam filter learned from this comment ("spam" or "ham", None: nothing), so that an editor who
    # changes their mind moves the counts rather than adding to both sides
    spam_learned: Mapped[str | None] = mapped_column(sa.String(4))
    # the spam filter's score when the comment arrived (or was last edited) and the words that weighed most,
    # as the desk shows them ("spam score 0.97: casino, free spins"); None/"": not scored (staff, older comments)
    spam_score: Mapped[float | None] = mapped_column(sa.Float)
    spam_reason: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

    article: Mapped[Article] = relationship(back_populates="comments", lazy="raise")
    parent: Mapped[Comment | None] = relationship(remote_side=[id], lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")
    events: Mapped[list[ModerationEvent]] = relationship(
        back_populates="comment", order_by="ModerationEvent.created_at", lazy="raise", passive_deletes=True
    )
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", order_by="CommentRevision.edited_at", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:  # never the email in reprs or logs
        return f"<Comment {self.id} {self.status}>"


def _comment_number(context: DefaultExecutionContext) -> int | None:
    return context.get_current_parameters().get("comment_id")


class ModerationEvent(Model):
    """Audit trail: who moved which comment from which status to which, and when."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The comment while it exists; NULL once it is deleted for good (comment_number keeps which it was).
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    # The comment's number, kept after it is deleted (no foreign key): set from comment_id on insert.
    comment_number: Mapped[int | None] = mapped_column(default=_comment_number, index=True)
    actor_id: Mapped[int | None] = mapped_column(  # None: the system (a rule), the commenter, or a command
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who acted when no signed-in user did: "command line (<os user>)" for a command; "" otherwise.
    actor_label: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[CommentStatus | None] = mapped_column(enum_column_type(CommentStatus))
    to_status: Mapped[CommentStatus | None] = mapped_column(enum_column_type(CommentStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A deletion's record of what was deleted: status, article, keyed hashes only (core.audit.snapshot).
    snapshot: Mapped[dict[str, str | int] | None] = mapped_column(sa.JSON)

    comment: Mapped[Comment | None] = relationship(back_populates="events", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<ModerationEvent {self.id} {self.action} {self.from_status}->{self.to_status}>"


class CommentRevision(Model):
    """A comment's text as it was before one change: who changed it (the commenter, within their edit window,
    or a staff user on the desk), and when. Editors read them; they go with the comment when it is deleted."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body_text: Mapped[str] = mapped_column(sa.Text)  # the text before this change
    # The name and website before this change, when it changed them (an editor's edit on the desk); else None.
    author_name: Mapped[str | None] = mapped_column(sa.String(80))
    author_website: Mapped[str | None] = mapped_column(sa.String(200))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(  # None: the commenter
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    comment: Mapped[Comment] = relationship(back_populates="revisions", lazy="raise")
    editor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<CommentRevision {self.id} of comment {self.comment_id}>"
