"""Upgrading a site with staff: each user gets a session token of their own, and sessions from before (which named
the user by number) no longer sign anyone in."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.services import users
from tests.migrations.old_site import database_url, insert_author, site_at

BEFORE_SESSION_TOKENS = "d192e602a595"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_gives_every_user_a_token_of_their_own(request, tmp_path, backend):
    with site_at(BEFORE_SESSION_TOKENS, database_url(request, tmp_path, backend), tmp_path) as app:
        with db.engine.begin() as conn:
            insert_author(conn)
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
                    "social_links, is_active, created_at, updated_at) VALUES (2, 'e@example.org', 'editor', "
                    "'Eda Lowen', 'eda-lowen', '', '', '', '{}', true, '2026-01-01', '2026-01-01')"
                )
            )
        flask_migrate.upgrade()
        tokens = list(db.session.scalars(sa.text("SELECT session_token FROM users ORDER BY id")))
        assert len(tokens) == len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)
        with app.test_request_context():
            assert users.load_user("1") is None  # an old session's id: signed out
            assert users.load_user(f"{tokens[1]}.anything").email == "e@example.org"
