"""articles.keep_reading_shown and keep_reading_fill: Keep Reading turned off, or its section fill, per article

The box now sits inside the article's body; an editor may turn it off for one article, or turn off the fill
from the section's latest articles (related_links rows of the new kind "fill": a VARCHAR, no schema change).

Revision ID: 7c2e4b9d1a05
Revises: 037defe29723
Create Date: 2026-12-03 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c2e4b9d1a05"
down_revision = "037defe29723"
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: plain ADD/DROP COLUMN works on both engines (SQLite drops a column itself since 3.35),
    # and batch mode would rebuild the table and lose its expression index.
    op.add_column("articles", sa.Column("keep_reading_shown", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("articles", sa.Column("keep_reading_fill", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    op.execute("DELETE FROM related_links WHERE kind = 'fill'")
    op.drop_column("articles", "keep_reading_fill")
    op.drop_column("articles", "keep_reading_shown")
