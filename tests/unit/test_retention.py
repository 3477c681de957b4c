"""The retention rules: cut-offs, the daily purge's time, and what it will do to one comment."""

from datetime import UTC, datetime, timedelta

import pytest

from blog.core.retention import PURGE_AT, Fate, Policy, comment_fate, cutoff, next_purge

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def purge_on(day: datetime) -> datetime:
    return datetime.combine(day.date(), PURGE_AT, tzinfo=UTC)


def fate(status="approved", *, created=NOW, changed=None, has_ip=True, now=NOW, **policy) -> Fate:
    return comment_fate(
        Policy(**policy), status=status, created_at=created, status_changed_at=changed, has_ip=has_ip, now=now
    )


def test_cutoff_is_n_days_before_now_and_none_means_never():
    assert cutoff(30, NOW) == NOW - 30 * DAY
    assert cutoff(None, NOW) is None
    assert cutoff(0, NOW) is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        cutoff(30, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="aware"):
        fate(created=NOW.replace(tzinfo=None))


def test_other_time_zones_are_read_as_the_same_instant():
    from zoneinfo import ZoneInfo

    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))
    assert cutoff(1, paris) == NOW - DAY
    assert next_purge(paris) == next_purge(NOW)


def test_the_next_purge_is_the_first_daily_run_at_or_after_a_time():
    run = purge_on(NOW)
    assert next_purge(run) == run  # exactly at the run: that run
    assert next_purge(run - timedelta(seconds=1)) == run
    assert next_purge(run + timedelta(seconds=1)) == run + DAY


def test_spam_is_deleted_by_the_first_purge_n_days_after_it_was_marked():
    created, marked = NOW - 40 * DAY, NOW - 5 * DAY
    assert fate("spam", created=created, changed=marked, purge_spam_days=30).deleted_at == next_purge(marked + 30 * DAY)
    # arrived as spam (no change since): counted from when it was written
    assert fate("spam", created=NOW - DAY, purge_spam_days=30).deleted_at == next_purge(NOW + 29 * DAY)


def test_exactly_n_days_old_is_due_at_that_purge():
    run = purge_on(NOW) + DAY
    assert fate("trash", created=run - 30 * DAY, purge_trash_days=30).deleted_at == run
    assert fate("trash", created=run - 30 * DAY + timedelta(seconds=1), purge_trash_days=30).deleted_at == run + DAY


def test_overdue_rows_go_at_the_next_purge_from_now():
    assert fate("trash", created=NOW - 400 * DAY).deleted_at == next_purge(NOW)


def test_never_means_never():
    assert fate("spam", created=NOW - 999 * DAY, purge_spam_days=None, keep_ip_days=None) == Fate()
    assert fate("trash", created=NOW - 999 * DAY, purge_trash_days=0, keep_ip_days=0) == Fate()


def test_published_and_held_comments_are_never_deleted_only_their_ip_dropped():
    for status in ("approved", "pending"):
        got = fate(status, created=NOW - 2 * DAY, keep_ip_days=30)
        assert got == Fate(ip_dropped_at=next_purge(NOW + 28 * DAY))


def test_no_ip_left_nothing_to_drop():
    assert fate(created=NOW - 2 * DAY, has_ip=False) == Fate()


def test_a_comment_deleted_before_its_ip_would_be_dropped_shows_only_the_deletion():
    got = fate("spam", created=NOW, purge_spam_days=10, keep_ip_days=30)
    assert got == Fate(deleted_at=next_purge(NOW + 10 * DAY))
    got = fate("spam", created=NOW, purge_spam_days=30, keep_ip_days=10)
    assert got == Fate(deleted_at=next_purge(NOW + 30 * DAY), ip_dropped_at=next_purge(NOW + 10 * DAY))
