"""Where Keep Reading goes inside an article's body: a pure function of the stored (sanitised) body HTML.

The seed page shows the box inside the story, right before the sub-heading with which the story goes on, about
two-thirds of the way through. The rules:

- the editor's marker (``[keep-reading]`` on its own line in the Markdown, stored as ``MARKER``) wins;
- an article of fewer than ``MIN_PARAGRAPHS`` paragraphs gets the box at its end;
- otherwise right before the sub-heading nearest two-thirds of the paragraphs; without one, right after the
  paragraph nearest two-thirds;
- never before the second paragraph, never between a sub-heading and its first paragraph.

Positions are counted in top-level paragraphs: a quote or a list belongs to the paragraph before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MARKER_SOURCE = "[keep-reading]"  # what the editor types, on a line of its own
MARKER = "<!--keep-reading-->"  # what the renderer stores in its place (bleach drops any comment typed in)
MIN_PARAGRAPHS = 4
TARGET = 2 / 3

_MARKER_PARAGRAPH = re.compile(r"<p>\s*" + re.escape(MARKER_SOURCE) + r"\s*</p>\n?")
_MARKER_LINE = re.compile(r"^[ \t]*" + re.escape(MARKER_SOURCE) + r"[ \t]*$", re.MULTILINE)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area", "base", "embed"})


def isolate(source: str) -> str:
    """The Markdown with each marker line made a paragraph of its own (blank lines around it), before rendering."""
    return _MARKER_LINE.sub("\n" + MARKER_SOURCE + "\n", source)


def mark(html: str) -> str:
    """The sanitised body with the editor's marker paragraph turned into ``MARKER`` (the renderer calls this).

    Only the first marker counts; any further ones are dropped."""
    html = _MARKER_PARAGRAPH.sub(MARKER, html, count=1)
    return _MARKER_PARAGRAPH.sub("", html)


def without_marker(html: str) -> str:
    """The body as feeds and other readers of the stored HTML get it: no marker."""
    return html.replace(MARKER, "")


def source_without_marker(text: str) -> str:
    """The Markdown source without marker lines: what the search index and the relatedness scorer read."""
    return _MARKER_LINE.sub("", text)


@dataclass(frozen=True)
class Block:
    tag: str
    start: int  # offset of the block's start tag in the HTML


class _Blocks(HTMLParser):
    """The top-level elements of an HTML fragment, with their offsets."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._depth = 0
        self._line_starts = [0]
        for match in re.finditer("\n", html):
            self._line_starts.append(match.end())
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if self._depth == 0:
            self.blocks.append(Block(tag, self._offset()))
        if tag not in _VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        if self._depth == 0:
            self.blocks.append(Block(tag, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self._depth = max(0, self._depth - 1)


def position(html: str) -> int:
    """Where the box goes: an offset into ``html`` (``len(html)``: at the end). The marker is not looked at here."""
    blocks = _Blocks(html).blocks
    paragraphs = [b for b in blocks if b.tag == "p"]
    n = len(paragraphs)
    if n < MIN_PARAGRAPHS:
        return len(html)
    target = TARGET * n

    # Slots before a sub-heading, each with the number of paragraphs above it.
    slots: list[tuple[int, int]] = []
    seen = 0
    for block in blocks:
        if block.tag == "p":
            seen += 1
        elif block.tag in _HEADINGS and seen >= 2:
            slots.append((block.start, seen))
    if slots:
        # nearest two-thirds; on a tie the earlier one (more readers reach it)
        return min(slots, key=lambda slot: (abs(slot[1] - target), slot[1]))[0]

    # No sub-heading to sit before: right after the paragraph nearest two-thirds (at least the second).
    k = max(2, min(n, round(target)))
    after = paragraphs[k - 1]
    following = [b.start for b in blocks if b.start > after.start]
    return following[0] if following else len(html)


@dataclass(frozen=True)
class Split:
    before: str
    after: str
    at_end: bool  # the box follows the whole body (short articles)


def split(html: str, *, enabled: bool = True) -> Split:
    """The body cut where the box goes (``enabled`` False: the whole body in ``before``, no marker left)."""
    if not enabled:
        return Split(without_marker(html), "", True)
    if MARKER in html:
        before, _, after = html.partition(MARKER)
        return Split(before, without_marker(after), not after.strip())
    at = position(html)
    return Split(html[:at], html[at:], not html[at:].strip())
