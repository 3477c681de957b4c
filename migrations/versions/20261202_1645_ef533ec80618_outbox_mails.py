"""outbox_mails: every mail is a row, written with the change that causes it and sent by the job queue

Held-comment mail to editors was sent over SMTP inside the request, after the commit: a slow or absent mail
server held the reader's request, and a failure lost the mail. A new table, nothing to backfill.

Revision ID: ef533ec80618
Revises: 70257701663f
Create Date: 2026-12-02 16:45:15.184931

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ef533ec80618"
down_revision = "70257701663f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_mails_message_id")),
    )
    op.create_index(
        "ix_outbox_mails_sent_at_failed_at_next_attempt_at",
        "outbox_mails",
        ["sent_at", "failed_at", "next_attempt_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_outbox_mails_sent_at_failed_at_next_attempt_at", table_name="outbox_mails")
    op.drop_table("outbox_mails")
