"""Whether a new password is strong enough: zxcvbn's estimate, with the person's own name and address counted as
words an attacker would try first."""

from __future__ import annotations

import re

MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" (about 10^8 guesses or more)
MAX_LENGTH = 1024  # zxcvbn's cost grows with the length; werkzeug hashes any length
_CHECKED_LENGTH = 100  # beyond this a password is long enough; the estimate only slows down


def personal_words(*texts: str) -> list[str]:
    """The words of a name and an address (``Nadia Okafor``, ``nadia.okafor@example.org``), lower-cased."""
    words = {w for text in texts for w in re.split(r"[\W_]+", text.lower()) if len(w) >= 3}
    return sorted(words | {t.lower() for t in texts if t})


def weakness(password: str, personal: list[str]) -> str | None:
    """Why ``password`` is too weak, in words for the person choosing it; None when it is strong enough."""
    if len(password) > MAX_LENGTH:
        return f"Please use at most {MAX_LENGTH} characters."
    from zxcvbn import zxcvbn  # 12 MiB of word lists: loaded by the processes that check a password, not by every one

    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=personal)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    parts = [feedback.get("warning") or "This password would be easy to guess."]
    parts += feedback.get("suggestions") or ["Add another word or two: a few unrelated words are strong and memorable."]
    return " ".join(p if p.endswith(".") else p + "." for p in parts)
