"""``UTCDateTime``: naive UTC in the database, aware UTC out, whatever shape SQLite's text has."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from blog.orm import UTCDateTime

metadata = sa.MetaData()
stamps = sa.Table("stamps", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("at", UTCDateTime()))


@pytest.fixture
def engine():
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_round_trip_is_aware_utc(engine):
    moments = [
        datetime(2026, 10, 6, 9, 5, 7, 123456, tzinfo=UTC),
        datetime(2026, 10, 6, 11, 5, tzinfo=timezone(timedelta(hours=2))),  # stored as 09:05 UTC
        None,
    ]
    with engine.begin() as conn:
        conn.execute(stamps.insert(), [{"id": i, "at": m} for i, m in enumerate(moments)])
        read = conn.execute(sa.select(stamps.c.at).order_by(stamps.c.id)).scalars().all()
    assert read == moments
    assert [m.utcoffset() for m in read[:2]] == [timedelta(0), timedelta(0)]
    assert read[1].hour == 9


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-10-06 09:05:07.123456", datetime(2026, 10, 6, 9, 5, 7, 123456, tzinfo=UTC)),  # our own writes
        ("2026-10-06 09:05:07", datetime(2026, 10, 6, 9, 5, 7, tzinfo=UTC)),  # SQLite's CURRENT_TIMESTAMP
        ("2026-10-06T09:05:07", datetime(2026, 10, 6, 9, 5, 7, tzinfo=UTC)),  # written by another tool
        ("2026-10-06 09:05:07+00:00", datetime(2026, 10, 6, 9, 5, 7, tzinfo=UTC)),  # an offset already there
        ("2026-10-06", datetime(2026, 10, 6, tzinfo=UTC)),
    ],
)
def test_text_of_any_iso_shape_reads_as_utc(engine, stored, expected):
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO stamps (id, at) VALUES (1, :at)"), {"at": stored})
        read = conn.execute(sa.select(stamps.c.at)).scalar_one()
    assert read == expected
    assert read.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as conn:
        conn.execute(stamps.insert(), {"id": 1, "at": datetime(2026, 10, 6, 9, 5)})
