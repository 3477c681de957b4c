"""Template filters: what they write, and that remembering it never changes what they write."""

from datetime import UTC, datetime, timedelta, timezone


def test_date_filters_remember_utc_only(bare_app):
    """Equal instants in different zones are equal keys: only UTC values may come from the memory."""
    utc = datetime(2026, 10, 6, 9, 5, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    template = bare_app.jinja_env.from_string("{{ d|datetime }} | {{ d|isodate }} | {{ d|date }}")
    isodate = bare_app.jinja_env.filters["isodate"]
    with bare_app.test_request_context("/"):
        hits = isodate.cache_info().hits
        assert template.render(d=utc) == "October 6, 2026 at 9:05 | 2026-10-06T09:05:00+00:00 | October 6, 2026"
        assert template.render(d=utc) == "October 6, 2026 at 9:05 | 2026-10-06T09:05:00+00:00 | October 6, 2026"
        assert isodate.cache_info().hits == hits + 1
        assert template.render(d=paris) == "October 6, 2026 at 11:05 | 2026-10-06T11:05:00+02:00 | October 6, 2026"
        assert template.render(d=None) == " |  | "
