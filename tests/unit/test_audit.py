"""The audit trail's pure parts: what a deleted comment leaves, who acted, CSV cells a spreadsheet won't run."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from blog.core import audit

KEY = "test-hash-key"


def test_a_snapshot_holds_no_name_address_or_text_in_clear():
    snap = audit.snapshot(
        KEY,
        status="spam",
        article_id=7,
        name="Pat Spammer",
        email="Pat@Example.NET",
        website="https://pills.example",
        body="Buy cheap pills",
        ip_hash="ab" * 32,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    dumped = json.dumps(snap).lower()
    for clear in ("pat", "example.net", "pills", "buy cheap"):
        assert clear not in dumped
    assert snap["status"] == "spam" and snap["article_id"] == 7
    again = audit.snapshot(
        KEY,
        status="trash",
        article_id=8,
        name="Pat Spammer",
        email=" pat@example.net",
        website="",
        body="Other",
        ip_hash="",
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    assert again["email"] == snap["email"]  # the same address matches, however typed
    assert again["name"] == snap["name"] and again["text"] != snap["text"] and again["website"] == ""
    other_key = audit.snapshot(
        KEY + "x",
        status="spam",
        article_id=7,
        name="Pat Spammer",
        email="pat@example.net",
        website="",
        body="Buy cheap pills",
        ip_hash="",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert other_key["email"] != snap["email"]


@pytest.mark.parametrize(
    ("display", "label", "action", "expected"),
    [
        ("Eda Editor", "", "approve", "Eda Editor"),
        (None, "command line (alice)", "spam", "command line (alice)"),
        (None, "", "withdrawn", "the commenter"),
        (None, "", "purge", "the retention rules"),
        (None, "", "submitted", "the rules"),
    ],
)
def test_actor_text(display, label, action, expected):
    assert audit.actor_text(display, label, action) == expected


def test_command_line_actor():
    assert audit.command_line_actor("alice") == "command line (alice)"
    assert audit.command_line_actor("") == "command line (unknown user)"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_start_a_formula_are_escaped(start):
    assert audit.csv_cell(f'{start}HYPERLINK("http://evil")') == f'\'{start}HYPERLINK("http://evil")'


def test_csv_lines():
    text = "".join(audit.to_csv(("a", "b"), iter([("=1+2", None), (3, "plain, with comma")])))
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+2", ""], ["3", "plain, with comma"]]
