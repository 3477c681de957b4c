"""The shared cache (Flask-Caching): Redis when ``REDIS_URL`` is set; without it, files in ``CACHE_DIR`` for
a SQLite site (one machine: its workers and CLI share the directory), else off (``blog.config.derive``).

It holds two things for article pages:

- whole pages as an anonymous reader without a comment of their own sees them, with the reader's
  form tokens left as slots (``blog/public/shared_page.py`` fills them in per request);
- the comment thread alone, for readers whose page is personal but whose thread is not.

Entries are checked against version tokens kept in the cache: one per article (its comments: changes
of a Comment, and ``article_changed``) and one for the site (everything else a page shows: articles,
authors, tags, Keep Reading links, settings). Any flush that touches such a row queues a new version
for after the commit (``_watch`` below), so editors and moderators never have to remember to purge.
Two rules keep it exact:

- the new version is written *after* the commit that changed the data (``outbox.after_commit``);
- a page reads the versions *before* it queries the data;

so nothing is ever stored under a version newer than the data it was rendered from.

The cache only speeds pages up: while Redis is unreachable pages are rendered without it (logged), and
a missed invalidation heals when fragments expire (``CACHE_DEFAULT_TIMEOUT``). Nothing personal goes
in: requests that show a reader's own pending comments render the thread without the cache.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import select
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_caching import Cache
from flask_caching.backends import FileSystemCache
from markupsafe import Markup
from redis import ConnectionPool, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import event
from sqlalchemy.orm import Session

from blog import outbox
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, RelatedLink, SettingsChange, SiteSettings, Tag, User

cache = Cache(with_jinja2_ext=False)
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    options = app.config.get("CACHE_OPTIONS") or {}  # read first: Flask-Caching's Redis factory consumes it
    cache.init_app(app)
    app.extensions.pop(_TRACKED, None)
    if app.config["CACHE_TYPE"] == "RedisCache":
        app.extensions[_TRACKED] = TrackedVersions(
            app.config["CACHE_REDIS_URL"], options, app.config["CACHE_KEY_PREFIX"] or ""
        )


SITE_VERSION = "site:version"
_PAGE_SOURCES = (Article, User, Tag, RelatedLink, SiteSettings, SettingsChange)  # and Comment, per article
_QUEUED = "cache_versions_queued"
_TRACKED = "blog_tracked_versions"


def enabled() -> bool:
    return current_app.config["CACHE_TYPE"] != "NullCache"


def article_changed(article_id: int) -> None:
    """Retire the article's cached page and fragments once the current transaction commits."""
    _queue(db.session, _version_key(article_id))


def site_changed() -> None:
    """Retire every cached page once the current transaction commits (for changes made without the ORM)."""
    _queue(db.session, SITE_VERSION)


def _queue(session, key: str) -> None:
    queued = session.info.setdefault(_QUEUED, set())
    if key not in queued:
        queued.add(key)
        outbox.after_commit(session, _new_version, key)


@event.listens_for(Session, "after_flush")
def _watch(session: Session, _context) -> None:
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Comment):
            # A new comment that is not approved changes no public page (its writer's page is rendered for
            # them alone): a wave of held or spam comments must not keep retiring the article's page.
            hidden = obj in session.new and obj.status is not CommentStatus.APPROVED
            if obj.article_id is not None and not hidden:
                _queue(session, _version_key(obj.article_id))
        elif isinstance(obj, _PAGE_SOURCES):
            _queue(session, SITE_VERSION)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)


@dataclass(frozen=True)
class PageEntry:
    """An article page as every plain anonymous reader sees it, and the versions it was made from."""

    chunks: tuple[bytes, ...]  # the page's UTF-8 bytes, cut where the reader's own values go
    fills: tuple[str, ...]  # what goes between chunk n and n + 1 ("csrf" or "ts")
    article_id: int
    digest: str  # of the page with its slots: the content part of the page's ETag
    site_version: str
    article_version: str


def page_versions(article_id: int) -> tuple[str, str] | None:
    """(site, article) version tokens, read before the page's data is; None when the cache is unreachable."""
    try:
        return _version(SITE_VERSION), _version(_version_key(article_id))
    except RedisError:
        log.warning("cache unreachable: page not cached", exc_info=True)
        return None


# Pages this process has served, kept here too (a few, LOCAL_PAGES): a hit then costs no round trip at all
# when the two version tokens are known to be current (TrackedVersions, with Redis), else one small one,
# instead of fetching and unpickling the page. Checked against the tokens on every request.
LOCAL_PAGES = 32
_local: OrderedDict[tuple[str, str], PageEntry] = OrderedDict()
_local_lock = threading.Lock()  # gthread workers serve several requests at once


def get_page(slug: str, variant: str) -> PageEntry | None:
    """The stored page for ``slug`` (and comment page ``variant``) when it is still current, else None."""
    key = (slug, variant)
    try:
        with _local_lock:
            entry = _local.get(key)
        if entry is not None:
            if _current_versions(SITE_VERSION, _version_key(entry.article_id)) == [
                entry.site_version, entry.article_version
            ]:
                _keep_local(key, entry)
                return entry
            with _local_lock:
                _local.pop(key, None)
        entry, site_version = cache.get_many(_page_key(slug, variant), SITE_VERSION)
        if not isinstance(entry, PageEntry) or entry.site_version != site_version:
            return None
        if cache.get(_version_key(entry.article_id)) != entry.article_version:
            return None
    except RedisError:
        log.warning("cache unreachable: rendering without it", exc_info=True)
        return None
    _keep_local(key, entry)
    return entry


def _keep_local(key: tuple[str, str], entry: PageEntry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_PAGES:
            _local.popitem(last=False)


def set_page(slug: str, variant: str, entry: PageEntry, timeout: int | None = None) -> None:
    _keep_local((slug, variant), entry)
    try:
        cache.set(_page_key(slug, variant), entry, timeout=timeout)
    except RedisError:
        log.warning("cache unreachable: page not stored", exc_info=True)
    sweep()


# A file cache without a threshold (blog.config.derive) keeps an expired file until its key is stored again;
# each process that stores pages removes the expired ones every SWEEP_SECONDS. Version tokens never expire.
SWEEP_SECONDS = 600
_swept = -math.inf


def sweep() -> None:
    global _swept
    backend = cache.cache
    if not isinstance(backend, FileSystemCache) or time.monotonic() - _swept < SWEEP_SECONDS:
        return
    _swept = time.monotonic()
    backend._remove_expired(time.time())  # cachelib's own sweep (what its threshold would run)


def _page_key(slug: str, variant: str) -> str:
    return f"page:{slug}:{variant}"


def article_fragment(article_id: int, vary: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The fragment for this article and ``vary`` (e.g. open/closed), from the cache or ``render()``."""
    if not enabled():  # no version token to read or make up (uuid4 reads the OS's randomness) for nothing
        return Markup(render())
    try:
        key = ":".join(map(str, ("article", article_id, _version(_version_key(article_id)), *vary)))
        html = cache.get(key)
    except RedisError:
        log.warning("cache unreachable: rendering without it", exc_info=True)
        return Markup(render())
    if html is None:
        html = render()
        try:
            cache.set(key, str(html))
        except RedisError:
            log.warning("cache unreachable: fragment not stored", exc_info=True)
        sweep()
    return Markup(html)


def _current_versions(*keys: str) -> list[str | None]:
    tracked = current_app.extensions.get(_TRACKED)
    return tracked.get(*keys) if tracked is not None else cache.get_many(*keys)


class TrackedVersions:
    """Version tokens as Redis has them, remembered by this process until Redis says they changed.

    A connection of its own with ``CLIENT TRACKING`` on (RESP3): once it has read a key, Redis pushes an
    ``invalidate`` message down it whenever anyone writes that key, in the same turn of its event loop
    as the reply to the writer. Each lookup first takes in whatever has arrived (a poll of the socket, no
    round trip) and answers from memory when it can. A connection that died silently brings no messages,
    so remembered tokens are trusted only TRUST_SECONDS after the last round trip, then read again; a
    reconnect forgets them all. Versions are written through the cache as before (``_new_version``).
    """

    TRUST_SECONDS = 1.0
    KNOWN_MAX = 4096  # tokens remembered; past that, forgotten (and read again)

    def __init__(self, url: str, options: dict, prefix: str) -> None:
        self._pool = ConnectionPool.from_url(url, protocol=3, **options)
        self._prefix = prefix
        self._lock = threading.Lock()  # one connection; gthread workers share it between threads
        self._connection = None
        self._pid = 0
        self._known: dict[bytes, str] = {}
        self._confirmed = -math.inf

    def get(self, *keys: str) -> list[str | None]:
        raw_keys = [f"{self._prefix}{key}".encode() for key in keys]
        with self._lock:
            try:
                try:
                    return self._get(raw_keys)
                except RedisConnectionError:  # e.g. Redis restarted or closed an idle connection: one new try
                    self._connection.disconnect()
                    return self._get(raw_keys)
            except BaseException:
                self._forget()
                if self._connection is not None:
                    self._connection.disconnect()
                raise

    def forget(self, key: str) -> None:
        with self._lock:
            self._known.pop(f"{self._prefix}{key}".encode(), None)

    def _get(self, raw_keys: list[bytes]) -> list[str | None]:
        connection = self._connected()
        if self._arrived.poll(0):  # invalidations have arrived (or the socket closed: reading raises)
            self._take_in(connection)
        known = self._known
        if time.monotonic() - self._confirmed < self.TRUST_SECONDS and all(key in known for key in raw_keys):
            return [known[key] for key in raw_keys]
        asked = time.monotonic()
        connection.send_command("MGET", *raw_keys)
        values = [cache.cache.serializer.loads(value) for value in connection.read_response()]
        self._take_in(connection)  # messages read along with the reply, so that the next poll sees all news
        self._confirmed = asked
        if len(known) >= self.KNOWN_MAX:
            known.clear()
        known.update((key, value) for key, value in zip(raw_keys, values) if value is not None)
        return values

    @staticmethod
    def _take_in(connection) -> None:
        """Handle every message on the socket or already in the parser's buffer (``can_read`` sees both;
        the socket poll in ``_get``, one system call instead of ``can_read``'s three, sees only the socket,
        hence nothing may stay in the buffer after a read)."""
        while connection.can_read(timeout=0):
            connection.read_response(push_request=True)

    def _connected(self):
        if self._pid != os.getpid():  # a forked worker must not read its parent's socket
            self._pid, self._connection = os.getpid(), self._pool.make_connection()
            self._connection.register_connect_callback(self._track)
            self._forget()
        if self._connection._sock is None:  # first use, or disconnected after an error: connect (calls _track)
            self._connection.connect()
        return self._connection

    def _track(self, connection) -> None:
        """On every (re)connect: what we knew may have changed while no one could tell us."""
        self._forget()
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()
        connection._parser.set_invalidation_push_handler(self._invalidated)
        self._arrived = select.poll()
        self._arrived.register(connection._sock, select.POLLIN)

    def _invalidated(self, message: list) -> None:
        keys = message[1]
        if keys is None:  # the database was flushed
            self._known.clear()
        else:
            for key in keys:
                self._known.pop(key, None)

    def _forget(self) -> None:
        self._known.clear()
        self._confirmed = -math.inf


def _version_key(article_id: int) -> str:
    return f"article:{article_id}:version"


def _version(key: str) -> str | None:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=0)  # atomic: when another node got there first, theirs stands
        version = cache.get(key)
    return version


def _new_version(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, timeout=0)
    if (tracked := current_app.extensions.get(_TRACKED)) is not None:
        tracked.forget(key)  # this process's next page sees its own change without waiting for Redis's message
