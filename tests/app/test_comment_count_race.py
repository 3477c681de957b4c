"""The approved-comment count stays exact when two approvals on one article overlap (PostgreSQL)."""

import threading
import time

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.services import comments
from tests.conftest import app_config


def test_overlapping_approvals_leave_the_count_exact(postgres_url, tmp_path, app, make_article, make_comment):
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: approvals cannot overlap there")
    article_id = make_article()
    first, second = (make_comment(article_id, body=f"Waiting {n}", status=CommentStatus.PENDING) for n in (1, 2))
    other = create_app(app_config(SQLALCHEMY_DATABASE_URI=postgres_url), instance_path=str(tmp_path / "other"))

    def approve(on, comment_id: int, hold: threading.Event | None = None) -> None:
        with on.app_context():
            comment = db.session.get(Comment, comment_id)
            comment.status = CommentStatus.APPROVED
            comments.refresh_comment_count(article_id)
            if hold is not None:
                hold.wait(10)  # keep the transaction open while the other one starts
            db.session.commit()

    release = threading.Event()
    slow = threading.Thread(target=approve, args=(app, first, release))
    fast = threading.Thread(target=approve, args=(other, second))
    try:
        slow.start()
        wait_for(app, "state = 'idle in transaction'")  # the first has counted and holds the article row
        fast.start()
        wait_for(app, "wait_event_type = 'Lock'")  # the second waits for it
    finally:
        release.set()
        slow.join(10)
        fast.join(10)
        with other.app_context():
            db.engine.dispose()
    with app.app_context():
        assert db.session.scalar(sa.select(Article.comment_count).where(Article.id == article_id)) == 2


def wait_for(app, condition: str, timeout: float = 10) -> None:
    """Until some session of this database is in the given state (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            found = db.session.scalar(
                sa.text(f"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND {condition}")
            )
            db.session.rollback()
            if found:
                return
            time.sleep(0.02)
    raise AssertionError(f"no session reached: {condition}")
