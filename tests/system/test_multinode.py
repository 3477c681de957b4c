"""Two gunicorn nodes sharing one PostgreSQL and one Redis, and nothing else."""

import json
import time

import pytest

from blog import cache
from tests.conftest import postgres_url_or_skip, redis_namespace, redis_url_or_skip
from tests.system.cluster import (
    Browser,
    Node,
    comment_id,
    execute,
    migrated_database,
    node_env,
    running,
    seed_article,
)

SLUG = "harbour-wall"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pg, redis = postgres_url_or_skip(), redis_url_or_skip()
    tmp = tmp_path_factory.mktemp("multinode")
    with migrated_database(pg, tmp) as app, redis_namespace(redis) as names:
        seed_article(app, SLUG, known=[("Old Hand", "old.hand@example.net")])
        env = node_env(
            pg,
            REDIS_URL=redis,
            BLOG_CACHE_KEY_PREFIX=names["CACHE_KEY_PREFIX"],
            BLOG_RATELIMIT_KEY_PREFIX=names["RATELIMIT_KEY_PREFIX"],
            BLOG_COMMENT_RATE_LIMIT="3/day",  # a day's window: none ends in the middle of the test
            BLOG_PROXY_FIX_X_FOR="1",  # the test plays the reverse proxy: each reader has an address of its own
        )
        with running(Node(env, tmp / "a"), Node(env, tmp / "b")) as (a, b):
            yield app, a, b


def test_both_nodes_check_the_database_and_redis(cluster):
    _, a, b = cluster
    for node in (a, b):
        health = Browser(node.port).get("/healthz")
        report = json.loads(health.text)
        assert (health.status, report["status"], report["database"], report["redis"]) == (200, "ok", "ok", "ok")
        assert (report["queue"], report["mail_undeliverable"]) == ("ok", 0)  # the queue shared in Redis


def test_comment_via_a_is_approved_on_b_and_then_shown_by_a_whose_cache_b_invalidated(cluster):
    app, a, b = cluster
    anonymous = Browser(a.port, forwarded_for="198.51.100.10")
    assert "Earlier words from Old Hand." in anonymous.get(f"/articles/{SLUG}").text  # A caches the thread

    # A change that bypasses the services (so nothing is invalidated) shows that A serves its cached copy.
    execute(app, "UPDATE comments SET body_html = '<p>Changed behind the cache.</p>'")
    assert "Earlier words from Old Hand." in anonymous.get(f"/articles/{SLUG}").text

    reader = Browser(a.port, forwarded_for="198.51.100.11")
    posted = reader.post_comment(SLUG, name="Mira Quay", email="mira@example.net", body="The wall held!")
    assert posted.status == 303
    new_id = comment_id(posted)
    assert "Your comment is awaiting moderation." in reader.get(f"/articles/{SLUG}").text  # to its author only
    assert "Mira Quay" not in anonymous.get(f"/articles/{SLUG}").text

    approved = b.flask("comments", "moderate", str(new_id), "approve")  # on node B, with B's settings
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == f"Comment {new_id}: pending -> approved."  # B found it pending

    # Through A again: B's approval retired A's page, which A's workers may each keep for MEMO_SECONDS more.
    deadline = time.monotonic() + cache.MEMO_SECONDS + 2
    while "The wall held!" not in (fresh := anonymous.get(f"/articles/{SLUG}").text) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "The wall held!" in fresh and "Changed behind the cache." in fresh
    assert "awaiting moderation" not in fresh
    assert "The wall held!" in Browser(b.port).get(f"/articles/{SLUG}").text


def test_the_comment_rate_limit_counts_across_both_nodes(cluster):
    _, a, b = cluster
    on_a = Browser(a.port, forwarded_for="203.0.113.50")
    on_b = Browser(b.port, forwarded_for="203.0.113.50", cookies=on_a.cookies)  # one reader, two nodes
    hidden = on_a.comment_form(SLUG)
    statuses = [
        node.post_comment(SLUG, hidden, name="Rapid Writer", email="rapid@example.net", body=f"Point {n}.").status
        for n, node in enumerate([on_a, on_b, on_a, on_b, on_a])
    ]
    assert statuses == [303, 303, 303, 429, 429]  # the limit is 3 per client, wherever it lands
    refused = on_b.post_comment(SLUG, hidden, name="Rapid Writer", email="rapid@example.net", body="Once more.")
    assert refused.status == 429 and "commenting faster than we allow" in refused.text

    other = Browser(b.port, forwarded_for="203.0.113.51")  # someone else is not held back
    assert other.post_comment(SLUG, name="Calm Writer", email="calm@example.net", body="Hello.").status == 303
