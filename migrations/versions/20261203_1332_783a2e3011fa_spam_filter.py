"""spam_features, comments.spam_learned/spam_score/spam_reason, the spam filter's settings

The learning spam filter (issue 22) keeps counts of features per class (spam_features: no comment text), marks
each comment with what it taught the filter (comments.spam_learned) and with its score, and adds its thresholds
and the "publish likely-good comments" switch (off) to site_settings.

Revision ID: 783a2e3011fa
Revises: 7c2e4b9d1a05
Create Date: 2026-12-03 13:32:25.145437

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "783a2e3011fa"
down_revision = "7c2e4b9d1a05"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spam_features",
        sa.Column("feature", sa.String(length=64), nullable=False),
        sa.Column("spam", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ham", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("feature", name=op.f("pk_spam_features")),
    )
    # Not in batch mode: SQLite adds (and drops, since 3.35) these in place, without copying the table.
    op.add_column("comments", sa.Column("spam_learned", sa.String(length=4), nullable=True))
    op.add_column("comments", sa.Column("spam_score", sa.Float(), nullable=True))
    op.add_column("comments", sa.Column("spam_reason", sa.String(length=200), server_default="", nullable=False))

    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spam_threshold", sa.Integer(), server_default="90", nullable=False))
        batch_op.add_column(sa.Column("ham_threshold", sa.Integer(), server_default="20", nullable=False))
        batch_op.add_column(sa.Column("publish_likely_good", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.drop_column("publish_likely_good")
        batch_op.drop_column("ham_threshold")
        batch_op.drop_column("spam_threshold")

    op.drop_column("comments", "spam_reason")
    op.drop_column("comments", "spam_score")
    op.drop_column("comments", "spam_learned")

    op.drop_table("spam_features")
