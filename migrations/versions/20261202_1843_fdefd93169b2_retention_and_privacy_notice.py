"""retention settings, comments.status_changed_at, and the privacy notice's text

Retention (issue 20) drops IP hashes and user agents after ``keep_ip_days`` and deletes spam and trash after
``purge_spam_days`` / ``purge_trash_days``, counted from when the comment entered that status: the new
``comments.status_changed_at`` (None: the status it arrived with, so ``created_at`` counts). Comments already
in spam or trash get it from their latest moderation event into that status, so the purge does not take them
earlier than an editor would expect. The existing settings row gets the safe defaults (30 days each).

Revision ID: fdefd93169b2
Revises: b7d41c2e9a05
Create Date: 2026-12-02 18:43:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fdefd93169b2"
down_revision = "b7d41c2e9a05"
branch_labels = None
depends_on = None

comments = sa.table(
    "comments", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("status_changed_at", sa.DateTime)
)
events = sa.table(
    "moderation_events",
    sa.column("comment_id", sa.Integer),
    sa.column("to_status", sa.String),
    sa.column("created_at", sa.DateTime),
)
settings = sa.table(
    "site_settings", sa.column("purge_spam_days", sa.Integer), sa.column("purge_trash_days", sa.Integer)
)


def upgrade():
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keep_ip_days", sa.Integer(), server_default="30", nullable=False))
        batch_op.add_column(sa.Column("purge_spam_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("purge_trash_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("privacy_notice_markdown", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("privacy_notice_html", sa.Text(), server_default="", nullable=False))
    op.execute(settings.update().values(purge_spam_days=30, purge_trash_days=30))

    # Not in batch mode: on SQLite that would copy the comments table; SQLite adds a nullable column itself.
    op.add_column("comments", sa.Column("status_changed_at", sa.DateTime(), nullable=True))
    latest = (
        sa.select(sa.func.max(events.c.created_at))
        .where(events.c.comment_id == comments.c.id, events.c.to_status == comments.c.status)
        .scalar_subquery()
    )
    op.execute(comments.update().where(comments.c.status.in_(["spam", "trash"])).values(status_changed_at=latest))


def downgrade():
    op.drop_column("comments", "status_changed_at")
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice_html")
        batch_op.drop_column("privacy_notice_markdown")
        batch_op.drop_column("purge_trash_days")
        batch_op.drop_column("purge_spam_days")
        batch_op.drop_column("keep_ip_days")
