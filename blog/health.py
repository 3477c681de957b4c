"""``/healthz``: can this node serve? The database always, Redis when ``REDIS_URL`` is configured, the job
queue's storage; and, for the operator, the queue's backlog and the mail outbox's due and undeliverable counts
(figures only: they never change the status)."""

from __future__ import annotations

import sqlite3
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app

from blog import jobs
from blog.extensions import db
from blog.services import outbox_mail


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):  # a client of its own: the check must not depend on the cache's state
        app.extensions["health_redis"] = redis.Redis.from_url(app.config["REDIS_URL"], **app.config["REDIS_OPTIONS"])


def check() -> tuple[dict[str, Any], int]:
    """The report and its HTTP status: 200 when every configured service answers, else 503."""
    report: dict[str, Any] = {"database": "ok"}
    figures: dict[str, int] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        report["database"] = "unreachable"
    else:
        try:
            mail = outbox_mail.counts()
            figures.update(mail_due=mail.due, mail_undeliverable=mail.undeliverable)
        except sa.exc.SQLAlchemyError as error:  # e.g. not migrated yet: the figures are left out
            db.session.rollback()
            current_app.logger.info("health check: mail outbox not readable: %s", type(error).__name__)
    client = current_app.extensions.get("health_redis")
    if client is not None:
        try:
            client.ping()
            report["redis"] = "ok"
        except redis.RedisError as error:
            current_app.logger.warning("health check: Redis unreachable: %s", error)
            report["redis"] = "unreachable"
    try:
        figures["queue_pending"] = jobs.current().pending_count()
        report["queue"] = "ok"
    except (redis.RedisError, sqlite3.Error) as error:  # Huey's storage
        current_app.logger.warning("health check: job queue unreachable: %s", error)
        report["queue"] = "unreachable"
    healthy = all(value == "ok" for value in report.values())
    return {"status": "ok" if healthy else "error", **report, **figures}, 200 if healthy else 503
