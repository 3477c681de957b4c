"""One JSON line per request on the ``blog.requests`` logger: method, path, status, duration, request id.

Deliberately never the query string, form fields, cookies or the client address: those can carry a
commenter's email or other personal data. gunicorn's settings (``blog/gunicorn_conf.py``) print the
lines on stdout; elsewhere the logger is silent unless configured.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request

log = logging.getLogger("blog.requests")
HEADER = "X-Request-ID"
_USABLE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # e.g. nginx's $request_id; anything else is replaced


def init_app(app: Flask) -> None:
    """Register early, so the clock starts before other before-request hooks can answer."""
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _USABLE_ID.fullmatch(incoming) else _new_id()


_random = {"pid": None, "source": random.Random()}


def _new_id() -> str:
    """128 random bits, from a generator seeded per process from the OS (no system call per request, unlike
    uuid4; and unlike a counter it says nothing about how many requests a worker has served)."""
    if _random["pid"] != os.getpid():  # a forked worker must not repeat its parent's sequence
        _random.update(pid=os.getpid(), source=random.Random(os.urandom(16)))
    return f"{_random['source'].getrandbits(128):032x}"


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or _new_id()  # absent when a hook before ours answered
    response.headers[HEADER] = request_id
    if log.isEnabledFor(logging.INFO):
        started = g.get("request_started")
        log.info(json.dumps({
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": None if started is None else round((time.perf_counter() - started) * 1000, 1),
        }))
    return response
