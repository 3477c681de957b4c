"""comment_revisions, comments.edited_at, site_settings.edit_window_minutes: the commenter's edit window

A commenter may edit or delete their comment for a few minutes from the browser that sent it. Every earlier
text is kept for editors in a new table (the desk's own edits will add to it too); the comment says when it
was last edited. Nothing to backfill: no comment has been edited yet, and the window starts at 10 minutes.

Revision ID: d192e602a595
Revises: 66b4eb947b1c
Create Date: 2026-12-02 18:44:09.473708

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d192e602a595"
down_revision = "66b4eb947b1c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_revisions_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["users.id"], name=op.f("fk_comment_revisions_editor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
    )
    op.create_index(op.f("ix_comment_revisions_comment_id"), "comment_revisions", ["comment_id"], unique=False)
    op.create_index(op.f("ix_comment_revisions_editor_id"), "comment_revisions", ["editor_id"], unique=False)
    op.add_column("comments", sa.Column("edited_at", sa.DateTime(), nullable=True))
    op.add_column("site_settings", sa.Column("edit_window_minutes", sa.Integer(), server_default="10", nullable=False))


def downgrade():
    # Not in batch mode: on SQLite that copies the table (SQLite drops a column itself since 3.35).
    op.drop_column("site_settings", "edit_window_minutes")
    op.drop_column("comments", "edited_at")
    op.drop_index(op.f("ix_comment_revisions_editor_id"), table_name="comment_revisions")
    op.drop_index(op.f("ix_comment_revisions_comment_id"), table_name="comment_revisions")
    op.drop_table("comment_revisions")
