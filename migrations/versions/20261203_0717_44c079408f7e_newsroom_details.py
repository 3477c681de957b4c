"""articles.section_tag_id, content_updated_at and correction_count, article_corrections, redirects, site_settings.time_zone

Newsroom details. The section label becomes the editor's choice among the article's tags: backfilled with
today's rule (the alphabetically first tag), in batches, so no page changes. ``content_updated_at`` starts
empty: nobody knows which past changes were text and which were comments, so old articles show no "Updated".
``redirects`` maps old paths (a changed slug, later imported permalinks) to an article. The site's time zone
starts as UTC, what every date showed until now.

Revision ID: 44c079408f7e
Revises: 1fbd8ad03b5d
Create Date: 2026-12-03 07:17:16.310618

"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "44c079408f7e"
down_revision = "1fbd8ad03b5d"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.create_table(
        "article_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_corrections_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["users.id"], name=op.f("fk_article_corrections_editor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_corrections")),
    )
    op.create_index(op.f("ix_article_corrections_article_id"), "article_corrections", ["article_id"], unique=False)
    op.create_index(op.f("ix_article_corrections_editor_id"), "article_corrections", ["editor_id"], unique=False)
    op.create_table(
        "redirects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("old_path", sa.String(length=500), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_redirects_article_id_articles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirects")),
        sa.UniqueConstraint("old_path", name=op.f("uq_redirects_old_path")),
    )
    op.create_index(op.f("ix_redirects_article_id"), "redirects", ["article_id"], unique=False)
    with _articles_in_batch() as batch_op:
        batch_op.add_column(sa.Column("section_tag_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_section_tag_id_tags"), "tags", ["section_tag_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(op.f("ix_articles_section_tag_id"), "articles", ["section_tag_id"], unique=False)
    op.add_column("articles", sa.Column("content_updated_at", sa.DateTime(), nullable=True))
    op.add_column("articles", sa.Column("correction_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("site_settings", sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))
    _backfill_sections()


@contextmanager
def _articles_in_batch():
    """A foreign key on ``articles``: on SQLite, batch mode copies the table, and the copy loses
    ix_articles_lower_title (an expression index, which Alembic cannot reflect: it warns and skips it), so the
    index is made again afterwards. PostgreSQL alters the table in place."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with warnings.catch_warnings():
        if sqlite:
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("articles", schema=None) as batch_op:
            yield batch_op
    if sqlite:
        op.create_index("ix_articles_lower_title", "articles", [sa.text("lower(title)")], unique=False)


def _backfill_sections():
    """Each article's section: its alphabetically first tag (what the kicker showed), 1,000 articles at a time."""
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("section_tag_id", sa.Integer))
    tags = sa.table("tags", sa.column("id", sa.Integer), sa.column("name", sa.String))
    links = sa.table("article_tags", sa.column("article_id", sa.Integer), sa.column("tag_id", sa.Integer))
    first_tag = (
        sa.select(tags.c.id)
        .join(links, links.c.tag_id == tags.c.id)
        .where(links.c.article_id == articles.c.id)
        .order_by(tags.c.name, tags.c.id)
        .limit(1)
        .scalar_subquery()
    )
    bind = op.get_bind()
    last = bind.scalar(sa.select(sa.func.max(articles.c.id))) or 0
    for start in range(0, last, BATCH):
        bind.execute(
            articles.update()
            .where(articles.c.id > start, articles.c.id <= start + BATCH)
            .values(section_tag_id=first_tag)
        )


def downgrade():
    # Not in batch mode: SQLite drops a column itself since 3.35 (and batch mode would lose the expression index).
    op.drop_column("site_settings", "time_zone")
    op.drop_column("articles", "correction_count")
    op.drop_column("articles", "content_updated_at")
    op.drop_index(op.f("ix_articles_section_tag_id"), table_name="articles")
    with _articles_in_batch() as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_articles_section_tag_id_tags"), type_="foreignkey")
        batch_op.drop_column("section_tag_id")
    op.drop_index(op.f("ix_redirects_article_id"), table_name="redirects")
    op.drop_table("redirects")
    op.drop_index(op.f("ix_article_corrections_editor_id"), table_name="article_corrections")
    op.drop_index(op.f("ix_article_corrections_article_id"), table_name="article_corrections")
    op.drop_table("article_corrections")
