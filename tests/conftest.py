"""Fixtures: a fresh app and database per test; PostgreSQL when BLOG_TEST_DATABASE_URL is set."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import flask_migrate
import jinja2
import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import CommentStatus
from blog.services import authoring, comments, users
from tests.helpers import form_fields

PG_URL = os.environ.get("BLOG_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def app_config(**overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SITE_URL": "http://localhost",  # the test client's host
        "COMMENT_MIN_SECONDS": 0,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # still scrypt, 32 times cheaper: tests sign in often
        "RATELIMIT_ENABLED": False,
        "JOBS_BACKEND": "immediate",  # Huey's immediate mode: a queued task runs at once, in the caller
        **overrides,
    }


def server_url_or_skip(name: str, url: str | None, variable: str) -> str:
    """A test server's URL; without one the test is skipped with a reason locally, and fails in CI."""
    if url:
        return url
    if IN_CI:
        pytest.fail(f"CI must test with {name}: {variable} is not set")
    pytest.skip(f"{name} not configured: set {variable} to run this")


def postgres_url_or_skip() -> str:
    return own_database(server_url_or_skip("PostgreSQL", PG_URL, "BLOG_TEST_DATABASE_URL"))


@functools.cache
def own_database(url: str) -> str:
    """Under pytest-xdist (``make test`` runs one worker per core) every worker has a database of its own,
    ``blog_test`` -> ``blog_test_gw0``, created on first use: the role needs CREATEDB (.ci/run grants it)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(4242)"))  # one CREATE DATABASE at a time
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}) is None:
                conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
            conn.execute(sa.text("SELECT pg_advisory_unlock(4242)"))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def compiled_templates(tmp_path_factory) -> jinja2.BytecodeCache:
    """Jinja's bytecode cache, shared by every test's app: each app compiling every template anew from its
    source was a third of the app tests' time. Jinja checks each entry against the template's source."""
    return jinja2.FileSystemBytecodeCache(str(tmp_path_factory.mktemp("templates")))


@pytest.fixture
def bare_app(tmp_path, compiled_templates):
    """An app without a database to speak of: for what needs only its URL map, templates and filters."""
    app = create_app(app_config(), instance_path=str(tmp_path))
    app.jinja_env.bytecode_cache = compiled_templates
    return app


@pytest.fixture
def postgres_url() -> str:
    return postgres_url_or_skip()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """Every app test runs on SQLite and on PostgreSQL; PostgreSQL's schema comes from the migrations."""
    if request.param == "sqlite":
        return "sqlite://"
    url = postgres_url_or_skip()
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path_factory.mktemp("pg")))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(request, tmp_path, database_url, compiled_templates):
    """A fresh app and empty database; ``@pytest.mark.app_config(KEY=value)`` overrides settings."""
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=database_url, **overrides), instance_path=str(tmp_path))
    app.jinja_env.bytecode_cache = compiled_templates
    on_sqlite = database_url.startswith("sqlite")
    if on_sqlite:
        with app.app_context():
            db.create_all()  # a new in-memory SQLite per app
    yield app
    with app.app_context():
        db.session.remove()
        if not on_sqlite:
            empty_postgres_database()
        db.engine.dispose()


def empty_postgres_database() -> None:
    """Every row deleted and every id counter back at 1, as a new database has them. DELETE, not TRUNCATE: a
    test leaves a few rows, and TRUNCATE's cost is per table (new files), about ten times DELETE's here."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.execute(
        sa.text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
        )
    )
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        *,
        role: str = "author",
        bio: str = "",
        email: str | None = None,
        password: str | None = None,
    ) -> int:
        n = next(counter)
        with app.app_context():
            user = users.create_user(
                email=email or f"staff{n}@example.org",
                name=name or f"Staff Writer {n}",
                role=role,
                password=password,
                bio=bio,
            )
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_article(app, make_user):
    counter = iter(range(1, 10_000))

    def make(
        title: str | None = None,
        *,
        author_id: int | None = None,
        tags: tuple[str, ...] = (),
        body: str = "Some *news* from the bay.",
        summary: str = "A short summary.",
        published: bool = True,
        published_at: datetime | None = None,
        slug: str | None = None,
    ) -> int:
        n = next(counter)
        author_id = author_id or make_user()
        with app.app_context():
            from blog.models import User

            article = authoring.create_article(
                author=db.session.get(User, author_id),
                title=title or f"Article number {n}",
                slug=slug,
                body=body,
                summary=summary,
                tags=authoring.get_or_create_tags((t, t.replace("-", " ").title()) for t in tags),
                published_at=(published_at or NOW - timedelta(hours=n)) if published else None,
            )
            db.session.commit()
            return article.id

    return make


@pytest.fixture
def make_comment(app):
    def make(
        article_id: int,
        *,
        name: str = "A Reader",
        email: str = "reader@example.net",
        body: str = "Thanks!",
        status: CommentStatus = CommentStatus.APPROVED,
        parent_id: int | None = None,
        website: str = "",
        minutes: int = 0,
    ) -> int:
        with app.app_context():
            from blog.models import Article, Comment

            comment = comments.record_comment(
                db.session.get(Article, article_id),
                name=name,
                email=email,
                body=body,
                website=website,
                parent=db.session.get(Comment, parent_id) if parent_id else None,
                status=status,
                created_at=NOW + timedelta(minutes=minutes),
            )
            db.session.commit()
            return comment.id

    return make


@pytest.fixture
def add_link(app):
    def add(article_id: int, *, target_id: int | None = None, url: str | None = None, title: str | None = None):
        with app.app_context():
            from blog.models import Article

            authoring.add_curated_link(
                db.session.get(Article, article_id),
                target=db.session.get(Article, target_id) if target_id else None,
                url=url,
                title=title,
            )
            db.session.commit()

    return add


@pytest.fixture
def count_queries(app):
    """``with count_queries() as statements:`` collects the SQL the app runs inside the block."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "after_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "after_cursor_execute", record)

    return counting


@pytest.fixture
def post_comment(client):
    """Submit the comment form as a browser would: load the article, then post with its hidden fields."""

    def post(slug: str, *, query: str = "", **fields):
        page = client.get(f"/articles/{slug}{query}")
        data = form_fields(page.get_data(as_text=True))
        data.update({"name": "Pat Reader", "email": "pat@example.net", "website": "", "body": "Nice piece."})
        data.update(fields)
        return client.post(f"/articles/{slug}/comments", data=data)

    return post


PASSWORD = "correct horse battery staple"


@pytest.fixture
def sign_in(client, make_user):
    """``sign_in("editor")`` creates a user with that role and signs the test client in; returns the user id."""

    counter = iter(range(1, 10_000))

    def sign(role: str = "editor", *, name: str | None = None, email: str | None = None) -> int:
        email = email or f"{role}{next(counter)}@example.org"
        user_id = make_user(name or f"{role.title()} Person", role=role, email=email, password=PASSWORD)
        token = form_fields(client.get("/login").get_data(as_text=True), "//form[@method='post']").get("csrf_token")
        response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token or ""})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user_id

    return sign


# --- Redis (issue 6): BLOG_TEST_REDIS_URL, like BLOG_TEST_DATABASE_URL ------------------------------

REDIS_URL = os.environ.get("BLOG_TEST_REDIS_URL")


def redis_url_or_skip() -> str:
    return server_url_or_skip("Redis", REDIS_URL, "BLOG_TEST_REDIS_URL")


@contextmanager
def redis_namespace(url: str) -> Iterator[dict]:
    """Settings that give an app its own key prefixes in the test Redis; its keys are removed afterwards."""
    import uuid

    import redis

    prefix = f"blogtest-{uuid.uuid4().hex[:12]}"
    try:
        yield {"REDIS_URL": url, "CACHE_KEY_PREFIX": f"{prefix}:", "RATELIMIT_KEY_PREFIX": prefix}
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def redis_settings() -> Iterator[dict]:
    """``REDIS_URL`` and key prefixes of the test's own (use with ``app_config``-style overrides)."""
    with redis_namespace(redis_url_or_skip()) as settings:
        yield settings


def enable_cache(request, app, kind: str):
    """Switch the test's app's cache on: ``SimpleCache`` (in-process), ``FileSystemCache`` (a directory of the
    test's own: a SQLite site's default) or ``RedisCache`` (the test Redis under a key prefix of its own);
    ``NullCache`` leaves it off."""
    from blog import cache

    if kind == "NullCache":
        return app
    settings = {"CACHE_TYPE": "SimpleCache"}
    if kind == "FileSystemCache":
        settings = {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": os.path.join(app.instance_path, "cache"),
            "CACHE_THRESHOLD": 0,
        }  # as blog.config.derive sets it
    if kind == "RedisCache":
        redis = request.getfixturevalue("redis_settings")
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis["REDIS_URL"],
            "CACHE_KEY_PREFIX": redis["CACHE_KEY_PREFIX"],
        }
    app.config.update(settings)
    cache.init_app(app)
    return app


@pytest.fixture(params=["SimpleCache", "FileSystemCache", "RedisCache"])
def cached(request, app):
    """The test's app with its cache on."""
    return enable_cache(request, app, request.param)
