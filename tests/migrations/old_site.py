"""A site at an older revision, with rows as that schema stored them: for tests of data migrations."""

from contextlib import contextmanager

import flask_migrate
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db


def database_url(request, tmp_path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/old-site.sqlite3"
    return request.getfixturevalue("postgres_url")


@contextmanager
def site_at(revision: str, url: str, tmp_path):
    """An app whose database is at ``revision``, emptied again (and left at head) afterwards."""
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade(revision=revision)
        try:
            yield app
        finally:
            db.session.rollback()
            flask_migrate.upgrade()
            with db.engine.begin() as conn:  # leave the shared test database empty, at head
                for table in ("article_tags", "search_articles", "articles", "tags", "users"):
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            db.engine.dispose()


def insert_author(conn) -> None:
    conn.execute(sa.text(
        "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
        "social_links, is_active, created_at, updated_at) VALUES (1, 'w@example.org', 'author', "
        "'Wren Talbot', 'wren-talbot', '', '', '', '{}', true, '2026-01-01', '2026-01-01')"))


def insert_article(conn, ident: int, slug: str, body: str, *, status: str = "published", published="2026-01-02"):
    conn.execute(sa.text(
        "INSERT INTO articles (id, slug, title, summary, body_markdown, body_html, status, published_at, "
        "created_at, updated_at, author_id, comments_open, comment_count) VALUES (:id, :slug, :title, "
        "'', :body, '', :status, :published, '2026-01-01', '2026-01-01', 1, true, 0)"
    ), {"id": ident, "slug": slug, "title": f"Beacon {slug}", "body": body, "status": status, "published": published})
