"""``/healthz``: can this node serve? The database always, Redis when ``REDIS_URL`` is configured."""

from __future__ import annotations

import redis
import sqlalchemy as sa
from flask import Flask, current_app

from blog.extensions import db


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):  # a client of its own: the check must not depend on the cache's state
        app.extensions["health_redis"] = redis.Redis.from_url(app.config["REDIS_URL"], **app.config["REDIS_OPTIONS"])


def check() -> tuple[dict[str, str], int]:
    """The report and its HTTP status: 200 when every configured service answers, else 503."""
    report = {"database": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        report["database"] = "unreachable"
    client = current_app.extensions.get("health_redis")
    if client is not None:
        try:
            client.ping()
            report["redis"] = "ok"
        except redis.RedisError as error:
            current_app.logger.warning("health check: Redis unreachable: %s", error)
            report["redis"] = "unreachable"
    healthy = all(value == "ok" for value in report.values())
    return {"status": "ok" if healthy else "error", **report}, 200 if healthy else 503
