"""Configuration defaults and the rules for reading configuration.

Precedence, lowest to highest: ``Defaults`` below -> ``instance/config.py`` -> the environment.
The environment is read under the conventional names ``SECRET_KEY``, ``DATABASE_URL``,
``REDIS_URL`` and ``MAIL_*``, and any other key as ``BLOG_<KEY>`` (``Flask.from_prefixed_env``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"


class Defaults:
    """Safe values for development; production overrides them (see README)."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # A relative SQLite path lands in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = "sqlite:///blog.sqlite3"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    REDIS_URL: str | None = None

    SITE_NAME = "The Kestrel Bay Courier"  # used until the settings row names the site
    ARTICLES_PER_PAGE = 10
    KEEP_READING_SIZE = 4
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024  # larger requests get 413 (avatars are at most 2 MB)
    MAX_PAGE = 10_000  # ?page= beyond this is a 404, never an expensive OFFSET

    # Comments
    COMMENT_MIN_SECONDS = 3  # a form sent back sooner than this is refused (bots are fast)
    COMMENT_MAX_AGE_SECONDS = 24 * 3600  # a form older than this must be sent again
    COMMENT_RATE_LIMIT = "5/minute;30/hour"  # per client IP, on the comment endpoint
    COMMENTER_COOKIE_DAYS = 365  # "Save my name, email, and website" (only with consent)
    PENDING_COMMENTS_KEPT = 20  # own pending comments a reader's session remembers
    WTF_CSRF_TIME_LIMIT = 24 * 3600
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # redis://… shares the limits between nodes
    RATELIMIT_HEADERS_ENABLED = True

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "blog@localhost"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    TEMPLATES_AUTO_RELOAD = None


# Conventional names read straight from the environment (no BLOG_ prefix).
_PLAIN_ENV = {
    "SECRET_KEY": "SECRET_KEY",
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL": "REDIS_URL",
}
_MAIL_INT = {"MAIL_PORT"}
_MAIL_BOOL = {"MAIL_USE_TLS", "MAIL_USE_SSL"}


def from_plain_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Pick the conventional variables (``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL``, ``MAIL_*``)."""
    found: dict[str, Any] = {}
    for env_name, key in _PLAIN_ENV.items():
        if environ.get(env_name):
            found[key] = environ[env_name]
    for name, value in environ.items():
        if not name.startswith("MAIL_"):
            continue
        if name in _MAIL_INT:
            found[name] = int(value)
        elif name in _MAIL_BOOL:
            found[name] = value.strip().lower() in {"1", "true", "yes", "on"}
        else:
            found[name] = value
    return found


def normalise_db_url(url: str) -> str:
    """Make PostgreSQL URLs use psycopg 3; a bare ``postgresql://`` would mean psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
