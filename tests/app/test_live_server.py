"""Comments posted concurrently through a real HTTP server: none lost, no error, counts right."""

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import urlencode

import flask_migrate
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from blog import create_app
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.services import authoring, comments, users
from tests.conftest import NOW, app_config

THREADS = 8
PER_THREAD = 25


@pytest.fixture
def live_server(tmp_path):
    """The app on a temp-file SQLite (WAL), migrated, served by a threaded Werkzeug server on loopback."""
    app = create_app(
        app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite3", WTF_CSRF_ENABLED=True),
        instance_path=str(tmp_path),
    )
    with app.app_context():
        flask_migrate.upgrade()
        author = users.create_user(email="ed@example.org", name="Ed Writer", role="author", password=None)
        article = authoring.create_article(
            author=author, title="Busy thread", slug="busy", body="Talk.", published_at=NOW
        )
        for t in range(THREADS):  # each thread's commenter is already known, so their comments are approved
            comments.record_comment(
                article,
                name=f"Thread {t}",
                email=f"t{t}@example.net",
                body="hello",
                status=CommentStatus.APPROVED,
                created_at=NOW,
            )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.server_port
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def commenter(port: int, t: int) -> list[int]:
    """One reader: load the article (the form timestamp; no cookie for an anonymous reader), then post PER_THREAD
    comments as a browser would (same-origin), keeping whatever session the first one starts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/articles/busy")
    page = conn.getresponse()
    html = page.read().decode()
    assert page.getheader("Set-Cookie") is None
    cookie = ""
    hidden = {name: unescape(value) for name, value in re.findall(r'name="(ts)" type="hidden" value="([^"]*)"', html)}
    statuses = []
    for n in range(PER_THREAD):
        form = urlencode(
            {
                **hidden,
                "name": f"Thread {t}",
                "email": f"t{t}@example.net",
                "body": f"Thread {t} again: thanks for the update on the ferry ({n}).",
            }
        )
        conn.request(
            "POST",
            "/articles/busy/comments",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Sec-Fetch-Site": "same-origin",
            },
        )
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        cookie = (response.getheader("Set-Cookie") or cookie).split(";")[0]  # the ids they may edit
    conn.close()
    return statuses


def test_200_comments_from_8_threads_are_all_stored(live_server):
    app, port = live_server
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda t: commenter(port, t), range(THREADS)))
    statuses = [s for r in results for s in r]
    assert statuses == [303] * (THREADS * PER_THREAD)
    with app.app_context():
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
        approved = db.session.scalar(sa.select(sa.func.count()).where(Comment.status == CommentStatus.APPROVED))
        count = db.session.scalar(sa.select(Article.comment_count))
        integrity = db.session.execute(sa.text("PRAGMA integrity_check")).scalar()
    assert stored == THREADS + THREADS * PER_THREAD
    assert approved == stored and count == stored
    assert integrity == "ok"
