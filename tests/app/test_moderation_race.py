"""Two editors acting on the same comments at once, through a real HTTP server on each database: no 500, the
approved count right, one audit event per change (issue 22, "Safe under two editors at once")."""

from __future__ import annotations

import http.client
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import flask_migrate
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from blog import create_app
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent
from blog.services import authoring, comments, users
from tests.conftest import NOW, app_config, postgres_url_or_skip

PASSWORD = "correct horse battery staple"
PAIRS = 12  # comments each raced over


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request, tmp_path):
    """The app on a file SQLite (WAL) or on PostgreSQL, migrated, served by a threaded server on loopback."""
    url = f"sqlite:///{tmp_path}/race.sqlite3" if request.param == "sqlite" else postgres_url_or_skip()
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        for n in (1, 2):
            users.create_user(email=f"ed{n}@example.org", name=f"Editor {n}", role="editor", password=PASSWORD)
        author = users.create_user(email="au@example.org", name="Au Thor", role="author", password=None)
        article = authoring.create_article(author=author, title="Raced", slug="raced", body="Text.", published_at=NOW)
        db.session.commit()
        article_id = article.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.server_port, article_id
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        if request.param == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.session.commit()
        db.engine.dispose()


class Editor:
    """A signed-in editor's browser, reduced to a cookie and form posts."""

    def __init__(self, port: int, email: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        status, _ = self.post("/login", {"email": email, "password": PASSWORD})
        assert status == 303 and self.cookies

    def post(self, path: str, form: dict | list) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(
                "POST",
                path,
                body=urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                },
            )
            response = conn.getresponse()
            body = response.read().decode()
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, value = header.split(";")[0].partition("=")
                self.cookies[name] = value
            return response.status, body
        finally:
            conn.close()


def make_comments(app, article_id: int, status: CommentStatus, n: int) -> list[int]:
    with app.app_context():
        article = db.session.get(Article, article_id)
        made = [
            comments.record_comment(
                article,
                name=f"Reader {i}",
                email=f"r{i}@example.net",
                body=f"Comment {i}",
                status=status,
                created_at=NOW,
            )
            for i in range(n)
        ]
        db.session.commit()
        return [c.id for c in made]


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(10)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, call) for call in calls]]


def approved_count(app, article_id: int) -> tuple[int, int]:
    """(the article's stored approved count, the approved comments actually there)."""
    with app.app_context():
        stored = db.session.scalar(sa.select(Article.comment_count).where(Article.id == article_id))
        real = db.session.scalar(
            sa.select(sa.func.count()).where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
        )
        return stored, real


def events(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(ModerationEvent.action == action))


def test_delete_and_approve_of_one_comment_at_once(served):
    app, port, article_id = served
    one, two = Editor(port, "ed1@example.org"), Editor(port, "ed2@example.org")
    ids = make_comments(app, article_id, CommentStatus.SPAM, PAIRS)
    statuses = []
    for comment_id in ids:
        statuses += at_once(
            lambda c=comment_id: one.post(f"/moderation/comments/{c}/delete", {"confirm": "yes"})[0],
            lambda c=comment_id: two.post(f"/moderation/comments/{c}/approve", {})[0],
        )
    assert 500 not in statuses
    assert set(statuses) <= {303, 404, 409}, statuses
    stored, real = approved_count(app, article_id)
    assert stored == real
    # each comment was either deleted or approved, never both, with exactly one event for what happened
    with app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).where(Comment.id.in_(ids)))
    assert real == left == events(app, "approve")
    assert events(app, "delete") == PAIRS - left
    assert_trail_is_a_chain(app, [i for i in ids if status_of(app, i) is not None])


def status_of(app, comment_id: int) -> CommentStatus | None:
    with app.app_context():
        return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment_id))


def test_overlapping_bulk_approvals_write_one_event_per_comment(served):
    app, port, article_id = served
    one, two = Editor(port, "ed1@example.org"), Editor(port, "ed2@example.org")
    ids = make_comments(app, article_id, CommentStatus.PENDING, PAIRS)
    form = [("action", "approve"), *(("ids", str(i)) for i in ids)]
    statuses = at_once(
        lambda: one.post("/moderation/bulk", form)[0],
        lambda: two.post("/moderation/bulk", list(reversed(form)))[0],
        lambda: one.post(f"/moderation/comments/{ids[3]}/approve", {})[0],
        lambda: two.post(f"/moderation/comments/{ids[7]}/trash", {})[0],
    )
    assert statuses == [303, 303, 303, 303]
    stored, real = approved_count(app, article_id)
    assert stored == real
    # every comment approved once; the trashed one perhaps approved again, from the trash, by the later bulk
    assert events(app, "trash") == 1
    assert events(app, "approve") in (PAIRS, PAIRS + 1)
    assert real in (PAIRS - 1, PAIRS)
    assert_trail_is_a_chain(app, ids)


def assert_trail_is_a_chain(app, ids: list[int]) -> None:
    """Each comment's events lead from one status to the next, no step repeated, to the status it has now."""
    with app.app_context():
        for comment_id in ids:
            trail = db.session.execute(
                sa.select(ModerationEvent.from_status, ModerationEvent.to_status)
                .where(ModerationEvent.comment_id == comment_id)
                .order_by(ModerationEvent.id)
            ).all()
            assert trail[0].from_status is None  # "submitted"
            for before, after in itertools.pairwise(trail):
                assert after.from_status == before.to_status != after.to_status, trail
            assert trail[-1].to_status == db.session.get(Comment, comment_id).status
