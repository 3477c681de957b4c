"""The shared cache (Flask-Caching): Redis when ``REDIS_URL`` is set; without it, files in ``CACHE_DIR`` for
a SQLite site (its workers and CLI share the directory), else off (``blog.config.derive``). It holds whole
article pages as every anonymous reader gets them (``blog/public/sharing.py``) and comment threads for
readers whose page is personal but whose thread is not.

Entries are checked against version tokens: one per article (its comments) and one for the site (everything
else a page shows). One hook on every session queues new versions for what a flush or a bulk statement
changed, and writes them *after* the commit (``outbox.after_commit``); pages read the versions *before* the
data. So nothing is stored under a version newer than its data. While the cache is unreachable pages are
rendered without it (logged); nothing personal goes in. docs/architecture.md has the whole story.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import NamedTuple

from cachetools import TTLCache
from flask import Flask, current_app
from flask_caching import Cache
from flask_caching.backends import FileSystemCache
from flask_caching.backends.base import BaseCache  # the one module that has it in every Flask-Caching 2.x
from markupsafe import Markup
from redis import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from blog import outbox
from blog.models import Article, Comment, CommentStatus, Media, RelatedLink, SettingsChange, SiteSettings, Tag, User
from blog.models.article import article_tags

cache = Cache(with_jinja2_ext=False)
log = logging.getLogger(__name__)

# Part of every page and fragment key: raise it whenever the shape of a stored value changes, so that during
# a rolling deploy the new code never reads what the old code stored (nor the other way round).
FORMAT = 2
SITE_VERSION = "site:version"
# and Comment, per article; Media: a lead image's variants (made later by the queue) and its words
_PAGE_SOURCES = (Article, User, Tag, RelatedLink, SiteSettings, SettingsChange, Media)
_PAGE_TABLES = {model.__tablename__ for model in (*_PAGE_SOURCES, Comment)} | {article_tags.name}
_QUEUED = "cache_versions_queued"
# A bulk statement that changes one article's own page only (e.g. its comment count) says so, instead of
# retiring every page: ``.execution_options(page_of_article=article_id)``.
ARTICLE_SCOPE = "page_of_article"


# Each process keeps the pages it served last for MEMO_SECONDS: a busy page costs no round trip (the two of a
# hit were most of its cost, docs/performance.md). Its own changes empty it at once; others' show within.
MEMO_SECONDS = 1
MEMO_PAGES = 32


def init_app(app: Flask) -> None:
    cache.init_app(app)
    app.extensions["blog_page_memo"] = (TTLCache(maxsize=MEMO_PAGES, ttl=MEMO_SECONDS), threading.Lock())


def enabled() -> bool:
    return current_app.config["CACHE_TYPE"] != "NullCache"


# --- Invalidation: one hook for every change ----------------------------------------------------------


def _queue(session: Session, key: str) -> None:
    queued = session.info.setdefault(_QUEUED, set())
    if key not in queued:
        queued.add(key)
        outbox.after_commit(session, _new_version, key)


@event.listens_for(Session, "after_flush")
def _watch_flush(session: Session, _context) -> None:
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Comment):
            # A comment that is not approved, and was not before this flush, changes no public page (its writer's
            # page is rendered for them alone): a wave of held or spam comments, each touched again after it is
            # stored (its spam score, the editors' mail), must not keep retiring the article's page.
            was = inspect(obj).attrs.status.history.deleted
            hidden = obj not in session.deleted and CommentStatus.APPROVED not in (obj.status, *was)
            if obj.article_id is not None and not hidden:
                _queue(session, _version_key(obj.article_id))
        elif isinstance(obj, _PAGE_SOURCES):
            _queue(session, SITE_VERSION)


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state: ORMExecuteState) -> None:
    """Bulk statements change rows the flush never sees: any that writes a table a page shows retires every
    page, unless it names the one article whose page it changes (``ARTICLE_SCOPE``)."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in _PAGE_TABLES:
        return
    article_id = state.execution_options.get(ARTICLE_SCOPE)
    _queue(state.session, SITE_VERSION if article_id is None else _version_key(article_id))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)


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
    memo, lock = current_app.extensions["blog_page_memo"]
    with lock:
        memo.clear()


# --- Whole pages ---------------------------------------------------------------------------------------


class PageEntry(NamedTuple):
    """An article page as every anonymous reader gets it, and the versions it was made from."""

    body: bytes
    etag: str
    article_id: int
    site_version: str = ""
    article_version: str = ""


def page_versions(article_id: int) -> tuple[str, str] | None:
    """(site, article) version tokens, read before the page's data is; None when the cache is unreachable."""
    try:
        return _version(SITE_VERSION) or "", _version(_version_key(article_id)) or ""
    except RedisError:
        log.warning("cache unreachable: page not cached", exc_info=True)
        return None


def get_page(slug: str, variant: str) -> PageEntry | None:
    """The stored page for ``slug`` (and comment page ``variant``) when it is still current, else None."""
    key = _page_key(slug, variant)
    memo, lock = current_app.extensions["blog_page_memo"]
    with lock:
        if (entry := memo.get(key)) is not None:
            return entry
    try:
        stored, site_version = cache.get_many(key, SITE_VERSION)
        if not isinstance(stored, tuple) or len(stored) != len(PageEntry._fields):
            return None  # absent, or written by a release that changed the shape without changing FORMAT
        entry = PageEntry(*stored)
        if entry.site_version != site_version or cache.get(_version_key(entry.article_id)) != entry.article_version:
            return None
    except RedisError:
        log.warning("cache unreachable: rendering without it", exc_info=True)
        return None
    with lock:
        memo[key] = entry
    return entry


def set_page(slug: str, variant: str, entry: PageEntry, timeout: int | None = None) -> None:
    try:
        cache.set(_page_key(slug, variant), tuple(entry), timeout=timeout)  # a tuple: no class to unpickle
    except RedisError:
        log.warning("cache unreachable: page not stored", exc_info=True)
    sweep()


def _page_key(slug: str, variant: str) -> str:
    return f"page:{FORMAT}:{slug}:{variant}"


# --- Fragments ----------------------------------------------------------------------------------------


def article_fragment(article_id: int, vary: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The fragment for this article and ``vary`` (e.g. open/closed), from the cache or ``render()``."""
    if not enabled():  # no version token to read or make up for nothing
        return Markup(render())  # noqa: S704  (a template's output: Jinja escaped it)
    try:
        # Both versions: a bulk statement on comments that names no article retires the site's version alone.
        versions = (_version(SITE_VERSION), _version(_version_key(article_id)))
        key = ":".join(map(str, ("article", FORMAT, article_id, *versions, *vary)))
        html = cache.get(key)
    except RedisError:
        log.warning("cache unreachable: rendering without it", exc_info=True)
        return Markup(render())  # noqa: S704  (a template's output: Jinja escaped it)
    if html is None:
        html = render()
        try:
            cache.set(key, str(html))
        except RedisError:
            log.warning("cache unreachable: fragment not stored", exc_info=True)
        sweep()
    return Markup(html)  # noqa: S704  (a template's output, as rendered or as stored by the line above)


# Without a threshold (blog.config.derive) cachelib keeps an expired file until its key is stored again: each
# process that stores entries removes, every SWEEP_SECONDS, files older than the longest lifetime an entry gets
# (version tokens too: the next reader makes a new one, and a page stored under the old one is rendered again).
SWEEP_SECONDS = 600
_swept = -math.inf


def sweep() -> None:
    global _swept
    backend: BaseCache = cache.cache  # any backend: Flask-Caching annotates it as its SimpleCache
    if not isinstance(backend, FileSystemCache) or time.monotonic() - _swept < SWEEP_SECONDS:
        return
    _swept, oldest = time.monotonic(), time.time() - current_app.config["CACHE_DEFAULT_TIMEOUT"]
    for file in os.scandir(current_app.config["CACHE_DIR"]):
        with contextlib.suppress(FileNotFoundError):  # another process swept it first
            if file.is_file() and file.stat().st_mtime < oldest:
                os.remove(file.path)
