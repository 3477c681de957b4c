"""Cache version tokens remembered per process and retired by Redis's invalidation messages (blog/cache.py).

A cached article page is checked against two version tokens on every request; with Redis those come
from memory while Redis has not said they changed, so a hit costs no round trip. Another node's change
must still reach this process at once, and a lost connection must not leave it trusting old tokens.
"""

import time
import uuid

import pytest
import redis as redis_lib
import sqlalchemy as sa
from cachelib.serializers import RedisSerializer

from blog import cache
from blog.extensions import db
from blog.models import Article
from tests.conftest import enable_cache

SLUG = "tracked-story"


@pytest.fixture
def redis_app(request, app):
    return enable_cache(request, app, "RedisCache")


@pytest.fixture
def tracked(redis_app) -> cache.TrackedVersions:
    return redis_app.extensions["blog_tracked_versions"]


@pytest.fixture
def other_node(redis_app):
    """Writes a version token the way another node's commit does: straight to Redis."""
    store = redis_lib.Redis.from_url(redis_app.config["CACHE_REDIS_URL"])
    prefix = redis_app.config["CACHE_KEY_PREFIX"]

    def write(key: str, value: str) -> None:
        store.set(f"{prefix}{key}", RedisSerializer().dumps(value))

    yield write
    store.close()


@pytest.fixture
def round_trips(tracked, monkeypatch):
    """How many commands the tracking connection sends (its own connection to the real Redis)."""
    sent = []
    tracked.get("warm-up")  # connect (and switch tracking on) before counting
    connection = tracked._connection
    real = connection.send_command
    monkeypatch.setattr(connection, "send_command", lambda *args, **kw: (sent.append(args[0]), real(*args, **kw))[1])
    return sent


def eventually(read, done, seconds: float = 1.0):
    """Redis sends the invalidation in the same turn as the writer's reply; allow it to cross the socket."""
    deadline = time.monotonic() + seconds
    while not done(value := read()) and time.monotonic() < deadline:
        time.sleep(0.005)
    return value


def test_known_tokens_are_answered_from_memory(redis_app, tracked, other_node, round_trips):
    other_node("k", "v1")
    assert tracked.get("k", "missing") == ["v1", None]
    assert tracked.get("k", "missing") == ["v1", None]  # "missing" is unknown: asked again
    assert round_trips == ["MGET", "MGET"]
    for _ in range(5):
        assert tracked.get("k") == ["v1"]
    assert round_trips == ["MGET", "MGET"]


def test_a_change_made_on_another_node_is_seen_without_waiting(tracked, other_node, monkeypatch):
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)  # only the message can retire it
    other_node("k", "v1")
    assert tracked.get("k") == ["v1"]
    other_node("k", "v2")
    assert eventually(lambda: tracked.get("k"), lambda value: value == ["v2"]) == ["v2"]


def test_a_message_that_came_in_with_a_reply_is_not_missed(tracked, other_node, monkeypatch):
    """The lookup polls the socket; a message already read into the parser's buffer (here: sent right
    after the reply to a round trip, and read with it) must have been handled by then."""
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)
    other_node("k", "v1")
    assert tracked.get("k") == ["v1"]
    connection = tracked._connection
    real_send = connection.send_command

    def send_then_change_k(*args, **kwargs):
        real_send(*args, **kwargs)
        time.sleep(0.05)  # Redis answers the MGET now...
        other_node("k", "v2")  # ...and pushes the invalidation of k right behind the reply
        time.sleep(0.05)

    monkeypatch.setattr(connection, "send_command", send_then_change_k)
    tracked.get("other")  # a round trip: reply and message arrive together
    monkeypatch.setattr(connection, "send_command", real_send)
    assert tracked.get("k") == ["v2"]  # no waiting here: the message is already in


def test_a_change_made_here_is_seen_at_once(redis_app, tracked, monkeypatch):
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)
    monkeypatch.setattr(tracked, "_invalidated", lambda message: None)  # as if Redis's message were late
    with redis_app.app_context():
        cache._new_version(cache.SITE_VERSION)
        first = tracked.get(cache.SITE_VERSION)
        cache._new_version(cache.SITE_VERSION)
        assert tracked.get(cache.SITE_VERSION) != first  # no wait: this process forgot its own change


def test_tokens_are_asked_again_after_the_trust_window(tracked, other_node, round_trips, monkeypatch):
    other_node("k", "v1")
    tracked.get("k")
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 0.0)
    tracked.get("k")
    assert round_trips == ["MGET", "MGET"]


def test_a_lost_connection_forgets_what_it_knew(redis_app, tracked, other_node, monkeypatch):
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)
    other_node("k", "v1")
    assert tracked.get("k") == ["v1"]
    tracked._connection.send_command("CLIENT", "ID")
    own_id = tracked._connection.read_response()
    store = redis_lib.Redis.from_url(redis_app.config["CACHE_REDIS_URL"])
    store.client_kill_filter(_id=own_id)  # Redis can no longer tell this connection about changes
    other_node("k", "v2")
    store.close()
    assert tracked.get("k") == ["v2"]  # reconnected, and asked again


def test_a_flushed_database_forgets_everything(redis_app, tracked, other_node, monkeypatch):
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)
    other_node("k", "v1")
    assert tracked.get("k") == ["v1"]
    tracked._invalidated([b"invalidate", None])  # what Redis pushes on FLUSHDB (not run: the test Redis is shared)
    other_node("k", "v2")
    assert tracked.get("k") == ["v2"]


def test_a_page_changed_by_another_node_is_not_served_from_this_one(
    redis_app, make_article, other_node, count_queries, monkeypatch
):
    monkeypatch.setattr(cache.TrackedVersions, "TRUST_SECONDS", 3600.0)
    article_id = make_article("Before the edit", slug=SLUG)
    reader = redis_app.test_client()
    assert "Before the edit" in reader.get(f"/articles/{SLUG}").get_data(as_text=True)
    with count_queries() as statements:
        assert "Before the edit" in reader.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert statements == []  # served from this process's copy
    with redis_app.app_context():  # another node's edit: its rows, then its new version token
        db.session.execute(sa.update(Article).where(Article.id == article_id).values(title="After the edit"))
        db.session.commit()
    other_node(cache.SITE_VERSION, uuid.uuid4().hex)
    page = eventually(lambda: reader.get(f"/articles/{SLUG}").get_data(as_text=True), lambda p: "After" in p)
    assert "After the edit" in page


def test_what_is_remembered_stays_bounded(tracked, other_node, monkeypatch):
    monkeypatch.setattr(cache.TrackedVersions, "KNOWN_MAX", 2)
    for key in ("a", "b", "c", "d", "e"):
        other_node(key, f"v-{key}")
        assert tracked.get(key) == [f"v-{key}"]
        assert len(tracked._known) <= 2


def test_without_redis_there_is_nothing_to_track(request, app):
    enable_cache(request, app, "SimpleCache")
    assert "blog_tracked_versions" not in app.extensions
