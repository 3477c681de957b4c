"""The shared cache (Flask-Caching): Redis when ``REDIS_URL`` is set, off otherwise.

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
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_caching import Cache
from markupsafe import Markup
from redis import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from blog import outbox
from blog.extensions import db
from blog.models import Article, Comment, RelatedLink, SettingsChange, SiteSettings, Tag, User

cache = Cache(with_jinja2_ext=False)
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    cache.init_app(app)


SITE_VERSION = "site:version"
_PAGE_SOURCES = (Article, User, Tag, RelatedLink, SiteSettings, SettingsChange)  # and Comment, per article
_QUEUED = "cache_versions_queued"


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
            if obj.article_id is not None:
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


# Pages this process has served, kept here too (a few, LOCAL_PAGES): a hit then costs one small round trip
# for the two version tokens instead of fetching and unpickling the page. Checked against the same tokens
# on every request, so it is exactly as fresh as the shared copy.
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
            if cache.get_many(SITE_VERSION, _version_key(entry.article_id)) == [
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


def _page_key(slug: str, variant: str) -> str:
    return f"page:{slug}:{variant}"


def article_fragment(article_id: int, vary: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The fragment for this article and ``vary`` (e.g. open/closed), from the cache or ``render()``."""
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
    return Markup(html)


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
