"""articles: word_count, counted when the text is saved

The article page shows a reading time; counting the words of the Markdown on every view was a
split of the whole text per request (and the text read only for that). Existing articles are
counted here, in batches; from now on the model counts them whenever ``body_markdown`` is set.

Revision ID: 35deeca07e6c
Revises: 5c1e0a7d9b42
Create Date: 2026-11-29 05:45:01.810227

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "35deeca07e6c"
down_revision = "5c1e0a7d9b42"
branch_labels = None
depends_on = None

BATCH = 1000
articles = sa.table(
    "articles", sa.column("id", sa.Integer), sa.column("body_markdown", sa.Text), sa.column("word_count", sa.Integer)
)


def upgrade():
    op.add_column("articles", sa.Column("word_count", sa.Integer(), server_default="0", nullable=False))

    conn = op.get_bind()
    count = (
        articles.update().where(articles.c.id == sa.bindparam("article_id")).values(word_count=sa.bindparam("words"))
    )
    last = 0
    while rows := conn.execute(
        sa.select(articles.c.id, articles.c.body_markdown)
        .where(articles.c.id > last)
        .order_by(articles.c.id)
        .limit(BATCH)
    ).all():
        # blog.core.text.word_count, written out: a migration does not import the app
        conn.execute(count, [{"article_id": r.id, "words": len((r.body_markdown or "").split())} for r in rows])
        last = rows[-1].id


def downgrade():
    # Not in batch mode: on SQLite that copies the table, and the copy would lose ix_articles_lower_title
    # (an expression index, which Alembic cannot reflect). SQLite drops a column itself since 3.35.
    op.drop_column("articles", "word_count")
