"""Browser fixtures: Debian's Chromium, driven by Playwright, against the app on a real loopback server.

One browser per test session; one server per test module and database (a fresh migrated SQLite file, and
PostgreSQL). Every
page a test opens is watched for script errors and Content-Security-Policy refusals, and a failing
test leaves screenshots of its open pages in ``test-artifacts/browser/failures/``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from werkzeug.serving import make_server

from blog import create_app
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, User
from blog.services import authoring, comments, users
from blog.services.demo import load_demo
from tests.conftest import IN_CI, NOW, PASSWORD, PG_URL, app_config, postgres_url_or_skip
from tests.system.cluster import migrated_database

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]  # without the networking flags Chromium tries to reach the internet
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000  # an element that has not appeared by then is not coming


def chromium_or_skip() -> str:
    """Chromium's path; skipped with a reason locally, a failure in CI (like ``postgres_url_or_skip``)."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: no Chromium at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"Chromium not installed at {CHROMIUM}: browser tests skipped (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@dataclass
class LiveServer:
    """The app served over HTTP on 127.0.0.1, and direct access to its database for seeding and checks."""

    app: Flask
    url: str

    @contextmanager
    def session(self) -> Iterator[sa.orm.Session]:
        """The app's database session; what the block adds is committed when it ends."""
        with self.app.app_context():
            yield db.session
            db.session.commit()

    def user(self, name: str, *, role: str = "author", bio: str = "") -> Staff:
        """A staff member who signs in with their ``email`` and the shared test password."""
        with self.session() as s:
            user = users.create_user(email=email_for(name), name=name, role=role, password=PASSWORD, bio=bio)
            s.flush()
            return Staff(user.id, name, user.email, user.slug)

    def article(
        self,
        title: str,
        *,
        author: Staff,
        tags: tuple[str, ...] = (),
        links_to: tuple[str, ...] = (),
        body: str = "The harbour master confirmed the news on Tuesday.",
        hours_ago: int = 1,
    ) -> str:
        """A published article; ``links_to`` are slugs of articles it curates into Keep Reading. Returns its slug."""
        with self.session() as s:
            article = authoring.create_article(
                author=s.get(User, author.id),
                title=title,
                body=body,
                summary=f"What happened: {title.lower()}.",
                tags=authoring.get_or_create_tags((t, t.title()) for t in tags),
                published_at=NOW - timedelta(hours=hours_ago),
            )
            for slug in links_to:
                authoring.add_curated_link(article, target=s.scalar(sa.select(Article).filter_by(slug=slug)))
            return article.slug

    def comment(self, slug: str, *, name: str, body: str, status: CommentStatus = CommentStatus.PENDING) -> int:
        with self.session() as s:
            article = s.scalar(sa.select(Article).filter_by(slug=slug))
            comment = comments.record_comment(
                article,
                name=name,
                email=email_for(name),
                body=body,
                website="",
                parent=None,
                status=status,
                created_at=NOW,
            )
            s.flush()
            return comment.id

    def status_of(self, comment_id: int) -> CommentStatus:
        with self.session() as s:
            return s.get(Comment, comment_id).status

    def pending_count(self) -> int:
        with self.session() as s:
            return s.scalar(sa.select(sa.func.count()).where(Comment.status == CommentStatus.PENDING))


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    email: str
    slug: str


def email_for(name: str) -> str:
    return re.sub(r"[^a-z]+", ".", name.lower()).strip(".") + "@example.org"


def pytest_generate_tests(metafunc) -> None:
    """Each journey module runs on one database, named by its ``DATABASE``: the app tests already run every
    service on both, so a journey twice would check the browser's side twice. The modules are split between the
    two so that every database serves real browser flows; a "postgresql" module runs on SQLite where no
    PostgreSQL is configured (outside CI: CI must have it, and fails without)."""
    if "live_database" in metafunc.fixturenames:
        wanted = getattr(metafunc.module, "DATABASE", "sqlite")
        if wanted == "postgresql" and not (PG_URL or IN_CI):
            wanted = "sqlite"
        metafunc.parametrize("live_database", [wanted], indirect=True, scope="module")


@pytest.fixture(scope="module")
def live_database(request, tmp_path_factory) -> Iterator[str]:
    """A fresh SQLite file, or the worker's PostgreSQL database migrated and emptied before and after the module
    (modules run one at a time on a worker)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/site.sqlite3"
        return
    with migrated_database(postgres_url_or_skip(), tmp_path_factory.mktemp("pg")) as inspector:
        with inspector.app_context():
            db.engine.dispose()  # the inspector's connections are not needed while the server runs
        yield inspector.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture(scope="module")
def live_server(request, browser, live_database, tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a fresh migrated database, with real forms (CSRF on) and the shared fragment cache; a module's
    ``LIVE_SERVER_CONFIG`` adds settings (e.g. ``PROXY_FIX_X_FOR=1``: readers at different addresses, each
    browser context sending its own ``X-Forwarded-For`` as a reverse proxy would)."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        app_config(
            SQLALCHEMY_DATABASE_URI=live_database,
            WTF_CSRF_ENABLED=True,
            CACHE_TYPE="SimpleCache",
            COMMENT_MIN_SECONDS=0,
            RATELIMIT_ENABLED=False,
            **getattr(request.module, "LIVE_SERVER_CONFIG", {}),
        ),
        instance_path=str(folder),
    )
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_site(live_server) -> SimpleNamespace:
    """The demo newsroom (``blog seed-demo``, password ``PASSWORD``) plus three comments awaiting moderation."""
    with live_server.session():
        load_demo(password=PASSWORD)
    story = "storm-delphine-cuts-power-and-halts-saltholme-ferry"
    held = [
        live_server.comment(story, name="Dawn Trevail", body="The bus to Tidewell is running again, if you wondered."),
        live_server.comment(story, name="Win Big Now", body="Cheap generators!!! Visit our shop for storm deals."),
        live_server.comment(
            "full-saltholme-ferry-timetable-returns-after-repairs",
            name="Colin Hosking",
            body="Is the 07:10 sailing back as well, or only the afternoon ones?",
        ),
    ]
    return SimpleNamespace(
        story=story,
        author="farid-mensah",
        held=held,
        editor="ruth.calloway@example.org",
        writer="farid.mensah@example.net",
    )


@pytest.fixture
def new_context(request, browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(java_script_enabled=False, viewport=MOBILE)``: a fresh browser profile (no cookies).

    Script errors and CSP refusals on any of its pages fail the test.
    """
    opened: list[BrowserContext] = []
    problems: list[str] = []

    def watch(page) -> None:
        def console(message) -> None:  # a 403 or 422 answer is logged as "Failed to load resource": expected
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                problems.append(f"{page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))

    def make(**options) -> BrowserContext:
        context = browser.new_context(**{"base_url": live_server.url, "viewport": DESKTOP, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)
        opened.append(context)
        return context

    yield make
    if getattr(request.node, "failed_call", False):
        _save_failure_screenshots(request.node.name, opened)
    for context in opened:
        context.close()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report


def _save_failure_screenshots(test_name: str, contexts: list[BrowserContext]) -> None:
    folder = ARTIFACTS / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", test_name)
    for c, context in enumerate(contexts):
        for p, page in enumerate(context.pages):
            page.screenshot(path=folder / f"{safe}-{c}-{p}.png", full_page=True)
