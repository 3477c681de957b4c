"""Comparing two versions of an article's text, line by line (difflib): pure, no app.

The result is plain data; the template writes each line escaped inside ``<ins>``/``<del>``, so no text of an
article ever reaches the page unescaped.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "del", "ins"]
FIELDS = ("title", "summary", "body")


@dataclass(frozen=True)
class Line:
    kind: Kind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: tuple[Line, ...]

    @property
    def changed(self) -> bool:
        return any(line.kind != "same" for line in self.lines)


def diff_text(old: str, new: str) -> tuple[Line, ...]:
    """``old`` → ``new``: unchanged lines, removed lines (``del``) and added ones (``ins``), in reading order."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(Line("same", text) for text in a[i1:i2])
            continue
        lines.extend(Line("del", text) for text in a[i1:i2])  # "replace" is both: the old lines, then the new
        lines.extend(Line("ins", text) for text in b[j1:j2])
    return tuple(lines)


def diff_fields(old: Mapping[str, str], new: Mapping[str, str]) -> list[FieldDiff]:
    """One ``FieldDiff`` per field of ``FIELDS``."""
    return [FieldDiff(name, diff_text(old.get(name, ""), new.get(name, ""))) for name in FIELDS]
