"""Upgrading a site that already has comments: each gets the avatar colour the app gives its address."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.core import privacy
from blog.extensions import db
from tests.migrations.old_site import database_url, insert_article, insert_author, insert_comment, site_at

BEFORE_AVATAR_COLOUR = "35deeca07e6c"
ADDRESSES = 1_005  # more than the migration's batch of 1,000


@pytest.mark.parametrize("settings", [{}, {"HASH_KEY": "site-hash-key"}], ids=["derived-key", "hash-key"])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_stores_the_avatar_colour_the_app_computes(request, tmp_path, backend, settings):
    with site_at(BEFORE_AVATAR_COLOUR, database_url(request, tmp_path, backend), tmp_path, **settings) as app:
        with db.engine.begin() as conn:
            insert_author(conn)
            insert_article(conn, 1, "beacon-1", "Words.")
            for n in range(1, ADDRESSES + 1):
                insert_comment(conn, n, 1, f"reader{n}@example.net")
            insert_comment(conn, ADDRESSES + 1, 1, "reader7@example.net", parent_id=7)  # an address's second
        flask_migrate.upgrade()
        c, e = (
            sa.table(
                "comments",
                sa.column("id"),
                sa.column("author_email"),
                sa.column("avatar_colour"),
                sa.column("parent_id"),
            ),
            sa.table("moderation_events", sa.column("comment_id")),
        )
        rows = db.session.execute(sa.select(c.c.id, c.c.author_email, c.c.avatar_colour)).all()
        assert len(rows) == ADDRESSES + 1
        assert {r.id: r.avatar_colour for r in rows} == {
            r.id: privacy.avatar_colour(app.config["HASH_KEY"], r.author_email) for r in rows
        }
        assert len({r.avatar_colour for r in rows}) == privacy.AVATAR_COLOURS
        # the rest of each comment is as it was: its reply's parent, its audit event
        assert db.session.scalar(sa.select(c.c.parent_id).where(c.c.id == ADDRESSES + 1)) == 7
        assert sorted(db.session.scalars(sa.select(e.c.comment_id))) == list(range(1, ADDRESSES + 2))
