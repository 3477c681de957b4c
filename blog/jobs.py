"""The job queue: Huey, one instance per app, configured from the app's settings.

Work that must not run inside a request, or runs on a schedule, is a plain function taking ids (never ORM
objects) and safe to run twice, marked ``@jobs.task`` or ``@jobs.periodic(minute=..., hour=...)`` where it is
defined. ``init_app`` registers every such function with the app's Huey, wrapped so that it runs inside an
app context of that app: the consumer (``flask blog worker``) is started by the Flask CLI, which builds the
app first, so its tasks see the same configuration, database and mail settings as the web server.

Storage (``JOBS_BACKEND``): ``sqlite`` — a file beside the site's SQLite database (or in the instance folder),
nothing more to run; ``redis`` — ``REDIS_URL``, shared by several nodes; ``immediate`` — tests: a task runs
at once, in the caller. Unset: ``redis`` when ``REDIS_URL`` is set, else ``sqlite``.

``after_commit(fn, *args)`` queues a task once the current transaction commits (nothing if it rolls back).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask, current_app

from blog import outbox
from blog.extensions import db

if TYPE_CHECKING:  # Huey itself (11 MiB) is imported when a queue is first built, not by every command
    from huey.api import Huey, TaskWrapper

__all__ = ["BACKENDS", "Jobs", "after_commit", "after_commit_at", "periodic", "task"]

log = logging.getLogger(__name__)
BACKENDS = ("sqlite", "redis", "immediate")
# The modules that define tasks: imported by init_app, so every app (and the consumer) knows them all.
TASK_MODULES = (
    "blog.services.outbox_mail",
    "blog.services.retention",
    "blog.services.notifications",
    "blog.services.authoring",
    "blog.services.media",
    "blog.services.wxr_import",
    "blog.services.commenters",
)

Schedule = dict[str, str]  # huey.crontab's arguments: minute, hour, day, month, day_of_week
_registry: dict[str, tuple[Callable[..., Any], Schedule | None]] = {}


def task(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``fn`` as a task (queued with ``after_commit(fn, ...)`` or ``enqueue(fn, ...)``). It stays a plain
    function: calling it runs it here and now."""
    _registry[_name(fn)] = (fn, None)
    return fn


def periodic(**schedule: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Mark a function without arguments to run on a schedule by the consumer: huey.crontab's arguments
    (``periodic(minute="0", hour="6")``)."""

    def mark(fn: Callable[[], Any]) -> Callable[[], Any]:
        _registry[_name(fn)] = (fn, schedule)
        return fn

    return mark


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def backend(config: Mapping[str, Any]) -> str:
    chosen = config.get("JOBS_BACKEND") or ("redis" if config.get("REDIS_URL") else "sqlite")
    if chosen not in BACKENDS:
        raise ValueError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, not {chosen!r}")
    return chosen


def sqlite_path(config: Mapping[str, Any], instance_path: str) -> str:
    """``JOBS_SQLITE_PATH`` (relative: in the instance folder); by default beside the site's SQLite database
    (``blog.sqlite3`` -> ``blog.jobs.sqlite3``), or ``jobs.sqlite3`` in the instance folder."""
    if config.get("JOBS_SQLITE_PATH"):
        return os.path.join(instance_path, config["JOBS_SQLITE_PATH"])
    url = sa.engine.make_url(config["SQLALCHEMY_DATABASE_URI"])
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return os.path.join(instance_path, "jobs.sqlite3")
    stem, _ = os.path.splitext(os.path.join(instance_path, database))  # an absolute path stays as it is
    return f"{stem}.jobs.sqlite3"


def build_huey(config: Mapping[str, Any], instance_path: str) -> Huey:
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    name = config.get("JOBS_QUEUE_NAME") or "blog"
    chosen = backend(config)
    if chosen == "immediate":
        return MemoryHuey(name, immediate=True, results=False)
    if chosen == "redis":
        if not config.get("REDIS_URL"):
            raise ValueError("JOBS_BACKEND is redis but REDIS_URL is not set")
        import redis

        pool = redis.ConnectionPool.from_url(config["REDIS_URL"], **config["REDIS_OPTIONS"])  # fail fast when down
        return RedisHuey(name, connection_pool=pool, results=False)
    return SqliteHuey(name, filename=sqlite_path(config, instance_path), results=False)


class Jobs:
    """The app's queue: its Huey (made on first use, so commands that queue nothing create no file) and the
    registered tasks."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.backend = backend(app.config)
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()  # a server's threads may all queue their first task at once

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._build()
        return self._huey

    def _build(self) -> Huey:
        from huey import crontab

        huey = build_huey(self.app.config, self.app.instance_path)
        for name, (fn, schedule) in _registry.items():
            run = self._in_app_context(fn)
            if schedule is None:
                self._tasks[name] = huey.task(name=fn.__qualname__)(run)  # Huey adds the module
            else:
                self._tasks[name] = huey.periodic_task(crontab(**schedule), name=fn.__qualname__)(run)
        return huey

    def _in_app_context(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        app = self.app

        @functools.wraps(fn)
        def run(*args: Any) -> Any:
            with app.app_context():  # a session of its own, removed when the context ends
                return fn(*args)

        return run

    def enqueue(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)`` now (immediate mode: run it now)."""
        self.huey  # noqa: B018  (registers the tasks)
        self._tasks[_name(fn)](*args)

    def schedule(self, eta: datetime, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)`` to run at ``eta`` (an aware datetime); the consumer runs it when that time comes
        (or at its next start, if it was down then). Immediate mode keeps it in Huey's schedule: tests run it
        with ``huey.read_schedule``."""
        self.huey  # noqa: B018  (registers the tasks)
        self._tasks[_name(fn)].schedule(args=args, eta=eta)

    def pending_count(self) -> int:
        return int(self.huey.pending_count())


def init_app(app: Flask) -> None:
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)
    app.extensions["jobs"] = Jobs(app)


def current() -> Jobs:
    found: Jobs = current_app.extensions["jobs"]
    return found


def enqueue(fn: Callable[..., Any], *args: Any) -> None:
    current().enqueue(fn, *args)


def after_commit(fn: Callable[..., Any], *args: Any) -> None:
    """Queue ``fn(*args)`` once the current database transaction commits; nothing if it rolls back. If the
    queue cannot be reached the error is logged: work whose state is in the database (the mail outbox) is
    picked up again by its periodic task."""
    outbox.after_commit(db.session, current().enqueue, fn, *args)


def after_commit_at(eta: datetime, fn: Callable[..., Any], *args: Any) -> None:
    """Like ``after_commit``, for a task to run at ``eta``."""
    outbox.after_commit(db.session, current().schedule, eta, fn, *args)
