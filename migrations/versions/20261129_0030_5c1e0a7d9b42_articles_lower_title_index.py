"""articles: index on lower(title)

Search puts the article whose title is the query (whatever the case) first; with a word found in
thousands of articles that must be one index lookup, not a look at each match's title.

Written by hand: autogenerate cannot compare expression indexes on SQLite (it skips them with a
warning); on PostgreSQL it compares this one with the model's.

Revision ID: 5c1e0a7d9b42
Revises: 7e72832ee587
Create Date: 2026-11-29 00:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1e0a7d9b42"
down_revision = "7e72832ee587"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_articles_lower_title", "articles", [sa.text("lower(title)")], unique=False)


def downgrade():
    op.drop_index("ix_articles_lower_title", table_name="articles")
