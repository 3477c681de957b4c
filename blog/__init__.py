"""A news blog with moderated comments. ``create_app()`` builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from blog.config import from_plain_env, normalise_db_url
from blog.extensions import csrf, db, migrate
from blog.orm import render_item

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object("blog.config.Defaults")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)  # instance/config.py
        app.config.from_mapping(from_plain_env(os.environ))  # SECRET_KEY, DATABASE_URL, REDIS_URL, MAIL_*
        app.config.from_prefixed_env("BLOG")  # BLOG_<KEY> for everything else
    else:
        app.config.from_mapping(test_config)  # tests never read instance/ or the environment
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_item=render_item)
    csrf.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"]))

    from blog import cli, public, templating

    app.register_blueprint(public.bp)
    templating.init_app(app)
    cli.init_app(app)
    app.register_error_handler(HTTPException, _http_error)
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


def _http_error(error: HTTPException):
    """Every HTTP error gets a page a person can read, with the right status."""
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        db.session.rollback()  # whatever failed, the error page must still be able to query
    return render_template("errors/error.html", error=error), error.code
