"""kill -9 a gunicorn worker in the middle of a comment burst: the database stays consistent and every
comment that was answered with a 303 is stored."""

import http.client
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import postgres_url_or_skip
from tests.system.cluster import (
    Browser,
    Node,
    consistency_problems,
    migrated_database,
    node_env,
    running,
    scalar,
    seed_article,
)

READERS = 8
PER_READER = 20
KILL_AFTER = 60  # answers before the kill: the burst is well under way, with requests in flight
SLUG = "storm-night"


class Burst:
    """Readers posting comments; each outcome is kept with the comment's unique body."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.outcomes: list[tuple[str, int | None]] = []  # None: the connection died with the worker
        self.lock = threading.Lock()
        self.answered = threading.Semaphore(0)

    def reader(self, n: int) -> None:
        browser = Browser(self.port)
        hidden = browser.comment_form(SLUG)
        for i in range(PER_READER):
            body = f"Storm note {i} from reader {n}."
            try:
                status = browser.post_comment(
                    SLUG, hidden, name=f"Reader {n}", email=f"r{n}@example.net", body=body
                ).status
            except (http.client.HTTPException, OSError):
                status = None
            with self.lock:
                self.outcomes.append((body, status))
            self.answered.release()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_worker_killed_mid_burst_loses_no_acknowledged_comment(backend, tmp_path):
    url = f"sqlite:///{tmp_path}/blog.sqlite3" if backend == "sqlite" else postgres_url_or_skip()
    with migrated_database(url, tmp_path) as app:
        seed_article(app, SLUG, known=[(f"Reader {n}", f"r{n}@example.net") for n in range(0, READERS, 2)])
        env = node_env(url, BLOG_RATELIMIT_ENABLED="false")
        with running(Node(env, tmp_path / "logs")) as (node,):
            burst = Burst(node.port)
            with ThreadPoolExecutor(READERS) as pool:
                for n in range(READERS):
                    pool.submit(burst.reader, n)
                for _ in range(KILL_AFTER):
                    assert burst.answered.acquire(timeout=60)
                victim = node.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                killed_at = len(burst.outcomes)
            assert victim not in node.worker_pids()  # the master replaced it…
            assert Browser(node.port).get("/healthz").status == 200  # …and the node still serves

        statuses = [status for _, status in burst.outcomes]
        assert len(statuses) == READERS * PER_READER
        assert set(statuses) <= {303, None}, statuses  # a dropped connection at worst, never an error page
        assert statuses[killed_at:].count(303) > 0  # comments kept arriving after the kill
        acknowledged = [body for body, status in burst.outcomes if status == 303]
        with app.app_context():
            from blog.extensions import db
            from blog.models import Comment

            stored = set(db.session.scalars(db.select(Comment.body_text)))
        assert set(acknowledged) <= stored
        assert set(consistency_problems(app).values()) == {0}
        if backend == "sqlite":
            assert scalar(app, "PRAGMA integrity_check") == "ok"
            assert scalar(app, "PRAGMA foreign_key_check") is None
