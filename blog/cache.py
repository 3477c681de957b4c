"""The shared cache (Flask-Caching): Redis when ``REDIS_URL`` is set, off otherwise.

It holds the anonymous article page's expensive part, the rendered comment thread. Each article has a
version token in the cache and a fragment's key includes it, so a new version (``article_changed``)
retires that article's fragments on every node at once. Two rules keep it exact:

- the new version is written *after* the commit that changed the comments (``outbox.after_commit``);
- a page reads the version *before* it queries the comments;

so no fragment is ever stored under a version newer than the data it was rendered from.

The cache only speeds pages up: while Redis is unreachable pages are rendered without it (logged), and
a missed invalidation heals when fragments expire (``CACHE_DEFAULT_TIMEOUT``). Nothing personal goes
in: requests that show a reader's own pending comments render the thread without the cache.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Hashable

from flask import Flask
from flask_caching import Cache
from markupsafe import Markup
from redis import RedisError

from blog import outbox
from blog.extensions import db

cache = Cache(with_jinja2_ext=False)
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    cache.init_app(app)


def article_changed(article_id: int) -> None:
    """Retire the article's cached fragments once the current transaction commits."""
    outbox.after_commit(db.session, _new_version, _version_key(article_id))


def article_fragment(article_id: int, vary: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The fragment for this article and ``vary`` (e.g. open/closed), from the cache or ``render()``."""
    try:
        key = ":".join(map(str, ("article", article_id, _version(article_id), *vary)))
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


def _version(article_id: int) -> str | None:
    key = _version_key(article_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=0)  # atomic: when another node got there first, theirs stands
        version = cache.get(key)
    return version


def _new_version(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, timeout=0)
