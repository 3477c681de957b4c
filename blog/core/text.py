"""Small text helpers: slugs, reading time, line breaks."""

from __future__ import annotations

import math
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
WORDS_PER_MINUTE = 230


def slugify(text: str, *, max_length: int = 80) -> str:
    """ASCII, lowercase, hyphen-separated; '' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def word_count(text: str) -> int:
    return len(text.split())


def reading_minutes(words: int) -> int:
    """Minutes a typical reader needs for ``words`` words (``word_count``), at least one."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def normalise_newlines(text: str) -> str:
    """Every line break as one LF: a browser sends a textarea's breaks as CRLF, but counts each as one character
    (its ``maxlength``), so the server counts after this, and stores text in one form."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
