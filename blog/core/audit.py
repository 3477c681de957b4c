"""The moderation audit trail: what a deleted comment leaves behind, who acted, and the log as CSV.

Pure functions of plain values (no Flask, no database).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from blog.core.privacy import person_key


def keyed(hash_key: str | bytes, purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA-256 under ``HASH_KEY``) of one field, distinct per purpose: it tells whether two
    snapshots came from the same address or text, and nobody without the key can reverse it by guessing."""
    key = hash_key.encode() if isinstance(hash_key, str) else hash_key
    return hmac.new(key, f"audit-{purpose}:".encode() + value.encode(), hashlib.sha256).hexdigest()


def snapshot(
    hash_key: str | bytes,
    *,
    status: str,
    article_id: int,
    name: str,
    email: str,
    website: str,
    body: str,
    ip_hash: str,
    created_at: datetime,
) -> dict[str, str | int]:
    """What the audit trail keeps of a comment deleted for good: the status it was deleted from, where and
    when it was posted, and keyed hashes of who wrote what. No name, address or text in clear, so that
    erasure and retention have nothing to chase in the trail."""
    return {
        "status": status,
        "article_id": article_id,
        "created_at": created_at.isoformat(),
        "name": keyed(hash_key, "name", name.strip()),
        "email": person_key(hash_key, email),  # as the data-request trail names an address
        "website": keyed(hash_key, "website", website.strip()) if website else "",
        "text": keyed(hash_key, "text", body),
        "ip": ip_hash,  # already a keyed hash (or empty after retention dropped it)
    }


def actor_text(display_name: str | None, label: str, action: str) -> str:
    """Who acted, in words: the signed-in user, else what the event says (a command: "command line (alice)"),
    else the commenter (their own edit or withdrawal), the retention rules, or the comment rules."""
    if display_name:
        return display_name
    if label:
        return label
    if action in ("withdrawn", "edit"):
        return "the commenter"
    if action == "purge":
        return "the retention rules"
    return "the rules"


def command_line_actor(os_user: str) -> str:
    """The actor recorded for a command run on the server."""
    return f"command line ({os_user or 'unknown user'})"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
    carriage return, which some read past) is prefixed with an apostrophe, so a commenter's chosen name is
    never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[str]:
    """The header and the rows as CSV text, a line at a time (for a streamed response), every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _chain(header, rows):
        writer.writerow([csv_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _chain(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[Sequence[object]]:
    yield header
    yield from rows
