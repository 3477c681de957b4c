"""The one parser for numbers and list positions that come from a client."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from blog.inputs import (
    JSON_MESSAGE,
    MAX_ID,
    NUL_MESSAGE,
    is_web_address,
    json_fields_problem,
    parse_cursor,
    parse_id,
)


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_parse_id_takes_ascii_whole_numbers_in_range(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0",
        "00",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "1_000",
        "0x10",
        "²",
        "٣",
        "１",
        "1\x00",
        str(MAX_ID + 1),
        "99999999999999999999",
        "0" * 19 + "1",
        None,
        5,
        b"5",
        ["5"],
    ],
)
def test_parse_id_refuses_everything_else(raw):
    assert parse_id(raw) is None


def test_parse_cursor_reads_a_time_and_an_id():
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert parse_cursor(f"{when.isoformat()}~17") == (when, 17)
    other = datetime(2026, 11, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert parse_cursor(f"{other.isoformat()}~3") == (other, 3)


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        "~1",
        "2026-11-01T12:00:00+00:00",
        "2026-11-01T12:00:00~1",
        "2026-11-01T12:00:00+00:00~",
        "2026-11-01T12:00:00+00:00~²",
        "2026-11-01T12:00:00+00:00~99999999999999999999",
        "2026-11-01T12:00:00+00:00~0",
        "0001-01-01T00:00:00+05:00~1",
        "9999-12-31T23:59:59-05:00~1",
        "2026-13-01T00:00:00+00:00~1",
        7,
    ],
)
def test_parse_cursor_refuses_everything_else(token):
    assert parse_cursor(token) is None


@pytest.mark.parametrize("body", [{}, {"name": "Pat", "body": "Hi"}, {"ids": ["1", "2"]}])
def test_json_objects_of_text_are_form_fields(body):
    assert json_fields_problem(body) is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        [1],
        "text",
        1,
        {"name": 1},
        {"name": None},
        {"name": {"a": "b"}},
        {"ids": ["1", 2]},
        {"ids": [["1"]]},
        {"ok": True},
    ],
)
def test_other_json_is_refused_with_a_reason(body):
    assert json_fields_problem(body) == JSON_MESSAGE


@pytest.mark.parametrize("body", [{"name": "a\x00"}, {"a\x00": "b"}, {"ids": ["1", "\x00"]}])
def test_a_nul_in_json_is_refused_as_such(body):
    assert json_fields_problem(body) == NUL_MESSAGE


@pytest.mark.parametrize(
    "text", ["https://example.org", "http://example.org:8080/a?b=c", "https://[::1]/", "https://bücher.example/"]
)
def test_web_addresses_that_pass(text):
    assert is_web_address(text)


@pytest.mark.parametrize(
    "text",
    [
        "example.org",
        "javascript:alert(1)",
        "ftp://example.org",
        "http://[::1",
        "http://example.org:port/",
        "https://exa mple.org",
        'https://a"b.example/',
        "https://",
    ],
)
def test_web_addresses_that_do_not(text):
    assert not is_web_address(text)
