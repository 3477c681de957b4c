"""Configuration defaults and the rules for reading configuration.

Precedence, lowest to highest: ``Defaults`` below -> ``instance/config.py`` -> the environment.
The environment is read under the conventional names ``SECRET_KEY``, ``HASH_KEY``, ``DATABASE_URL``,
``REDIS_URL`` and ``MAIL_*``, and any other key as ``BLOG_<KEY>`` (``Flask.from_prefixed_env``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from blog.core.privacy import derive_hash_key

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105  (production refuses to start with it)
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"  # `make run`'s address (it passes its own when PORT is set)


class Defaults:
    """Safe values for development; production overrides them (see README)."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # Keys every hash of personal data (avatar colours, IP hashes), so that those outlive a new SECRET_KEY.
    # Unset: derived from SECRET_KEY at start-up (one-way). Set it once and never change it (README, Deploying).
    HASH_KEY: str | None = None
    # A relative SQLite path lands in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = "sqlite:///blog.sqlite3"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    REDIS_URL: str | None = None
    # PostgreSQL connection pool, per worker process (SQLite gets none of these)
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 5
    DATABASE_POOL_TIMEOUT = 10  # seconds a request waits for a free connection
    DATABASE_POOL_RECYCLE = 1800  # seconds; renew connections before a server or firewall drops them
    REDIS_OPTIONS: dict[str, Any] = {"socket_connect_timeout": 2, "socket_timeout": 2}  # fail fast when down
    # Shared cache (Flask-Caching), derived when unset: "RedisCache" when REDIS_URL is set; else, for a
    # SQLite site outside debug and tests, "FileSystemCache" in CACHE_DIR; else "NullCache" (off).
    CACHE_TYPE: str | None = None
    CACHE_DIR: str | None = None  # FileSystemCache: relative to instance/; default cache/<database's digest>
    CACHE_DEFAULT_TIMEOUT = 300  # seconds; the longest a cached fragment can outlive a missed invalidation
    CACHE_KEY_PREFIX = "blog:"

    SITE_NAME = "The Kestrel Bay Courier"  # used until the settings row names the site
    ARTICLES_PER_PAGE = 10
    KEEP_READING_SIZE = 4
    # The address readers use (e.g. "https://courier.example"): canonical links, feeds, the sitemap and mail
    # are built from it, never from a request's Host header, and the origin check compares with it. Required
    # in production (the server refuses to start without it), where TRUSTED_HOSTS defaults to its host name;
    # in debug and tests it defaults to the development server's address.
    SITE_URL: str | None = None
    # Anonymous pages (article, home, author, tag, feeds) are the same bytes for every reader, so a shared
    # cache in front (deploy/nginx.conf) may keep them this long, then serve them stale for up to
    # SHARED_CACHE_STALE_SECONDS while it asks again: a moderator's takedown is gone everywhere within the sum.
    SHARED_CACHE_SECONDS = 10
    SHARED_CACHE_STALE_SECONDS = 30
    # Every cookie of ours starts with this, so a proxy can tell personal requests from anonymous ones by
    # name alone (and a cookie added later is covered too).
    COOKIE_PREFIX = "blog_"
    SESSION_COOKIE_NAME = "blog_session"
    REMEMBER_COOKIE_NAME = "blog_remember"
    SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's limit per file; beyond it /sitemap.xml is an index
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024  # larger requests get 413 (upload forms have MEDIA_REQUEST_MAX_BYTES)
    MAX_PAGE = 10_000  # ?page= beyond this is a 404, never an expensive OFFSET

    # Comments
    COMMENT_MIN_SECONDS = 3  # a form sent back sooner than this is refused (bots are fast)
    COMMENT_MAX_AGE_SECONDS = 24 * 3600  # a form older than this must be sent again
    COMMENT_RATE_LIMIT = "5/minute;30/hour"  # per client IP, on the comment endpoint
    REPORT_RATE_LIMIT = "5/minute;20/hour"  # readers' reports of comments per client IP
    # Sites whose pages may read the JSON API's public endpoints from a browser (CORS): origins such as
    # "https://app.example", or "*" for any. BLOG_API_CORS_ORIGINS='["https://app.example"]'.
    API_CORS_ORIGINS: list[str] = []
    API_TOKEN_LIMIT = 20  # live personal access tokens per person
    COMMENTER_COOKIE_DAYS = 365  # "Save my name, email, and website" (only with consent)
    PENDING_COMMENTS_KEPT = 20  # own pending comments a reader's session remembers
    DATA_REQUEST_RATE_LIMIT = "5/minute;20/hour"  # /your-data requests per client IP
    DATA_REQUEST_RATE_LIMIT_ADDRESS = "3/hour;10/day"  # /your-data requests per address: mails it may be sent
    DATA_LINK_MAX_AGE = 24 * 3600  # seconds a mailed /your-data link works
    WTF_CSRF_TIME_LIMIT = 24 * 3600
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = None  # derived: REDIS_URL (shared by the nodes), else memory://
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # while Redis is down, each node limits on its own
    RATELIMIT_HEADERS_ENABLED = True

    DESK_PER_PAGE = 50  # comments per page on the moderation desk

    # Accounts
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a password); werkzeug's default cost (n=2**15, r=8, p=1)
    LOGIN_RATE_LIMIT_IP = "10/minute;50/hour"  # failed sign-ins per client IP
    LOGIN_RATE_LIMIT_ACCOUNT = "5/minute;20/hour"  # failed sign-ins per account (email)
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a mailed "choose a new password" link works (once)
    # "Forgot your password?" requests per client IP, and per address (the reset mails it may be sent)
    PASSWORD_RESET_RATE_LIMIT = "5/minute;20/hour"  # noqa: S105  (a rate, not a password)
    PASSWORD_RESET_RATE_LIMIT_ADDRESS = "3/hour;10/day"  # noqa: S105  (a rate, not a password)
    AVATAR_FOLDER: str | None = None  # where photos were kept before pictures moved to the database (migration)
    # Two-factor sign-in (blog/accounts/two_factor.py): codes tried at /login/two-factor, per client IP and per
    # account (failed ones only; the account limit also covers turning it off), and the seconds a correct
    # password waits for its code before signing in must start again.
    TWO_FACTOR_RATE_LIMIT_IP = "10/minute;50/hour"
    TWO_FACTOR_RATE_LIMIT_ACCOUNT = "5/minute;20/hour"
    TWO_FACTOR_PENDING_SECONDS = 300
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Pictures (blog/services/media.py, docs/architecture.md "Pictures"): stored in the database unless
    # MEDIA_S3_BUCKET names a bucket of an S3-compatible store (MEDIA_S3_ENDPOINT_URL for one other than AWS;
    # credentials from the usual AWS_* environment). MEDIA_ORIGIN: another origin serving this site's /media/
    # paths (a CDN); pages then point there and the CSP allows it.
    MEDIA_S3_BUCKET: str | None = None
    MEDIA_S3_ENDPOINT_URL: str | None = None
    MEDIA_S3_REGION: str | None = None
    MEDIA_ORIGIN: str | None = None
    MEDIA_MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one picture's file
    IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # a WordPress export uploaded on the admin's data page
    # An import from that page that has made no progress for this long counts as stopped (its process was killed
    # or restarted): the page says so and a new import may start. Longer than its quietest stretch, the search
    # and Keep Reading rebuild at the end (4-6 minutes for 10,000 articles, docs/performance.md).
    IMPORT_STALE_MINUTES = 15
    MEDIA_REQUEST_MAX_BYTES = 32 * 1024 * 1024  # a whole upload form; beyond it the form cannot be read (413)
    MEDIA_DECODE_PIXELS = 6_000_000  # decoded at most (24 MB); a JPEG's header may name 16x more (decoded smaller)
    MEDIA_WIDTHS = (480, 960, 1600)  # the variants the job queue makes

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "blog@localhost"
    # The mail outbox (blog/services/outbox_mail.py): a mail that could not be sent is tried again after
    # MAIL_RETRY_DELAY seconds, then twice as long each time up to MAIL_RETRY_MAX_DELAY, and marked
    # undeliverable when it still fails MAIL_UNDELIVERABLE_AFTER seconds after it was written.
    MAIL_RETRY_DELAY = 60  # more than the SMTP timeout: an attempt under way is never started twice
    MAIL_RETRY_MAX_DELAY = 3600
    MAIL_UNDELIVERABLE_AFTER = 24 * 3600
    NOTIFY_RATE_LIMIT = 5  # mails of its own an address gets an hour about comments; the rest wait for the digest
    NOTIFY_CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a subscription's confirmation link works

    # Retention (blog/services/retention.py; the comment rules are site settings, these are the operator's):
    # days before a mail sent or given up on is deleted (0: never). A reply subscription never confirmed goes
    # once its confirmation link has expired (NOTIFY_CONFIRM_MAX_AGE).
    RETENTION_OUTBOX_DAYS = 30

    # The job queue (blog/jobs.py, Huey; `flask blog worker` runs it): "sqlite" (a file beside the site's
    # SQLite database, or in the instance folder: JOBS_SQLITE_PATH), "redis" (REDIS_URL: shared by every node)
    # or "immediate" (tests: a task runs at once, in the caller). Unset: redis when REDIS_URL is set, else sqlite.
    JOBS_BACKEND: str | None = None
    JOBS_SQLITE_PATH: str | None = None  # relative: in the instance folder
    JOBS_QUEUE_NAME = "blog"  # two sites sharing one Redis need different names

    # Production (README "Deploying")
    SESSION_COOKIE_SECURE: bool | None = None  # None: secure outside debug and testing
    REMEMBER_COOKIE_SECURE: bool | None = None  # likewise, for the sign-in cookie
    PROXY_FIX_X_FOR = 0  # proxies in front that set X-Forwarded-For (0: trust no such header)
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # No inline script or style anywhere: the pages use /static files only (JSON-LD is data, not run).
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    TEMPLATES_AUTO_RELOAD = None
    # One JSON line per request (blog/requestlog.py): "-" for stdout (gunicorn_conf sets it), a file path
    # (relative: in the instance folder), or None for none.
    REQUEST_LOG: str | None = None


# Conventional names read straight from the environment (no BLOG_ prefix).
_PLAIN_ENV = {
    "SECRET_KEY": "SECRET_KEY",
    "HASH_KEY": "HASH_KEY",
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL": "REDIS_URL",
}
_MAIL_INT = {"MAIL_PORT", "MAIL_RETRY_DELAY", "MAIL_RETRY_MAX_DELAY", "MAIL_UNDELIVERABLE_AFTER"}
_MAIL_BOOL = {"MAIL_USE_TLS", "MAIL_USE_SSL"}


def from_plain_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Pick the conventional variables (``SECRET_KEY``, ``HASH_KEY``, ``DATABASE_URL``, ``REDIS_URL``, ``MAIL_*``)."""
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


def derive(config: dict[str, Any], *, debug: bool, instance_path: str) -> None:
    """Fill in the settings that follow from others; values set explicitly win."""
    if not config.get("HASH_KEY"):
        config["HASH_KEY"] = derive_hash_key(config.get("SECRET_KEY") or "")  # production refuses an empty one
    url = config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(config["SQLALCHEMY_DATABASE_URI"])
    if not url.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,  # a connection the server dropped is replaced, not handed to a request
            "pool_size": config["DATABASE_POOL_SIZE"],
            "max_overflow": config["DATABASE_MAX_OVERFLOW"],
            "pool_timeout": config["DATABASE_POOL_TIMEOUT"],
            "pool_recycle": config["DATABASE_POOL_RECYCLE"],
            **config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    redis_url = config.get("REDIS_URL")
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    config.setdefault("RATELIMIT_STORAGE_OPTIONS", config["REDIS_OPTIONS"] if redis_url else {})
    production = not (debug or config.get("TESTING"))
    if not config.get("CACHE_TYPE"):
        # Redis is shared by every node. Without it, a SQLite site is one machine: its workers and the CLI
        # share a cache directory, whose files are replaced atomically, so a new version token written by
        # one process is what the others read next. (A per-process cache could not be invalidated by the
        # other workers or the CLI.) PostgreSQL without Redis may be several nodes: off. Off in debug too,
        # where templates change under a cached page, and in tests, which switch it on where they need it.
        on_one_machine = url.startswith("sqlite") and production
        config["CACHE_TYPE"] = "RedisCache" if redis_url else "FileSystemCache" if on_one_machine else "NullCache"
    if config["CACHE_TYPE"] == "RedisCache":
        config.setdefault("CACHE_REDIS_URL", redis_url)
        config.setdefault("CACHE_OPTIONS", config["REDIS_OPTIONS"])
    if config["CACHE_TYPE"] == "FileSystemCache":
        # One directory per database: two sites (or a site and a copy) in one instance folder never share
        # version tokens, which are only unique within a database.
        default = f"cache/{hashlib.sha256(url.encode()).hexdigest()[:12]}"
        config["CACHE_DIR"] = os.path.join(instance_path, config.get("CACHE_DIR") or default)
        # No file-count threshold: its count is a read-modify-write that racing processes get wrong, and
        # past it the backend removes the files that expire first, never-expiring version tokens before
        # all. Expired files are swept instead (``cache.sweep``).
        config.setdefault("CACHE_THRESHOLD", 0)
    config.setdefault("CACHE_NO_NULL_WARNING", True)
    if not config.get("SITE_URL") and not production:
        config["SITE_URL"] = DEVELOPMENT_SITE_URL
    site_host = urlsplit(config.get("SITE_URL") or "").hostname
    if production and site_host and not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [site_host]  # a request naming another host is refused (400)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(key) is None:
            config[key] = production


def normalise_db_url(url: str) -> str:
    """Make PostgreSQL URLs use psycopg 3; a bare ``postgresql://`` would mean psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
