"""article_revisions (an article's earlier texts) and articles.review_note (an editor's note sending it back)

The new article status "review" needs no change: articles.status is a VARCHAR(16) without a CHECK constraint.

Revision ID: 1fbd8ad03b5d
Revises: f1173a8efc94
Create Date: 2026-12-03 07:16:24.228053

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1fbd8ad03b5d"
down_revision = "f1173a8efc94"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_revisions_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["users.id"],
            name=op.f("fk_article_revisions_replaced_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
    )
    op.create_index("ix_article_revisions_article_id_id", "article_revisions", ["article_id", "id"], unique=False)

    # Not in batch mode: on SQLite that copies the table, and the copy would lose ix_articles_lower_title (an
    # expression index, which Alembic cannot reflect). A nullable column is added in place on both databases.
    op.add_column("articles", sa.Column("review_note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("articles", "review_note")  # SQLite drops a column itself since 3.35

    op.drop_index("ix_article_revisions_article_id_id", table_name="article_revisions")
    op.drop_table("article_revisions")
