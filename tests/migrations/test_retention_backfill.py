"""Upgrading a site with spam and trash: the purge counts their days from when they got there, not from when
they were written, and the settings row gets the safe defaults."""

from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.extensions import db
from tests.migrations.old_site import database_url, insert_article, insert_author, insert_comment, site_at

BEFORE_RETENTION = "ef533ec80618"


def move(conn, comment_id: int, status: str, when: str) -> None:
    conn.execute(sa.text("UPDATE comments SET status = :s WHERE id = :id"), {"s": status, "id": comment_id})
    conn.execute(
        sa.text(
            "INSERT INTO moderation_events (comment_id, action, from_status, to_status, created_at) "
            "VALUES (:id, :s, 'approved', :s, :when)"
        ),
        {"id": comment_id, "s": status, "when": when},
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_dates_spam_and_trash_from_their_latest_move_there(request, tmp_path, backend):
    with site_at(BEFORE_RETENTION, database_url(request, tmp_path, backend), tmp_path):
        with db.engine.begin() as conn:
            insert_author(conn)
            insert_article(conn, 1, "beacon", "Lamp keeper.")
            for ident in (1, 2, 3, 4):
                insert_comment(conn, ident, 1, f"r{ident}@example.net")  # written 2026-01-03, approved
            move(conn, 2, "spam", "2026-02-01")
            move(conn, 3, "trash", "2026-02-05")
            move(conn, 3, "trash", "2026-03-09")  # the latest counts
            conn.execute(sa.text("UPDATE comments SET status = 'spam' WHERE id = 4"))  # no event: arrived so
            conn.execute(
                sa.text(
                    "INSERT INTO site_settings (id, site_title, site_tagline, max_links, hold_words, block_words, "
                    "auto_approve_known, thread_depth, comments_per_page, updated_at) "
                    "VALUES (1, '', '', 2, '', '', true, 5, 50, '2026-01-01')"
                )
            )
        try:
            flask_migrate.upgrade()
            comments = sa.table("comments", sa.column("id"), sa.column("status_changed_at", sa.DateTime))
            got = dict(db.session.execute(sa.select(comments.c.id, comments.c.status_changed_at)).all())
            assert {k: v and v.replace(tzinfo=UTC) for k, v in got.items()} == {
                1: None,
                2: datetime(2026, 2, 1, tzinfo=UTC),
                3: datetime(2026, 3, 9, tzinfo=UTC),
                4: None,  # created_at counts
            }
            settings = db.session.execute(
                sa.text(
                    "SELECT keep_ip_days, purge_spam_days, purge_trash_days, privacy_notice_markdown FROM site_settings"
                )
            ).one()
            assert tuple(settings) == (30, 30, 30, "")
        finally:
            db.session.rollback()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM site_settings"))
