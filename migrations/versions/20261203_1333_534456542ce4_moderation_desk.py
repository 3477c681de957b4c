"""The moderation desk (issue 22): moderation_events.comment_number, actor_label and snapshot, an audit trail
that survives a comment's deletion and names a command's user; users.keyboard_shortcuts (the desk's single-key
shortcuts, off unless turned on); comment_revisions.author_name and author_website (an editor's edit of them).

comment_number is the comment's id without a foreign key (comment_id becomes NULL when the comment is deleted
for good); existing events get it from comment_id, in batches.

Revision ID: 534456542ce4
Revises: dcfb19890530
Create Date: 2026-12-03 13:33:18.281613

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "534456542ce4"
down_revision = "dcfb19890530"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    # Not in batch mode: on SQLite that copies the table, reflecting the tables it refers to, and articles has an
    # expression index Alembic cannot reflect. Columns that are nullable or have a default are added in place.
    op.add_column("moderation_events", sa.Column("comment_number", sa.Integer(), nullable=True))
    op.add_column(
        "moderation_events", sa.Column("actor_label", sa.String(length=120), server_default="", nullable=False)
    )
    op.add_column("moderation_events", sa.Column("snapshot", sa.JSON(), nullable=True))
    op.create_index("ix_moderation_events_comment_number", "moderation_events", ["comment_number"], unique=False)
    op.add_column("users", sa.Column("keyboard_shortcuts", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("comment_revisions", sa.Column("author_name", sa.String(length=80), nullable=True))
    op.add_column("comment_revisions", sa.Column("author_website", sa.String(length=200), nullable=True))

    events = sa.table(
        "moderation_events",
        sa.column("id", sa.Integer),
        sa.column("comment_id", sa.Integer),
        sa.column("comment_number", sa.Integer),
    )
    conn = op.get_bind()
    last = 0
    while True:
        upper = conn.scalar(
            sa.select(sa.func.max(events.c.id)).where(
                events.c.id.in_(sa.select(events.c.id).where(events.c.id > last).order_by(events.c.id).limit(BATCH))
            )
        )
        if upper is None:
            break
        conn.execute(
            events.update()
            .where(events.c.id > last, events.c.id <= upper, events.c.comment_id.is_not(None))
            .values(comment_number=events.c.comment_id)
        )
        last = upper


def downgrade():
    op.drop_column("comment_revisions", "author_website")
    op.drop_column("comment_revisions", "author_name")
    op.drop_column("users", "keyboard_shortcuts")
    op.drop_index("ix_moderation_events_comment_number", table_name="moderation_events")
    for column in ("snapshot", "actor_label", "comment_number"):  # SQLite drops a column itself since 3.35
        op.drop_column("moderation_events", column)
