"""Dates as readers see them: in the site's time zone, with the zone named ("3 December 2026, 14:05 CET").

Stored dates are aware UTC (``blog.orm.UTCDateTime``); only what is shown moves to the site's zone. Machine-
readable values (``<time datetime=…>``, feeds, JSON-LD) stay ISO 8601 with their offset.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # English, whatever the server's locale


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The zone of that IANA name; an unknown one (say, a zone a later tzdata dropped) falls back to UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def zone_error(name: str) -> str | None:
    """Why ``name`` is not a time zone the site can use, or None when it is."""
    if name not in zone_names():
        return f"“{name}” is not a time zone we know. Use an IANA name such as Europe/Paris or America/New_York."
    return None


@functools.cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {DEFAULT_ZONE}


def local(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(zone(zone_name))


def zone_label(value: datetime) -> str:
    """The zone's abbreviation at that moment ("CET", "CEST", "EST"); "UTC+04" where the database has none."""
    name = value.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def format_date(value: datetime | None, zone_name: str = DEFAULT_ZONE) -> str:
    """'3 December 2026': the day in the site's zone."""
    if value is None:
        return ""
    shown = local(value, zone_name)
    return f"{shown.day} {MONTHS[shown.month - 1]} {shown.year}"


def format_datetime(value: datetime | None, zone_name: str = DEFAULT_ZONE) -> str:
    """'3 December 2026, 14:05 CET' (24-hour, the zone named)."""
    if value is None:
        return ""
    shown = local(value, zone_name)
    return f"{format_date(shown, zone_name)}, {shown.hour}:{shown.minute:02d} {zone_label(shown)}"
