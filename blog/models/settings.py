from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import Model
from blog.orm import utcnow

if TYPE_CHECKING:
    from blog.models.user import User

SETTINGS_ID = 1


class SiteSettings(Model):
    """The one row of settings editors and admins change at run time."""

    __tablename__ = "site_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ID)
    site_title: Mapped[str] = mapped_column(sa.String(120), default="")
    site_tagline: Mapped[str] = mapped_column(sa.String(200), default="")
    max_links: Mapped[int] = mapped_column(default=2)  # more links than this: hold
    hold_words: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    block_words: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    auto_approve_known: Mapped[bool] = mapped_column(default=True)
    # The spam filter (blog/core/spamfilter.py), in percent: a score at or above spam_threshold sends a comment to
    # Spam (a known commenter's is held); below ham_threshold, with no rule hit, it may be published at once
    # when publish_likely_good is on.
    spam_threshold: Mapped[int] = mapped_column(default=90, server_default="90")
    ham_threshold: Mapped[int] = mapped_column(default=20, server_default="20")
    publish_likely_good: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    close_after_days: Mapped[int | None]  # None: comments never close by age
    thread_depth: Mapped[int] = mapped_column(default=5)
    comments_per_page: Mapped[int] = mapped_column(default=50)
    # Retention (core.retention): days before a comment's IP hash and user agent are dropped, and before a
    # spam or trashed comment is deleted for good; None: never.
    keep_ip_days: Mapped[int] = mapped_column(default=30, server_default="30")
    purge_spam_days: Mapped[int | None] = mapped_column(default=30)
    purge_trash_days: Mapped[int | None] = mapped_column(default=30)
    # The admin's own words on the privacy page ("How we use your data"), around the facts the site generates.
    privacy_notice_markdown: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    privacy_notice_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised at write time
    # minutes a commenter may edit or delete their comment from the browser that sent it; 0: never
    edit_window_minutes: Mapped[int] = mapped_column(default=10, server_default="10")
    # Admins must sign in with a second factor (blog/accounts/two_factor.py): one without is sent to set it up.
    require_two_factor_admins: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # the IANA time zone every date on the site is shown in ("Europe/Paris"); stored dates stay UTC
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    # readers' reports (services.commenters): a published comment reported from this many distinct networks goes
    # back to pending for review, unless an editor approved it again after reports; 0: never by itself
    unpublish_after_reports: Mapped[int] = mapped_column(default=3, server_default="3")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return "<SiteSettings>"


class SettingsChange(Model):
    """The record of a settings change: who, when, and each field's old and new value."""

    __tablename__ = "settings_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changes: Mapped[dict[str, list]] = mapped_column(sa.JSON)  # {"max_links": [2, 0], …}

    actor: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<SettingsChange {self.id} {sorted(self.changes)}>"
