"""Search queries and result snippets, as plain values.

A reader's query is never handed to a full-text engine as syntax: it is cut into words and each
word is quoted, so ``"``, ``*``, ``AND OR NOT``, ``NEAR(`` and friends are searched for as text
(or dropped), never parsed as operators. Snippets are escaped first and only then marked.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import NamedTuple

from blog.core.terms import fold, stem

MAX_QUERY_LENGTH = 200  # characters; longer queries are refused politely
MAX_TERMS = 12  # words used from a query; more only slow the engine down
SNIPPET_WORDS = 30

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")


class QueryError(ValueError):
    """A query we will not run; the message is for the reader."""


@dataclass(frozen=True)
class Query:
    text: str  # as typed, trimmed: compared with titles for the exact-match boost
    words: tuple[str, ...]  # lowercased words, in order, without duplicates

    @property
    def fts5(self) -> str:
        """SQLite FTS5 MATCH expression: every word as a quoted string, all required."""
        return " ".join('"' + word.replace('"', '""') + '"' for word in self.words)

    @property
    def plain(self) -> str:
        """Words for PostgreSQL's ``plainto_tsquery``, which treats its input as text, never syntax."""
        return " ".join(self.words)


def parse_query(raw: str | None) -> Query | None:
    """The reader's query as words; None when there is nothing to search for.

    Raises ``QueryError`` for a query longer than ``MAX_QUERY_LENGTH``.
    """
    text = " ".join((raw or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"That search is too long. Please use at most {MAX_QUERY_LENGTH} characters.")
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in words:
            words.append(word)
    if not words:
        return None
    return Query(text=text, words=tuple(words[:MAX_TERMS]))


def plain_text(html_text: str) -> str:
    """Text of sanitised HTML (tags dropped, entities decoded, whitespace collapsed)."""
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


@functools.lru_cache(maxsize=65_536)
def _forms(word: str) -> tuple[str, str]:
    """A word folded, and its stem. Memoised: a snippet looks at every word of an article's body, and
    folding and stemming each was most of a search page's time; a site's vocabulary repeats."""
    folded = fold(word)
    return folded, stem(folded)


class _Keys(NamedTuple):
    """What a word is compared with: the query's stems and folded words, and those usable as prefixes."""

    words: frozenset[str]
    prefixes: tuple[str, ...]  # the keys of 4 letters or more


@functools.lru_cache(maxsize=65_536)
def _matches(token: str, keys: _Keys) -> bool:
    folded, stemmed = _forms(token)
    return stemmed in keys.words or folded.startswith(keys.prefixes)


_VERDICTS_KEPT = 20_000  # words remembered per query


@functools.lru_cache(maxsize=16)
def _verdicts(keys: _Keys) -> dict[str, bool]:
    """Word -> matches, for one query: a result page's bodies share most of their words, and a plain dict
    is looked up 3× faster than ``_matches``'s cache (whose key holds the query's keys)."""
    return {}


def _keys(query: Query) -> _Keys:
    words = frozenset({stem(fold(w)) for w in query.words} | {fold(w) for w in query.words})
    return _Keys(words, tuple(sorted(key for key in words if len(key) >= 4)))


def mentions(text: str, query: Query) -> bool:
    """Does ``text`` contain one of the query's words (by stem or prefix)?"""
    keys = _keys(query)
    return any(_matches(word, keys) for word in set(_WORD.findall(text)))


def highlight(text: str, query: Query, *, words: int = SNIPPET_WORDS) -> str:
    """HTML: a window of ``text`` around the most query matches, escaped, matches in ``<mark>``.

    Matching is by stem and prefix ("ferries" marks "ferry" and "Ferryman"). Falls back to the
    start of the text when nothing matches.
    """
    keys = _keys(query)
    tokens = text.split()
    return _window(tokens, _hits(tokens, keys), keys, words)


def snippet(body: str, summary: str, query: Query, *, words: int = SNIPPET_WORDS) -> str:
    """``highlight`` of the body when it mentions the query, else of the summary (when there is one).

    The same as ``highlight(body if mentions(body, query) or not summary else summary, query)``, with
    the body's words looked at once.
    """
    keys = _keys(query)
    tokens = body.split()
    hits = _hits(tokens, keys)
    if not hits and summary:
        return highlight(summary, query, words=words)
    return _window(tokens, hits, keys, words)


def _hits(tokens: list[str], keys: _Keys) -> list[int]:
    """Positions of the tokens holding a matching word.

    Each distinct word is compared once; then one regular expression finds where the matching words
    stand as whole words (like ``_WORD``: no letter or digit on either side) in the tokens joined by
    single spaces, where a place's token is the number of spaces before it. (The left side is checked
    in Python: a look-behind at the front of the pattern made the engine try every position, 10× slower.)
    """
    text = " ".join(tokens)
    verdicts = _verdicts(keys)
    found = set()
    for word in set(_WORD.findall(text)):
        if (verdict := verdicts.get(word)) is None:
            verdict = verdicts[word] = _matches(word, keys)
        if verdict:
            found.add(word)
    if len(verdicts) > _VERDICTS_KEPT:
        verdicts.clear()
    if not found:
        return []
    words = "|".join(re.escape(word) for word in sorted(found, key=len, reverse=True))
    hits: list[int] = []
    token, counted_to = 0, 0
    for place in re.finditer(rf"(?:{words})(?![^\W_])", text):
        at = place.start()
        if at == 0 or not text[at - 1].isalnum():
            token += text.count(" ", counted_to, at)  # counted from the last place on: linear
            counted_to = at
            if not hits or hits[-1] != token:
                hits.append(token)
    return hits


def _window(tokens: list[str], hits: list[int], keys: _Keys, words: int) -> str:
    start = 0
    if hits:
        best = _densest(hits, words)
        start = max(0, min(best - words // 4, len(tokens) - words))
    window = tokens[start : start + words]
    marked = " ".join(_mark(token, keys) for token in window)
    return ("… " if start > 0 else "") + marked + (" …" if start + words < len(tokens) else "")


def _densest(hits: list[int], width: int) -> int:
    """The first hit of the ``width``-token window holding the most hits (linear: two pointers)."""
    best, most, end = hits[0], 0, 0
    for begin, position in enumerate(hits):
        while end < len(hits) and hits[end] < position + width:
            end += 1
        if end - begin > most:
            best, most = position, end - begin
    return best


def _mark(token: str, keys: _Keys) -> str:
    """One whitespace-free token, escaped, with its matching words wrapped in ``<mark>``."""
    if token.isalnum():  # one word, nothing to escape: most tokens
        return f"<mark>{token}</mark>" if _matches(token, keys) else token
    out, last = [], 0
    for found in _WORD.finditer(token):
        out.append(html.escape(token[last : found.start()]))
        word = html.escape(found.group())
        out.append(f"<mark>{word}</mark>" if _matches(found.group(), keys) else word)
        last = found.end()
    out.append(html.escape(token[last:]))
    return "".join(out)
