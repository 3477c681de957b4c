"""16 readers × 20 comments each, at once, through HTTP against gunicorn: none lost, no error, counts right."""

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

READERS = 16
PER_READER = 20
KNOWN = READERS // 2  # these have an approved comment already, so theirs are approved; the others' wait
SLUG = "busy-thread"


def reader(port: int, n: int) -> list[int]:
    """Open the article once (session, CSRF token, form timestamp), then send PER_READER comments."""
    browser = Browser(port)
    hidden = browser.comment_form(SLUG)
    return [
        browser.post_comment(
            SLUG,
            hidden,
            name=f"Reader {n}",
            email=f"r{n}@example.net",
            body=f"Reader {n} again: the harbour wall looked fine on my walk number {i}.",
        ).status
        for i in range(PER_READER)
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_comments_sent_at_once_are_all_stored(backend, tmp_path):
    url = f"sqlite:///{tmp_path}/blog.sqlite3" if backend == "sqlite" else postgres_url_or_skip()
    with migrated_database(url, tmp_path) as app:
        article_id = seed_article(app, SLUG, known=[(f"Reader {n}", f"r{n}@example.net") for n in range(KNOWN)])
        env = node_env(url, BLOG_RATELIMIT_ENABLED="false")
        with running(Node(env, tmp_path / "logs")) as (node,), ThreadPoolExecutor(READERS) as pool:
            statuses = [s for result in pool.map(lambda n: reader(node.port, n), range(READERS)) for s in result]

        assert statuses == [303] * (READERS * PER_READER)  # no 500, no lock timeout, no refusal
        count = lambda sql: scalar(app, sql, id=article_id)
        sent = READERS * PER_READER
        assert count("SELECT count(*) FROM comments WHERE article_id = :id") == KNOWN + sent
        assert count("SELECT count(DISTINCT body_text) FROM comments WHERE article_id = :id") == KNOWN + sent
        approved = count("SELECT count(*) FROM comments WHERE article_id = :id AND status = 'approved'")
        assert approved == KNOWN + KNOWN * PER_READER
        assert count("SELECT count(*) FROM comments WHERE article_id = :id AND status = 'pending'") == (
            (READERS - KNOWN) * PER_READER
        )
        assert count("SELECT comment_count FROM articles WHERE id = :id") == approved
        assert set(consistency_problems(app).values()) == {0}
        if backend == "sqlite":
            assert scalar(app, "PRAGMA integrity_check") == "ok"
