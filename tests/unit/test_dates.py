"""Dates in the site's time zone, with the zone named (blog.core.dates)."""

from datetime import UTC, datetime

from blog.core import dates

WINTER = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)


def test_utc_by_default():
    assert dates.format_datetime(WINTER) == "3 December 2026, 13:05 UTC"
    assert dates.format_date(WINTER) == "3 December 2026"


def test_daylight_saving_comes_from_the_zone_database():
    assert dates.format_datetime(WINTER, "Europe/Paris") == "3 December 2026, 14:05 CET"
    assert dates.format_datetime(SUMMER, "Europe/Paris") == "2 July 2026, 0:30 CEST"
    assert dates.format_date(SUMMER, "Europe/Paris") == "2 July 2026"  # the day moves with the zone
    assert dates.format_datetime(WINTER, "America/New_York") == "3 December 2026, 8:05 EST"
    assert dates.format_datetime(SUMMER, "America/New_York") == "1 July 2026, 18:30 EDT"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset():
    assert dates.format_datetime(WINTER, "Asia/Dubai") == "3 December 2026, 17:05 UTC+04"


def test_zone_names_are_checked():
    assert dates.zone_error("Europe/Paris") is None
    assert dates.zone_error("UTC") is None
    assert "not a time zone we know" in (dates.zone_error("Mars/Olympus") or "")
    assert dates.zone_error("../../etc/passwd") is not None
    assert dates.format_date(None) == "" and dates.format_datetime(None, "Europe/Paris") == ""


def test_a_stored_zone_that_no_longer_exists_falls_back_to_utc():
    assert dates.format_datetime(WINTER, "Nowhere/Gone") == "3 December 2026, 13:05 UTC"
