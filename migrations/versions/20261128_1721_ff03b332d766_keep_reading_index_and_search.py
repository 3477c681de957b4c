"""Keep Reading index (article signatures, term counts, tag/article index) and full-text search

Revision ID: ff03b332d766
Revises: 5cc876b0aeca
Create Date: 2026-11-28 17:21:54.272137

The search table is dialect-specific and not a model: an FTS5 virtual table on SQLite, a tsvector
table with a GIN index on PostgreSQL. It is filled here from the published articles; the Keep
Reading index needs the application's tokenizer, so after upgrading run
``flask --app blog blog reindex-related``.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ff03b332d766"
down_revision = "5cc876b0aeca"
branch_labels = None
depends_on = None

PUBLISHED = "a.status = 'published' AND a.published_at IS NOT NULL"
TAG_NAMES = "(SELECT {agg} FROM article_tags AS at JOIN tags AS t ON t.id = at.tag_id WHERE at.article_id = a.id)"


def upgrade():
    op.create_table(
        "related_term_counts",
        sa.Column("term", sa.String(length=48), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_related_term_counts")),
    )
    op.create_table(
        "related_terms",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=48), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_related_terms_article_id_articles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "term", name=op.f("pk_related_terms")),
    )
    with op.batch_alter_table("related_terms", schema=None) as batch_op:
        batch_op.create_index("ix_related_terms_term_weight_article_id", ["term", "weight", "article_id"], unique=False)

    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_article_tags_tag_id")
        batch_op.create_index("ix_article_tags_tag_id_article_id", ["tag_id", "article_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE search_articles ("
            "article_id INTEGER NOT NULL CONSTRAINT pk_search_articles PRIMARY KEY "
            "CONSTRAINT fk_search_articles_article_id_articles REFERENCES articles (id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_articles_document ON search_articles USING GIN (document)")
        tags = TAG_NAMES.format(agg="string_agg(t.name, ' ')")
        op.execute(
            "INSERT INTO search_articles (article_id, document) SELECT a.id, "
            "setweight(to_tsvector('english', a.title), 'A') || "
            "setweight(to_tsvector('english', a.summary), 'B') || "
            f"setweight(to_tsvector('english', coalesce({tags}, '')), 'B') || "
            "setweight(to_tsvector('english', u.display_name), 'B') || "
            "setweight(to_tsvector('english', a.body_markdown), 'D') "
            f"FROM articles AS a JOIN users AS u ON u.id = a.author_id WHERE {PUBLISHED}"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_articles USING fts5("
            "title, summary, body, tags, author, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        tags = TAG_NAMES.format(agg="group_concat(t.name, ' ')")
        op.execute(
            "INSERT INTO search_articles (rowid, title, summary, body, tags, author) "
            f"SELECT a.id, a.title, a.summary, a.body_markdown, coalesce({tags}, ''), u.display_name "
            f"FROM articles AS a JOIN users AS u ON u.id = a.author_id WHERE {PUBLISHED}"
        )


def downgrade():
    op.execute("DROP TABLE search_articles")
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_article_tags_tag_id_article_id")
        batch_op.create_index("ix_article_tags_tag_id", ["tag_id"], unique=False)
    with op.batch_alter_table("related_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_related_terms_term_weight_article_id")

    op.drop_table("related_terms")
    op.drop_table("related_term_counts")
