"""Upgrading a site that already has comments: each gets the keyed hash of its address the app computes, so the
commenter view (/moderation/commenters/<key>) finds a commenter's older comments too."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.core import privacy
from blog.extensions import db
from tests.migrations.old_site import database_url, insert_article, insert_comment, site_at

BEFORE_COMMENTERS = "b452cdb9b637"
ADDRESSES = 1_005  # more than the migration's batch of 1,000


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_stores_the_author_key_the_app_computes(request, tmp_path, backend):
    settings = {"HASH_KEY": "site-hash-key"}
    with site_at(BEFORE_COMMENTERS, database_url(request, tmp_path, backend), tmp_path, **settings) as app:
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
                    "social_links, is_active, session_token, created_at, updated_at) VALUES (1, 'w@example.org', "
                    "'author', 'Wren Talbot', 'wren-talbot', '', '', '', '{}', true, 't', '2026-01-01', '2026-01-01')"
                )
            )
            insert_article(conn, 1, "beacon-1", "Words.")
            for n in range(1, ADDRESSES + 1):
                insert_comment(conn, n, 1, f"reader{n}@example.net")
            insert_comment(conn, ADDRESSES + 1, 1, "reader7@example.net", parent_id=7)  # an address's second
        flask_migrate.upgrade()
        c = sa.table("comments", sa.column("id"), sa.column("author_email"), sa.column("author_key"))
        rows = db.session.execute(sa.select(c.c.id, c.c.author_email, c.c.author_key)).all()
        assert len(rows) == ADDRESSES + 1
        assert {r.id: r.author_key for r in rows} == {
            r.id: privacy.person_key(app.config["HASH_KEY"], r.author_email) for r in rows
        }
        assert len({r.author_key for r in rows}) == ADDRESSES
