"""A news blog with moderated comments. ``create_app()`` builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from sqlalchemy import event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError, ServiceUnavailable
from werkzeug.wrappers import Response as BaseResponse

from blog.config import derive, from_plain_env
from blog.extensions import csrf, db, limiter, login_manager
from blog.orm import is_busy, render_item

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(
    test_config: dict[str, Any] | None = None, *, instance_path: str | None = None, serving: bool = False
) -> Flask:
    """The application. ``serving``: for the web server alone, without the migration commands (Alembic is
    10 MiB of memory per process that a server never uses)."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object("blog.config.Defaults")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)  # instance/config.py
        app.config.from_mapping(from_plain_env(os.environ))  # SECRET_KEY, HASH_KEY, DATABASE_URL, REDIS_URL, MAIL_*
        app.config.from_prefixed_env("BLOG")  # BLOG_<KEY> for everything else
    else:
        app.config.from_mapping(test_config)  # tests never read instance/ or the environment
    # the database URL and pool, the limits' storage and the cache (Redis or a directory), secure cookies
    derive(app.config, debug=app.debug, instance_path=app.instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from blog import inputs
    from blog.media.views import limit_upload_requests

    app.before_request(limit_upload_requests)  # upload forms' own size limit: before any hook reads the form
    app.before_request(_import_upload_limit)
    inputs.init_app(app)  # first: its converter is used by every route, its check runs before other hooks
    db.init_app(app)
    if not serving:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS), render_item=render_item)
    from blog import cache, health, jobs, requestlog, security

    cache.init_app(app)
    jobs.init_app(app)
    health.init_app(app)
    from blog import policy

    policy.init_app(app)  # before CSRF: a visitor without the right gets a login page or 403, not a CSRF error
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"]))

    from blog import accounts, cli, editorial, moderation, outbox, public, templating  # noqa: F401  (outbox: hooks)
    from blog.services.users import load_user

    login_manager.user_loader(load_user)
    app.register_blueprint(public.bp)
    from blog.public import subscriptions

    app.register_blueprint(subscriptions.bp)
    app.register_blueprint(accounts.bp)
    from blog.accounts import two_factor

    app.register_blueprint(two_factor.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(editorial.bp)
    from blog import feeds, search

    app.register_blueprint(feeds.bp)
    app.register_blueprint(search.bp)
    from blog import media

    app.register_blueprint(media.bp)
    from blog import api

    app.register_blueprint(api.bp)
    templating.init_app(app)
    cli.init_app(app)
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(OperationalError, database_busy)
    # WSGI middlewares: the request log, then ProxyFix (outermost: it fixes the environ the others read).
    requestlog.init_app(app)
    security.init_app(app)
    return app


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")  # ignored (stays "memory") for in-memory databases
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return on_connect


def _import_upload_limit() -> None:
    """The admin's WordPress upload may be far larger than any other request (IMPORT_MAX_UPLOAD_BYTES)."""
    if request.endpoint == "editorial.start_import":
        request.max_content_length = current_app.config["IMPORT_MAX_UPLOAD_BYTES"]


def _moved(error: HTTPException) -> BaseResponse | None:
    """A 404 for an address that an article had before (``redirects``): a 301 to where it is now."""
    from flask import redirect, url_for

    from blog.services import redirects

    if request.method not in ("GET", "HEAD") or isinstance(error, SecurityError):
        return None
    # Only an address no route knows, or an article's that is not there now: a view's own 404 (a page past the
    # end of a list, a missing comment) costs no lookup.
    if request.url_rule is not None and request.endpoint != "public.article":
        return None
    try:
        slug = redirects.target_slug(request.path)
    except SQLAlchemyError:  # a broken database: the 404 page still renders
        current_app.logger.exception("redirect lookup failed")
        db.session.rollback()
        return None
    if slug is None:
        return None
    target = url_for("public.article", slug=slug)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    moved = redirect(target, code=301)
    # Browsers keep a 301 for good unless told otherwise: a slug changed back (A→B→A) would then loop for them.
    moved.cache_control.public = True
    moved.cache_control.max_age = REDIRECT_MAX_AGE
    return moved


def _is_api_request() -> bool:
    """The JSON API answers its errors as problem details, whether or not a route matched."""
    return request.path == "/api" or request.path.startswith("/api/")


REDIRECT_MAX_AGE = 3600  # seconds a browser or proxy may keep an old address's 301


# What to tell a person when the error carries only Werkzeug's generic description.
FRIENDLY_ERRORS = {
    400: "Something in that request didn't make sense to us. Please go back, reload the page and try again.",
    403: "You don't have permission to do that.",
    404: "It may have been moved or unpublished, or the address may be mistyped.",
    405: "That page can't be used that way. Please go back and use the links or forms on the page.",
    413: "That was more than we accept in one go (at most 4 MB). "
    "If you were sending a comment, please keep it under 5,000 characters.",
    429: "Too many requests in a short time. Please wait a minute, then try again.",
    500: "Something went wrong on our side. It has been logged; please try again in a moment.",
    503: "The site is busy saving other changes just now, so nothing was changed. Please try again in a minute.",
}
BUSY_RETRY_SECONDS = 30  # Retry-After of a 503 for a busy database (an import's last step can take minutes)


def database_busy(error: OperationalError):
    """SQLite's write lock held by another process for longer than we wait (``orm.is_busy``): a 503 that says to
    try again, not a 500. Any other OperationalError is not ours to explain: it stays a 500."""
    if not is_busy(error):
        raise error
    current_app.logger.warning("database busy: %s %s answered 503", request.method, request.endpoint)
    response = make_response(error_page(ServiceUnavailable()))
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def error_page(error: HTTPException):
    """Every HTTP error gets a page a person can read, with the right status (a blueprint's own handler falls back
    to it for what it does not answer itself)."""
    if error.code is None or error.code < 400:
        return error
    db.session.rollback()  # an error keeps nothing half-done, and a failed statement mustn't stop the page's queries
    if _is_api_request():
        from blog.api.problems import from_http_error

        return from_http_error(error)
    if error.code == 404 and (moved := _moved(error)) is not None:
        return moved
    # The limiter's description is the limit ("5 per 1 minute"), not a sentence for a person.
    generic = error.description == type(error).description or isinstance(error, RateLimitExceeded)
    message = FRIENDLY_ERRORS.get(error.code, error.description) if generic else error.description
    plain = Response(f"{error.code} {error.name}\n\n{message}\n", error.code, mimetype="text/plain")
    if isinstance(error, SecurityError):  # a host name we don't serve (TRUSTED_HOSTS): no URLs to build a page
        return plain
    try:
        return render_template("errors/error.html", error=error, message=message), error.code
    except Exception:
        current_app.logger.exception("error page for %s could not be rendered", error.code)
        db.session.rollback()
        return plain
