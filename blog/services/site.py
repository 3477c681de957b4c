"""The site's settings row."""

from __future__ import annotations

import functools
from typing import Any, TypeAlias

import sqlalchemy as sa
from flask import g

from blog.extensions import db
from blog.models import SETTINGS_ID, SiteSettings

# What get_settings gives: the stored row as a plain Row, read like the model (the same names), or the defaults.
Settings: TypeAlias = "SiteSettings | sa.Row[*tuple[Any, ...]]"


def get_settings() -> Settings:
    """The settings, read once per request, for reading only (``ensure_settings`` is for changing them):
    the stored row as a plain row (every page reads it; no ORM object needed), or the column defaults."""
    if "site_settings" not in g:
        row = db.session.execute(_settings_statement()).one_or_none()
        g.site_settings = row if row is not None else default_settings()
    settings: Settings = g.site_settings
    return settings


@functools.cache
def _settings_statement() -> sa.Select[*tuple[Any, ...]]:
    return sa.select(SiteSettings.__table__).where(SiteSettings.__table__.c.id == SETTINGS_ID)


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
