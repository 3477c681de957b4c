"""Template filters and the values every page needs."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from blog.core import dates
from blog.core.placement import without_marker
from blog.core.privacy import initials
from blog.core.text import reading_minutes
from blog.services.site import default_settings, get_settings
from blog.services.users import SOCIAL_NETWORKS


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["isodate"] = iso_date
    app.jinja_env.filters["reading_minutes"] = reading_minutes
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.filters["without_marker"] = without_marker  # the body without the Keep Reading marker
    app.context_processor(_site)
    app.context_processor(_staff)
    app.jinja_env.globals["social_networks"] = SOCIAL_NETWORKS
    app.jinja_env.filters["combine"] = lambda a, b: {**a, **b}
    from blog.services import media

    app.jinja_env.globals["media_url"] = media.url_for_name  # a stored picture's address, from its file name
    app.jinja_env.globals["picture"] = media.picture  # what a template needs to show a media row


def _site() -> dict:
    try:
        settings = get_settings()
    except SQLAlchemyError:  # the error page of a broken database must still render
        current_app.logger.exception("could not read site settings")
        settings = default_settings()
    return {
        "site_name": settings.site_title or current_app.config["SITE_NAME"],
        "site_tagline": settings.site_tagline,
        "thread_depth": settings.thread_depth,
    }


def _zone_name() -> str:
    """The site's time zone (a setting; read once per request with the other settings)."""
    try:
        return str(get_settings().time_zone)
    except SQLAlchemyError:  # the error page of a broken database must still render
        return dates.DEFAULT_ZONE


def format_date(value: datetime | None) -> str:
    """'3 December 2026' — the day readers see, in the site's time zone."""
    return dates.format_date(value, _zone_name())


def format_datetime(value: datetime | None) -> str:
    """'3 December 2026, 14:05 CET' — in the site's time zone, named."""
    return dates.format_datetime(value, _zone_name())


def iso_date(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _staff() -> dict:
    """The pending count in the staff bar, for those who moderate."""
    from flask_login import current_user

    from blog.policy import may_moderate
    from blog.services.moderation import count_pending, shown_count

    if not current_user.is_authenticated or not may_moderate(current_user):
        return {}
    pending = count_pending()  # counted once per request: the desk's tab counts, when it has them
    return {"pending_count": shown_count(pending) if pending else 0}
