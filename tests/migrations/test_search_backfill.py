"""Upgrading a site that already has articles: its published articles are searchable at once."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog import create_app
from blog.core.search import parse_query
from blog.extensions import db
from blog.services import search

BEFORE_SEARCH = "5cc876b0aeca"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_indexes_existing_published_articles(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path}/old-site.sqlite3" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade(revision=BEFORE_SEARCH)
        with db.engine.begin() as conn:  # rows as the old schema stored them
            conn.execute(sa.text(
                "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
                "social_links, is_active, created_at, updated_at) VALUES (1, 'w@example.org', 'author', "
                "'Wren Talbot', 'wren-talbot', '', '', '', '{}', true, '2026-01-01', '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO tags (id, slug, name) VALUES (1, 'lighthouses', 'Lighthouses')"))
            for n, (slug, status, published) in enumerate(
                [("beacon", "published", "2026-01-02"), ("secret", "draft", None)], start=1
            ):
                conn.execute(sa.text(
                    "INSERT INTO articles (id, slug, title, summary, body_markdown, body_html, status, published_at, "
                    "created_at, updated_at, author_id, comments_open, comment_count) VALUES (:id, :slug, :title, "
                    "'', 'The keeper lit the lamp.', '', :status, :published, '2026-01-01', '2026-01-01', 1, true, 0)"
                ), {"id": n, "slug": slug, "title": f"Beacon {slug}", "status": status, "published": published})
                conn.execute(sa.text("INSERT INTO article_tags (article_id, tag_id) VALUES (:id, 1)"), {"id": n})
        try:
            flask_migrate.upgrade()
            for words, expected in (("keeper lamp", ["beacon"]), ("lighthouses", ["beacon"]), ("talbot", ["beacon"])):
                page = search.search(parse_query(words), page=1, per_page=10)
                assert [hit.slug for hit in page.items] == expected, words
        finally:
            db.session.rollback()
            with db.engine.begin() as conn:  # leave the shared test database empty, at head
                for table in ("article_tags", "search_articles", "articles", "tags", "users"):
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            db.engine.dispose()
