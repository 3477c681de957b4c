"""One JSON line per request: time, request id, method, path, status, duration; and the ``X-Request-ID``.

Never the query string, form fields, cookies or the client address: those can carry a commenter's email.
The logger ``blog.requestlog`` writes where ``REQUEST_LOG`` says: ``-`` for stdout (``blog/gunicorn_conf.py``
sets it), a file path (relative: in the instance folder), or nowhere (the default; ``flask run`` prints its
own). A handler writes each whole line at once, so several workers' lines never interleave.

A small WSGI middleware rather than request hooks: it times the whole response and logs an exception that
escapes the app as the 500 the client gets, which ``after_request`` never sees.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import re
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wsgi import get_path_info

log = logging.getLogger(__name__)
HEADER = "X-Request-ID"
FIELDS = ("request_id", "method", "path", "status", "duration_ms")  # and "time"
_USABLE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # e.g. nginx's $request_id; anything else is replaced
_EXTENSION = _HANDLER = "blog.requestlog"


def init_app(app: Flask) -> None:
    """Wrap the app (before ProxyFix wraps it in turn: the path logged is the one the app sees)."""
    _set_handler(app.config.get("REQUEST_LOG"), app.instance_path)
    middleware = app.extensions[_EXTENSION] = RequestLog(app.wsgi_app)
    app.wsgi_app = middleware  # type: ignore[method-assign]  # Flask's documented way to wrap the app in a middleware


@contextlib.contextmanager
def silenced(app: Flask) -> Iterator[None]:
    """No lines for the requests made inside (e.g. a warm-up: they are not visitors)."""
    middleware: RequestLog = app.extensions[_EXTENSION]
    middleware.silent = True
    try:
        yield
    finally:
        middleware.silent = False


class RequestLog:
    silent = False

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response):
        started = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _USABLE_ID.fullmatch(incoming) else uuid.uuid4().hex
        status = 500  # what the client gets if an exception escapes the app before it starts a response

        def start(status_line: str, headers: list, exc_info=None):
            nonlocal status
            status = int(status_line.split(" ", 1)[0])
            return start_response(status_line, [*headers, (HEADER, request_id)], exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            if not self.silent:
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": environ.get("REQUEST_METHOD", ""),
                        "path": get_path_info(environ) or "/",
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )


def _set_handler(target: str | None, instance_path: str) -> None:
    """The lines go to ``target`` alone, not also to the root logger's handlers (gunicorn's stderr). Replaces
    the handler of an app made earlier in this process."""
    log.setLevel(logging.INFO)
    log.propagate = False
    for old in [handler for handler in log.handlers if handler.name == _HANDLER]:
        log.removeHandler(old)
        old.close()
    if not target:
        return
    handler = logging.StreamHandler(sys.stdout) if target == "-" else _File(Path(instance_path, target))
    handler.set_name(_HANDLER)
    handler.setFormatter(JsonFormatter(FIELDS, timestamp="time"))  # ISO 8601, UTC
    log.addHandler(handler)


class _File(logging.handlers.WatchedFileHandler):
    """Opened in each worker on its first line, reopened after rotation moved it. A failed open is reported
    on stderr like a failed write, instead of escaping into the request."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)
        except OSError:
            self.handleError(record)
