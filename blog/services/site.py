"""The site's settings row."""

from __future__ import annotations

from flask import g

from blog.extensions import db
from blog.models import SETTINGS_ID, SiteSettings


def get_settings() -> SiteSettings:
    """The settings row, read once per request; built from the column defaults if none is stored."""
    if "site_settings" not in g:
        row = db.session.get(SiteSettings, SETTINGS_ID)
        g.site_settings = row if row is not None else default_settings()
    return g.site_settings


def default_settings() -> SiteSettings:
    values = {
        column.key: column.default.arg
        for column in SiteSettings.__table__.columns
        if column.default is not None and column.default.is_scalar
    }
    return SiteSettings(**values)


def ensure_settings() -> SiteSettings:
    """The stored row, created with defaults when missing (flushes; the caller commits)."""
    row = db.session.get(SiteSettings, SETTINGS_ID)
    if row is None:
        row = default_settings()
        db.session.add(row)
        db.session.flush()
    return row
