"""Production settings: the database pool, Redis for limits and cache, secure cookies, the proxy, the key."""

from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import request

from blog import create_app
from blog.config import DEFAULT_SECRET_KEY
from blog.extensions import db
from blog.orm import utcnow
from blog.security import InsecureSettings, require_production_settings
from blog.services import authoring, users
from tests.conftest import app_config
from tests.helpers import form_fields
from tests.system.cluster import free_port


def make(tmp_path, **settings):
    return create_app(
        {"SECRET_KEY": "real-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://", **settings}, instance_path=str(tmp_path)
    )


# --- Database -------------------------------------------------------------------------------------


def test_postgresql_gets_a_pool_with_pre_ping_and_explicit_options_win(tmp_path):
    app = make(tmp_path, SQLALCHEMY_DATABASE_URI="postgres://u:p@127.0.0.1:1/blog")  # never connected to
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle, pool._pre_ping) == (5, 5, 10, 1800, True)
    app = make(
        tmp_path,
        SQLALCHEMY_DATABASE_URI="postgresql://u@h/db",
        DATABASE_POOL_SIZE=2,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_recycle": 60},
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["pool_recycle"], options["pool_pre_ping"]) == (2, 60, True)


def test_sqlite_gets_no_pool_options(tmp_path):
    assert make(tmp_path).config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_a_connection_the_server_dropped_is_replaced_not_used(postgres_url, tmp_path):
    app = make(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool, as at the end of a request
        with psycopg.connect(postgres_url.replace("+psycopg", "")) as admin:  # e.g. a server restart
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != pid  # no OperationalError
        db.session.remove()
        db.engine.dispose()


# --- Redis ----------------------------------------------------------------------------------------


def test_redis_url_shares_rate_limits_and_the_cache(tmp_path):
    app = make(tmp_path, REDIS_URL="redis://cache.internal:6379/2")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert (app.config["CACHE_TYPE"], app.config["CACHE_REDIS_URL"]) == ("RedisCache", "redis://cache.internal:6379/2")
    app = make(tmp_path, REDIS_URL="redis://a/0", RATELIMIT_STORAGE_URI="redis://b/1", CACHE_TYPE="SimpleCache")
    assert (app.config["RATELIMIT_STORAGE_URI"], app.config["CACHE_TYPE"]) == ("redis://b/1", "SimpleCache")


def test_without_redis_limits_are_in_memory_and_a_sqlite_site_caches_in_a_directory_per_database(tmp_path):
    app = make(tmp_path)
    assert (app.config["RATELIMIT_STORAGE_URI"], app.config["CACHE_TYPE"]) == ("memory://", "FileSystemCache")
    assert app.config["CACHE_THRESHOLD"] == 0  # no racy file count, no pruning of version tokens: swept instead
    assert Path(app.config["CACHE_DIR"]).parent == tmp_path / "cache"
    other = make(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/other.sqlite3")
    assert other.config["CACHE_DIR"] != app.config["CACHE_DIR"]  # version tokens are unique per database only
    assert make(tmp_path, CACHE_DIR="pages").config["CACHE_DIR"] == str(tmp_path / "pages")
    assert make(tmp_path, CACHE_DIR=str(tmp_path / "elsewhere")).config["CACHE_DIR"] == str(tmp_path / "elsewhere")


def test_without_redis_no_cache_for_postgresql_debug_or_tests(tmp_path):
    # PostgreSQL may serve several nodes, which a directory on one of them could not keep in step
    assert make(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql://u@h/db").config["CACHE_TYPE"] == "NullCache"
    assert make(tmp_path, DEBUG=True).config["CACHE_TYPE"] == "NullCache"  # templates change under cached pages
    assert make(tmp_path, TESTING=True).config["CACHE_TYPE"] == "NullCache"
    assert make(tmp_path, CACHE_TYPE="SimpleCache").config["CACHE_TYPE"] == "SimpleCache"  # explicit wins


def test_redis_url_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/0")
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://from-env:6379/0"


def test_the_rate_limiter_stores_no_address_or_ip_in_redis(redis_settings, tmp_path):
    import redis

    app = make(tmp_path, TESTING=True, WTF_CSRF_ENABLED=False, **redis_settings)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    environ = {"REMOTE_ADDR": "203.0.113.77"}
    client.post("/your-data", data={"email": "dana.private@example.net"}, environ_base=environ)
    client.post("/login", data={"email": "dana.private@example.net", "password": "wrong"}, environ_base=environ)
    store = redis.Redis.from_url(redis_settings["REDIS_URL"])
    keys = [k.decode() for k in store.scan_iter(match=f"*{redis_settings['RATELIMIT_KEY_PREFIX']}*")]
    store.close()
    assert any("your-data:" in k for k in keys) and any("login-account:" in k for k in keys)  # the limits counted
    assert not [k for k in keys if "dana" in k or "203.0.113.77" in k]


def test_healthz_checks_redis(redis_settings, tmp_path):
    app = make(tmp_path, TESTING=True, **redis_settings)
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (
        200,
        {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "queue": "ok",  # the queue is in Redis too (JOBS_BACKEND follows REDIS_URL)
            "queue_pending": 0,
            "mail_due": 0,
            "mail_undeliverable": 0,
        },
    )


def test_with_redis_down_healthz_fails_but_pages_and_comments_still_work(tmp_path):
    """Redis is an optimisation and a shared counter: losing it must not take the site down."""
    nobody_listens = free_port()
    app = make(
        tmp_path,
        TESTING=True,
        REDIS_URL=f"redis://127.0.0.1:{nobody_listens}/0",
        COMMENT_MIN_SECONDS=0,
        WTF_CSRF_ENABLED=False,
    )
    with app.app_context():
        db.create_all()
        author = users.create_user(email="w@example.org", name="W Riter", role="author", password=None)
        authoring.create_article(author=author, title="Storm", slug="storm", body="Wind.", published_at=utcnow())
        db.session.commit()
    client = app.test_client()
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (
        503,
        {"status": "error", "database": "ok", "redis": "unreachable", "queue": "unreachable", "mail_due": 0}
        | {"mail_undeliverable": 0},
    )
    page = client.get("/articles/storm")
    assert page.status_code == 200 and "No comments yet." in page.get_data(as_text=True)
    data = form_fields(page.get_data(as_text=True)) | {"name": "Cal Reader", "email": "cal@example.net", "body": "Hi."}
    assert client.post("/articles/storm/comments", data=data).status_code == 303  # limits fall back to memory


# --- Cookies, proxy, secret key -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({}, True),  # production
        ({"DEBUG": True}, False),
        ({"TESTING": True}, False),
        ({"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}, False),  # e.g. a trial without TLS
    ],
)
def test_cookies_are_secure_outside_debug_and_testing(tmp_path, settings, secure):
    app = make(tmp_path, **settings)
    assert (app.config["SESSION_COOKIE_SECURE"], app.config["REMEMBER_COOKIE_SECURE"]) == (secure, secure)


@pytest.mark.app_config(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
def test_session_and_remember_me_cookies_carry_secure(client, make_article, post_comment):
    make_article(slug="cookies")
    response = post_comment("cookies", remember="y")
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"blog_session", "blog_commenter"}
    assert all("Secure" in c and "HttpOnly" in c for c in cookies.values())


def client_address_and_scheme(app, headers) -> str:
    seen = []
    app.before_request(lambda: seen.append(f"{request.remote_addr} {request.scheme}"))
    app.test_client().get("/healthz", headers=headers)
    return seen[0]


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_unless_configured(tmp_path):
    assert client_address_and_scheme(make(tmp_path), FORWARDED) == "127.0.0.1 http"


def test_proxy_fix_trusts_the_configured_proxy(tmp_path):
    app = make(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    assert client_address_and_scheme(app, FORWARDED) == "203.0.113.7 https"
    assert app.test_client().get("/healthz", headers=FORWARDED).headers["Strict-Transport-Security"]


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "", "   ", None])
def test_production_refuses_a_known_or_empty_secret_key(tmp_path, key):
    app = make(tmp_path, SECRET_KEY=key, SITE_URL="https://news.example.org")
    with pytest.raises(InsecureSettings, match="Refusing to start: SECRET_KEY is"):
        require_production_settings(app)


def test_production_refuses_to_start_without_the_site_address(tmp_path):
    with pytest.raises(InsecureSettings, match="BLOG_SITE_URL is not set. Set it"):
        require_production_settings(make(tmp_path))


@pytest.mark.parametrize("settings", [{"DEBUG": True}, {"TESTING": True}])
def test_debug_and_tests_may_use_the_development_key_and_address(tmp_path, settings):
    app = make(tmp_path, SECRET_KEY=DEFAULT_SECRET_KEY, **settings)
    require_production_settings(app)
    assert app.config["SITE_URL"] == "http://127.0.0.1:5000" and not app.config.get("TRUSTED_HOSTS")


def test_a_real_key_and_address_start_and_only_that_host_is_served(tmp_path):
    app = create_app(
        app_config(TESTING=False, SECRET_KEY="0" * 64, SITE_URL="https://news.example.org"), instance_path=str(tmp_path)
    )
    require_production_settings(app)
    assert app.config["TRUSTED_HOSTS"] == ["news.example.org"]
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert client.get("/healthz", base_url="https://news.example.org").status_code == 200
    refused = client.get("/healthz", base_url="https://evil.example")
    assert refused.status_code == 400


def test_a_host_we_do_not_serve_is_a_quiet_400(tmp_path, caplog):
    """The internet sends any Host header: a plain 400 that names the refused host, and no error in the log."""
    app = create_app(
        app_config(TESTING=False, SECRET_KEY="0" * 64, SITE_URL="https://news.example.org"), instance_path=str(tmp_path)
    )
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/articles/anything", base_url="https://evil.example")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "'evil.example' is not trusted" in response.get_data(as_text=True)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
