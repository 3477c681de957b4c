"""SQLite has one writer at a time: another process holding the write lock for longer than we wait (an import's
last step, a migration) gets a request a 503 that says to try again, with nothing changed and a comment's text
kept — never a 500."""

import sqlite3
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import CommentStatus
from blog.orm import is_busy
from tests.helpers import form_fields, page_text

pytestmark = pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=100)
BODY = "The new ferry timetable <b>misses</b> the school run by ten minutes."


@pytest.fixture
def database_url(tmp_path):
    """A file (an in-memory database has no second connection to hold the lock), created by the app fixture."""
    return f"sqlite:///{tmp_path / 'busy.sqlite3'}"


@contextmanager
def write_lock_held(tmp_path):
    """Another process's write transaction, as an import's rebuild holds it."""
    other = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def comment_rows(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.text("SELECT body_text FROM comments")))


def test_a_comment_sent_while_the_database_is_busy_comes_back_with_its_text(app, client, make_article, tmp_path):
    make_article("Ferry timetable", slug="ferry-timetable")
    fields = form_fields(client.get("/articles/ferry-timetable").get_data(as_text=True))
    fields.update(name="Pat Reader", email="pat@example.net", body=BODY)
    with write_lock_held(tmp_path):
        refused = client.post("/articles/ferry-timetable/comments", data=fields)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "30"
    html = refused.get_data(as_text=True)
    assert "your comment was not sent" in page_text(refused)
    (form,) = lxml_html.fromstring(html).xpath("//form[contains(@class, 'comment-form')]")
    kept = dict(form.form_values())
    kept["body"] = kept["body"].removeprefix("\n")  # a browser drops a textarea's first newline; lxml keeps it
    assert kept["body"] == BODY and kept["name"] == "Pat Reader" and kept["email"] == "pat@example.net"
    assert comment_rows(app) == []
    # The page it came back on sends it: its form carries everything the first one did.
    sent = client.post("/articles/ferry-timetable/comments", data=kept)
    assert sent.status_code == 303
    assert comment_rows(app) == [BODY]


def test_an_editors_action_while_the_database_is_busy_is_a_503_and_changes_nothing(
    app, client, sign_in, make_article, make_comment, tmp_path
):
    comment_id = make_comment(make_article(), body="Is the ferry running on Sunday?", status=CommentStatus.PENDING)
    sign_in("editor")
    with write_lock_held(tmp_path):
        refused = client.post(f"/moderation/comments/{comment_id}/approve")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert "The site is busy saving other changes" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT status FROM comments")) == CommentStatus.PENDING.value
    assert client.post(f"/moderation/comments/{comment_id}/approve").status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT status FROM comments")) == CommentStatus.APPROVED.value


def test_the_api_answers_a_busy_database_with_a_problem_document(app, client, make_article, tmp_path):
    make_article("Ferry timetable", slug="ferry-timetable")
    token = client.get("/api/v1/articles/ferry-timetable").get_json()["comment_form_token"]
    body = {"name": "Pat Reader", "email": "pat@example.net", "body": BODY, "ts": token}
    with write_lock_held(tmp_path):
        refused = client.post("/api/v1/articles/ferry-timetable/comments", json=body)
    assert refused.status_code == 503 and refused.content_type == "application/problem+json"
    assert refused.headers["Retry-After"] == "30"
    assert comment_rows(app) == []


def test_only_a_busy_database_is_a_503():
    """Any other operational error (a missing table, a full disk) is not the reader's to retry: it stays a 500."""
    holder = sqlite3.connect(":memory:")
    for statement in ("SELECT * FROM missing_table", "BEGIN; BEGIN"):
        with pytest.raises(sqlite3.OperationalError) as raised:
            holder.executescript(statement)
        assert not is_busy(sa.exc.OperationalError(statement, {}, raised.value))


def test_any_other_database_error_is_still_a_500(app, client, make_article, tmp_path):
    make_article("Ferry timetable", slug="ferry-timetable")
    app.testing = False  # as in production: an unhandled error is answered, not raised into the test
    with sqlite3.connect(tmp_path / "busy.sqlite3") as other:
        other.execute("ALTER TABLE comments RENAME TO comments_elsewhere")  # "no such table" for the page's query
    broken = client.get("/articles/ferry-timetable")
    assert broken.status_code == 500
    assert "Something went wrong on our side" in page_text(broken)
    assert "Retry-After" not in broken.headers
