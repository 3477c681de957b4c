"""Upgrading a site that already has articles: each one's words are counted, so its reading time is right."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.extensions import db
from tests.helpers import page_text
from tests.migrations.old_site import database_url, insert_article, insert_author, site_at

BEFORE_WORD_COUNT = "5c1e0a7d9b42"
ARTICLES = 1_005  # more than the migration's batch of 1,000


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_counts_the_words_of_existing_articles(request, tmp_path, backend):
    def words(n: int) -> int:
        return (n * 37) % 700

    with site_at(BEFORE_WORD_COUNT, database_url(request, tmp_path, backend), tmp_path) as app:
        with db.engine.begin() as conn:
            insert_author(conn)
            for n in range(1, ARTICLES + 1):
                insert_article(conn, n, f"beacon-{n}", "  lamp\n\nkeeper " * (words(n) // 2) + "tide" * (words(n) % 2))
        flask_migrate.upgrade()
        counted = dict(
            db.session.execute(
                sa.select(sa.column("id"), sa.column("word_count")).select_from(sa.table("articles"))
            ).all()
        )
        assert counted == {n: words(n) for n in range(1, ARTICLES + 1)}
        long_one = next(n for n in range(1, ARTICLES + 1) if words(n) == 461)  # 230 words a minute: 3 minutes
        db.session.remove()
        assert "3 min read" in page_text(app.test_client().get(f"/articles/beacon-{long_one}"))
