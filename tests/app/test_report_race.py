"""Two readers' reports of one comment at once (PostgreSQL): the one that completes the count takes the comment
down, once; the other finds it no longer published (one audit event, one reason)."""

import threading

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Comment, CommentReport, CommentStatus, ModerationEvent
from blog.orm import utcnow
from blog.services import commenters
from tests.app.test_comment_count_race import wait_for
from tests.conftest import app_config


def test_overlapping_reports_unpublish_once(postgres_url, tmp_path, app, make_article, make_comment):
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: reports cannot overlap there")
    make_article("Harbour plan", slug="harbour")
    with app.app_context():
        article_id = db.session.scalar(sa.text("SELECT id FROM articles"))
    target = make_comment(article_id, body="Something rude.")
    other = create_app(app_config(SQLALCHEMY_DATABASE_URI=postgres_url), instance_path=str(tmp_path / "other"))
    outcomes: dict[str, object] = {}

    def report(on, ip: str, hold: threading.Event | None = None) -> None:
        with on.app_context():
            found = commenters.reportable("harbour", target, for_update=True)
            if found is None:
                outcomes[ip] = "gone"
            else:
                outcomes[ip] = commenters.report(found, ip=ip, now=utcnow(), unpublish_after=1)
            if hold is not None:
                hold.wait(10)  # keep the transaction (and the row lock) open while the other one starts
            db.session.commit()

    release = threading.Event()
    slow = threading.Thread(target=report, args=(app, "192.0.2.7", release))
    fast = threading.Thread(target=report, args=(other, "198.51.100.7"))
    try:
        slow.start()
        wait_for(app, "state = 'idle in transaction'")  # the first has reported and holds the comment's row
        fast.start()
        wait_for(app, "wait_event_type = 'Lock'")  # the second waits for it
    finally:
        release.set()
        slow.join(10)
        fast.join(10)
        with other.app_context():
            db.engine.dispose()
    assert outcomes["192.0.2.7"] == commenters.ReportOutcome(counted=True, unpublished=True)
    assert outcomes["198.51.100.7"] == "gone"
    with app.app_context():
        comment = db.session.get(Comment, target)
        assert comment.status is CommentStatus.PENDING
        assert comment.moderation_reasons == ["reported by readers from 1 network"]
        events = db.session.scalars(sa.select(ModerationEvent.action).where(ModerationEvent.comment_id == target))
        assert sorted(events) == ["reported", "submitted"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentReport)) == 1
