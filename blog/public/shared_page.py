"""The article page as a plain anonymous reader gets it: one shared copy, their own form tokens, 304s.

A *plain* reader is not signed in, has no comment awaiting moderation, no remembered name, no flash
message and is not replying: everything on their page is the same for all such readers except two
hidden form fields, the CSRF token (bound to their session) and the signed form timestamp. So the page
is rendered once with *slots* in those two places, kept in the shared cache (``blog/cache.py``, when
Redis is configured) and served with the reader's own values put in the slots.

Conditional requests: the ETag is weak (the tokens in the body differ per response) and made of
- a digest of the page with its slots, so any change a reader could see gives a new tag;
- a keyed digest of the reader's CSRF session secret and the hour, so a browser only reuses a copy whose
  tokens are still valid for this session (both tokens live for a day: ``WTF_CSRF_TIME_LIMIT``).
``Cache-Control: private, no-cache``: shared caches must not store a page holding a reader's token;
the browser may keep it and revalidate. Personal pages (pending comments, a remembered email address,
staff) are ``private, no-store``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, request, session
from flask_login import config as login_config
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags

from blog import cache
from blog.public import commenter
from blog.public.forms import form_token
from blog.security import SessionInterface, csrf_token, new_csrf_secret, sign_csrf_secret

log = logging.getLogger(__name__)

ETAG_WINDOW_SECONDS = 3600  # a revalidated copy's form tokens are at most this old
_clock = time.time
_CSRF_SECRET = "csrf_token"  # where Flask-WTF keeps the session's CSRF secret (WTF_CSRF_FIELD_NAME, not changed)
_SIGNED_IN = "_user_id"  # where Flask-Login keeps the signed-in user's id


def is_plain_reader() -> bool:
    """Cheap checks only: whoever might be signed in (a user id in the session, a remember-me cookie) is not
    a plain reader, without asking Flask-Login to load the user (that path renders the page for them)."""
    return not (
        _SIGNED_IN in session
        or current_app.config.get("REMEMBER_COOKIE_NAME", login_config.COOKIE_NAME) in request.cookies
        or commenter.pending_ids()
        or commenter.COOKIE in request.cookies
        or "replytocom" in request.args
        or "_flashes" in session
    )


@functools.lru_cache(maxsize=8)
def _slots(secret: str) -> tuple[str, str]:
    """Placeholders no one can type into a comment: derived from the secret key, the same on every node."""
    digest = hmac.new(secret.encode(), b"article-page-slots", hashlib.sha256).hexdigest()
    return f"slot-csrf-{digest[:24]}", f"slot-ts-{digest[24:48]}"


def slots() -> tuple[str, str]:
    return _slots(current_app.config["SECRET_KEY"])


CACHE_CONTROL = "private, no-cache"
HTML = "text/html; charset=utf-8"


def respond(slug: str, variant: str, render: Callable[[], cache.PageEntry]) -> Response:
    """The page for ``slug`` and ``variant`` (its comment page) from the cache, else from ``render()``.

    304 when the reader's copy is still good.
    """
    entry = cache.get_page(slug, variant) if cache.enabled() else None
    if entry is None:
        entry = render()
    wants_token = "csrf" in entry.fills
    # A new session gets its secret now, as part of the ETag; a returning reader's token is signed only
    # when the page is sent (not for a 304).
    token = csrf_token() if wants_token and _CSRF_SECRET not in session else None
    etag = _etag(entry, session.get(_CSRF_SECRET, ""))
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": f'W/"{etag}"'}
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    if token is None:
        token = csrf_token() if wants_token else ""
    return Response(_body(entry, token), content_type=HTML, headers=headers)


def _body(entry: cache.PageEntry, csrf: str) -> bytes:
    """The page with the reader's CSRF token and a fresh form timestamp in its slots."""
    values = {"csrf": csrf.encode(), "ts": form_token(entry.article_id).encode()} if entry.fills else {}
    body = [entry.chunks[0]]
    for fill, chunk in zip(entry.fills, entry.chunks[1:]):
        body += (values[fill], chunk)
    return b"".join(body)


def make_entry(html: str, article_id: int, versions: tuple[str, str]) -> cache.PageEntry:
    """The rendered page (with slots) as a cache entry: bytes cut at the slots, joined per reader.

    Encoded once (the page is not ASCII: 77 µs for the fixture's 56 KB) and cut with ``bytes.find`` (a page
    has a slot or two); encoding each piece again, a regular expression over the page and a BLAKE2 digest
    made this 173 µs, now 85.
    """
    data = html.encode()
    csrf_slot, ts_slot = (slot.encode() for slot in slots())
    chunks, fills, start = [], [], 0
    while True:
        found = [(at, slot) for slot in (csrf_slot, ts_slot) if (at := data.find(slot, start)) >= 0]
        if not found:
            break
        at, slot = min(found)
        chunks.append(data[start:at])
        fills.append("csrf" if slot == csrf_slot else "ts")
        start = at + len(slot)
    chunks.append(data[start:])
    return cache.PageEntry(
        chunks=tuple(chunks),
        fills=tuple(fills),
        article_id=article_id,
        digest=hashlib.sha256(data).hexdigest()[:24],
        site_version=versions[0],
        article_version=versions[1],
    )


def _etag(entry: cache.PageEntry, csrf_secret: str) -> str:
    """``<page digest>-<reader digest>``; the reader part is keyed so it reveals nothing about the session."""
    window = int(_clock() // ETAG_WINDOW_SECONDS)
    reader = hmac.new(
        current_app.config["SECRET_KEY"].encode(), f"{csrf_secret}:{window}".encode(), hashlib.sha256
    ).hexdigest()[:16]
    return f"{entry.digest}-{reader}"


def init_app(app: Flask, render: Callable[[str], cache.PageEntry]) -> None:
    """Serve new readers' article pages before Flask dispatches (``NewReaders``): the innermost middleware.
    ``render(slug)`` makes a page's shared copy (and caches it), in a request context; it may abort (404)."""
    app.wsgi_app = NewReaders(app, app.wsgi_app, render)


_ARTICLE_PATH = re.compile(r"/articles/([a-z0-9-]{1,200})")  # public.article's rule, for slugs as they are made


class NewReaders:
    """WSGI middleware: the article page for a reader who sends no cookie at all, made from the shared copy
    without Flask dispatching the request — the copy this process cached, or one rendered now (and cached) by
    the function the view uses: the same response the view gives, for less work (Flask's request handling,
    hooks and ``Response`` were ~130 of a cached page's ~190 µs, and ~7 % of an uncached page's).

    Most article requests are like that: first visits, links followed from elsewhere, feed readers and
    crawlers. Without a cookie the reader is plain (no session, sign-in, pending comment, remembered name or
    flash: ``is_plain_reader``), without a query string it is the first comment page, and the new session
    made for them matches no ``If-None-Match`` (so a page with a form is never a 304; one without, comments
    closed, is compared like the view compares it). The response is the shared page with a new session's
    tokens, made by the functions the view uses: ``_body``, ``_etag``, ``new_csrf_secret`` and the session
    interface's ``new_session_cookie``.

    Skipped by answering here: Flask's ``before_request`` hooks (the access policy: the article page is
    anyone's; the CSRF check: a GET) and Flask-Login's after-request hook (it acts on signed-in sessions
    only); the request and app contexts' teardowns still run. tests/app/test_new_readers.py lists the app's
    hooks, so that adding one makes someone decide whether it applies here too. Everything else goes to
    Flask: another method, any cookie, a query string, an article that isn't there (the view's 404 page),
    CSRF protection off, host checks configured, a session interface other than ours, and any failure here
    (logged).
    """

    def __init__(self, app: Flask, wsgi_app, render: Callable[[str], cache.PageEntry]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.render = render

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and "HTTP_COOKIE" not in environ and not environ.get("QUERY_STRING"):
            found = _ARTICLE_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if found is not None and self._servable():
                try:
                    with self.app.app_context():
                        answer = _new_reader_page(self.app, environ, found[1], self.render)
                except HTTPException:  # the view says it too (a 404 page), with the app's error handlers
                    answer = None
                except Exception:  # never worse than Flask: it answers instead, error page and all
                    log.exception("new reader's page: answered by the app instead")
                    answer = None
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _servable(self) -> bool:
        config = self.app.config
        return (
            isinstance(self.app.session_interface, SessionInterface)  # ours: it writes the new session's cookie
            and config["WTF_CSRF_ENABLED"]
            and not config.get("TRUSTED_HOSTS")
            and not config.get("SERVER_NAME")
        )


def _new_reader_page(
    app: Flask, environ: dict, slug: str, render: Callable[[str], cache.PageEntry]
) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The status, headers and body ``respond`` gives a request without cookies, or None to let the view
    answer. In an app context; a page not in the cache is rendered in a request context of its own."""
    entry = cache.get_page(slug, "") if cache.enabled() else None
    if entry is None:
        with app.request_context(environ):
            entry = render(slug)
    if "csrf" not in entry.fills:  # comments closed: no form, no session, one ETag for everyone
        tag = _etag(entry, "")
        headers = [("Cache-Control", CACHE_CONTROL), ("ETag", f'W/"{tag}"')]
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(tag):
            return "304 NOT MODIFIED", [*headers, ("Vary", "Cookie")], b""
        body = _body(entry, "")
        headers += [("Content-Type", HTML), ("Content-Length", str(len(body))), ("Vary", "Cookie")]
        return "200 OK", headers, body
    secret = new_csrf_secret()
    cookie = app.session_interface.new_session_cookie(app, {_CSRF_SECRET: secret}, app.config["MAX_COOKIE_SIZE"])
    if cookie is None:
        return None
    body = _body(entry, sign_csrf_secret(secret))
    return "200 OK", [
        ("Cache-Control", CACHE_CONTROL),
        ("ETag", f'W/"{_etag(entry, secret)}"'),
        ("Content-Type", HTML),
        ("Content-Length", str(len(body))),
        ("Set-Cookie", cookie),
        ("Vary", "Cookie"),
    ], body
