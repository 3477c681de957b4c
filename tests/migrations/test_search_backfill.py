"""Upgrading a site that already has articles: its published articles are searchable at once."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.core.search import parse_query
from blog.extensions import db
from blog.services import search
from tests.migrations.old_site import database_url, insert_article, insert_author, site_at

BEFORE_SEARCH = "5cc876b0aeca"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_indexes_existing_published_articles(request, tmp_path, backend):
    with site_at(BEFORE_SEARCH, database_url(request, tmp_path, backend), tmp_path):
        with db.engine.begin() as conn:  # rows as the old schema stored them
            insert_author(conn)
            conn.execute(sa.text("INSERT INTO tags (id, slug, name) VALUES (1, 'lighthouses', 'Lighthouses')"))
            for n, (slug, status, published) in enumerate(
                [("beacon", "published", "2026-01-02"), ("secret", "draft", None)], start=1
            ):
                insert_article(conn, n, slug, "The keeper lit the lamp.", status=status, published=published)
                conn.execute(sa.text("INSERT INTO article_tags (article_id, tag_id) VALUES (:id, 1)"), {"id": n})
        flask_migrate.upgrade()
        for words, expected in (("keeper lamp", ["beacon"]), ("lighthouses", ["beacon"]), ("talbot", ["beacon"])):
            page = search.search(parse_query(words), page=1, per_page=10)
            assert [hit.slug for hit in page.items] == expected, words
