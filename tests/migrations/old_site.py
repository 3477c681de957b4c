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
def site_at(revision: str, url: str, tmp_path, **settings):
    """An app whose database is at ``revision``, emptied again (and left at head) afterwards."""
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, **settings}, instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade(revision=revision)
        try:
            yield app
        finally:
            db.session.rollback()
            flask_migrate.upgrade()
            with db.engine.begin() as conn:  # leave the shared test database empty, at head
                for table in (
                    "import_runs",
                    "moderation_events",
                    "comments",
                    "article_tags",
                    "search_articles",
                    "articles",
                    "tags",
                    "media_files",
                    "media",
                    "users",
                ):
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            db.engine.dispose()


def insert_author(conn) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
            "social_links, is_active, created_at, updated_at) VALUES (1, 'w@example.org', 'author', "
            "'Wren Talbot', 'wren-talbot', '', '', '', '{}', true, '2026-01-01', '2026-01-01')"
        )
    )


def insert_article(conn, ident: int, slug: str, body: str, *, status: str = "published", published="2026-01-02"):
    conn.execute(
        sa.text(
            "INSERT INTO articles (id, slug, title, summary, body_markdown, body_html, status, published_at, "
            "created_at, updated_at, author_id, comments_open, comment_count) VALUES (:id, :slug, :title, "
            "'', :body, '', :status, :published, '2026-01-01', '2026-01-01', 1, true, 0)"
        ),
        {"id": ident, "slug": slug, "title": f"Beacon {slug}", "body": body, "status": status, "published": published},
    )


def insert_comment(conn, ident: int, article_id: int, email: str, *, parent_id: int | None = None) -> None:
    """An approved comment and its audit event, as stored before comments had an avatar colour."""
    conn.execute(
        sa.text(
            "INSERT INTO comments (id, article_id, parent_id, depth, status, author_name, author_email, author_website, "
            "body_text, body_html, created_at, ip_hash, user_agent, moderation_reasons) VALUES (:id, :article_id, "
            ":parent_id, :depth, 'approved', 'A Reader', :email, '', 'Well put.', '<p>Well put.</p>', '2026-01-03', "
            "'', '', '[]')"
        ),
        {
            "id": ident,
            "article_id": article_id,
            "parent_id": parent_id,
            "depth": 0 if parent_id is None else 1,
            "email": email,
        },
    )
    conn.execute(
        sa.text(
            "INSERT INTO moderation_events (comment_id, action, to_status, created_at) "
            "VALUES (:id, 'submitted', 'approved', '2026-01-03')"
        ),
        {"id": ident},
    )
