"""Real servers for system tests: gunicorn nodes on loopback ports, a browser-like HTTP client, databases.

Every server a test starts is stopped by that test (fixtures use these as context managers).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from blog import create_app
from blog.extensions import db
from blog.models import CommentStatus
from blog.orm import utcnow
from blog.services import authoring, comments, users
from tests.conftest import app_config
from tests.helpers import form_fields

SECRET_KEY = "system-test-secret-key-not-the-default"
_OWN_ENV = re.compile(r"^(SECRET_KEY|DATABASE_URL|REDIS_URL|MAIL_.*|BLOG_.*|FLASK_.*|WEB_CONCURRENCY|GUNICORN_.*)$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_env(database_url: str, **settings: str) -> dict[str, str]:
    """A production environment: the machine's, less any blog settings, plus these (e.g. BLOG_…=…)."""
    env = {k: v for k, v in os.environ.items() if not _OWN_ENV.match(k)}
    env.update(
        SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url, BLOG_COMMENT_MIN_SECONDS="0", BLOG_SITE_URL="http://127.0.0.1"
    )  # production requires it; any port of this host is served
    if database_url.startswith("sqlite:///"):  # a SQLite site caches in files: next to the test's database
        env["BLOG_CACHE_DIR"] = str(Path(database_url.removeprefix("sqlite:///")).parent / "cache")
    env.update(settings)
    return env


@dataclass
class Node:
    """One gunicorn master (``blog.gunicorn_conf``) with its workers, on 127.0.0.1:<free port>."""

    env: dict[str, str]
    logs: Path
    workers: int = 2
    threads: int = 4
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self, *, wait: bool = True) -> Node:
        self.port = free_port()
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:blog.gunicorn_conf",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                env=self.env,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if wait:
            self.wait_ready()
        return self

    @property
    def stdout_path(self) -> Path:
        return self.logs / f"gunicorn-{self.port}.out"

    @property
    def stderr_path(self) -> Path:
        return self.logs / f"gunicorn-{self.port}.err"

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.stderr_path.read_text()}")
            try:
                if Browser(self.port).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{self.stderr_path.read_text()}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # graceful: the master stops its workers
        self.wait_stopped()

    def wait_stopped(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session this test started, and nothing else
            self.process.wait(timeout=10)

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """``flask --app blog …`` with this node's environment (the CLI on the node's machine)."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "blog", *args],
            env=self.env,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )


@contextmanager
def running(*nodes: Node) -> Iterator[tuple[Node, ...]]:
    """Start the nodes side by side, and stop them all however the block ends."""
    try:
        for node in nodes:
            node.start(wait=False)
        for node in nodes:
            node.wait_ready()
        yield nodes
    finally:
        live = [node for node in nodes if node.process is not None and node.process.poll() is None]
        for node in live:
            node.process.terminate()
        for node in live:
            node.wait_stopped()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Browser:
    """A reader's browser: its own cookies (sent whatever their Secure flag: TLS ends at the proxy),
    optionally a client address as a reverse proxy would pass it on (X-Forwarded-For)."""

    port: int
    forwarded_for: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Response:
        sent = dict(headers or {})
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            text = raw.read().decode()
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def comment_form(self, slug: str) -> dict[str, str]:
        """Open the article as a reader does: the session cookie, CSRF token and form timestamp."""
        page = self.get(f"/articles/{slug}")
        assert page.status == 200, page.text[:500]
        return form_fields(page.text)

    def post_comment(self, slug: str, hidden: dict[str, str] | None = None, **fields: str) -> Response:
        form = {**(hidden if hidden is not None else self.comment_form(slug)), **fields}
        return self.request("POST", f"/articles/{slug}/comments", form=form)


def comment_id(response: Response) -> int:
    """The id in a 303's ``Location: /articles/<slug>#comment-<id>``."""
    return int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))


# --- Databases ------------------------------------------------------------------------------------


@contextmanager
def migrated_database(url: str, tmp_path: Path) -> Iterator[Flask]:
    """The database at ``url`` migrated and empty, with a test app on it to seed and inspect; emptied after."""
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path / "inspector"))
    with app.app_context():
        flask_migrate.upgrade()
        _empty(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            _empty(app)
            db.engine.dispose()


def _empty(app: Flask) -> None:
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()


def seed_article(app: Flask, slug: str, *, known: list[tuple[str, str]] = ()) -> int:
    """A published article; each (name, email) in ``known`` has an approved comment on it already."""
    with app.app_context():
        author = users.create_user(
            email=f"writer-{slug}@example.org", name=f"Writer of {slug}", role="author", password=None
        )
        now = utcnow()
        article = authoring.create_article(
            author=author, title=f"News: {slug}", slug=slug, body="The story.", published_at=now - timedelta(hours=1)
        )
        for name, email in known:
            comments.record_comment(
                article,
                name=name,
                email=email,
                body=f"Earlier words from {name}.",
                status=CommentStatus.APPROVED,
                created_at=now - timedelta(minutes=30),
            )
        db.session.commit()
        return article.id


def scalar(app: Flask, sql: str, **params):
    with app.app_context():
        try:
            return db.session.execute(sa.text(sql), params).scalar()
        finally:
            db.session.remove()


def execute(app: Flask, sql: str, **params) -> None:
    with app.app_context():
        db.session.execute(sa.text(sql), params)
        db.session.commit()
        db.session.remove()


def consistency_problems(app: Flask) -> dict[str, int]:
    """Rows that point nowhere or disagree; every value must be 0 in a consistent database."""
    checks = {
        "comments without their article": "SELECT count(*) FROM comments c LEFT JOIN articles a ON a.id = c.article_id"
        " WHERE a.id IS NULL",
        "replies without their parent": "SELECT count(*) FROM comments c LEFT JOIN comments p ON p.id = c.parent_id"
        " WHERE c.parent_id IS NOT NULL AND p.id IS NULL",
        "events without their comment": "SELECT count(*) FROM moderation_events e LEFT JOIN comments c"
        " ON c.id = e.comment_id WHERE e.comment_id IS NOT NULL AND c.id IS NULL",
        "comments without their 'submitted' event": "SELECT count(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM"
        " moderation_events e WHERE e.comment_id = c.id"
        " AND e.action = 'submitted')",
        "articles whose count is wrong": "SELECT count(*) FROM articles a WHERE a.comment_count <> (SELECT count(*)"
        " FROM comments c WHERE c.article_id = a.id AND c.status = 'approved')",
    }
    return {name: scalar(app, sql) for name, sql in checks.items()}
