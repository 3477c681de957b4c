"""One JSON line per request: time, request id, method, path, status, duration; and the ``X-Request-ID``.

Deliberately never the query string, form fields, cookies or the client address: those can carry a
commenter's email or other personal data. Where the lines go is the ``REQUEST_LOG`` setting: ``-`` for
standard output (what ``blog/gunicorn_conf.py`` sets), a file path (relative: in the instance folder), or
nothing (the default: no lines, e.g. under ``flask run``, which prints its own).

A WSGI middleware rather than Flask hooks and the ``logging`` module: every line is one ``write`` of one
whole line (under the pipe's atomic size, so lines from several workers sharing stdout never interleave),
made without a log record, handler chain and formatter, which cost a cached page about a sixth of its time
(docs/performance.md). It sees every response, also those answered before any Flask hook ran.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)
HEADER = "X-Request-ID"
ENVIRON_KEY = "blog.request_id"  # the request's id, for whoever else wants to name it
_USABLE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # e.g. nginx's $request_id; anything else is replaced
_EXTENSION = "blog_request_log"


def init_app(app: Flask) -> None:
    """Wrap the app (before ProxyFix wraps it in turn: the path logged is the one the app sees)."""
    middleware = RequestLog(app.wsgi_app, _opener(app.config.get("REQUEST_LOG"), app.instance_path))
    app.wsgi_app = app.extensions[_EXTENSION] = middleware


@contextlib.contextmanager
def silenced(app: Flask) -> Iterator[None]:
    """No lines for the requests made inside (e.g. a warm-up: they are not visitors)."""
    middleware: RequestLog = app.extensions[_EXTENSION]
    write, middleware.write = middleware.write, None
    try:
        yield
    finally:
        middleware.write = write


class RequestLog:
    def __init__(self, wsgi_app: Callable, write: Callable[[bytes], object] | None) -> None:
        self.wsgi_app = wsgi_app
        self.write = write

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = environ[ENVIRON_KEY] = incoming if _USABLE_ID.fullmatch(incoming) else _new_id()
        status = ["000"]

        def start(status_line: str, headers: list, exc_info=None):
            status[0] = status_line
            return start_response(status_line, [*headers, (HEADER, request_id)], exc_info)

        body = self.wsgi_app(environ, start)
        if self.write is not None:
            self.write(line(environ, request_id, status[0], time.perf_counter() - started))
        return body


def line(environ: dict, request_id: str, status: str, seconds: float) -> bytes:
    """The JSON line (``request_id`` is known to be plain characters; method and path are escaped)."""
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")  # as WSGI has it
    code = status.split(" ", 1)[0]
    return (
        f'{{"time": "{_timestamp(time.time())}", "request_id": "{request_id}", "method": {json.dumps(method)}, '
        f'"path": {json.dumps(path or "/")}, "status": {int(code) if code.isdigit() else 0}, '
        f'"duration_ms": {seconds * 1000:.1f}}}\n'
    ).encode()


_second: tuple[int, str] = (0, "")


def _timestamp(now: float) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. ``2026-11-28T23:44:30.123+00:00``; the date part made once a
    second."""
    global _second
    whole = int(now)
    if _second[0] != whole:
        _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{_second[1]}.{int((now - whole) * 1000):03d}+00:00"


_random = {"pid": None, "source": random.Random()}


def _new_id() -> str:
    """128 random bits, from a generator seeded per process from the OS (no system call per request, unlike
    uuid4; and unlike a counter it says nothing about how many requests a worker has served)."""
    if _random["pid"] != os.getpid():  # a forked worker must not repeat its parent's sequence
        _random.update(pid=os.getpid(), source=random.Random(os.urandom(16)))
    return f"{_random['source'].getrandbits(128):032x}"


def _opener(target: str | None, instance_path: str) -> Callable[[bytes], object] | None:
    """``REQUEST_LOG`` as a function writing one line: to stdout, to a file opened on first use (in the
    worker: a descriptor opened before a fork would be shared), or None."""
    if not target:
        return None
    if target == "-":
        return _Lines(lambda: sys.stdout.fileno())
    path = Path(instance_path, target)
    return _Lines(lambda: os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640))


class _Lines:
    """Writes each line with one system call; a failing write loses that line, never the response."""

    def __init__(self, open_fd: Callable[[], int]) -> None:
        self._open = open_fd
        self._fd: int | None = None
        self._pid = 0
        self._failed = False

    def __call__(self, data: bytes) -> None:
        try:
            if self._pid != os.getpid():
                self._pid, self._fd = os.getpid(), self._open()
            os.write(self._fd, data)
            self._failed = False
        except OSError:
            if not self._failed:  # once per run of failures, not once per request
                log.warning("request log: a line could not be written", exc_info=True)
            self._failed = True
