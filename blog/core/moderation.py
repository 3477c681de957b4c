"""The comment rules: is the thread open, may this be a reply, and what status a new comment gets.

Pure functions of plain values; the service gathers the inputs (settings, the commenter's history,
the clock) and stores the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from blog.core.spamfilter import Score


class Status(StrEnum):  # mirrors models.CommentStatus; core does not import models
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"


@dataclass(frozen=True)
class Policy:
    max_links: int = 2
    hold_words: tuple[str, ...] = ()
    block_words: tuple[str, ...] = ()
    auto_approve_known: bool = True
    spam_threshold: float = 0.9  # the filter's score at or above which a comment goes to Spam
    ham_threshold: float = 0.2  # … below which, with no rule hit, it may be published at once
    publish_likely_good: bool = False  # … if the admin turned that on


@dataclass(frozen=True)
class Draft:
    """A validated comment as the reader typed it."""

    name: str
    email: str
    website: str
    body: str
    parent_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[str, ...]


_URL = re.compile(r"https?://", re.IGNORECASE)


def parse_words(text: str) -> tuple[str, ...]:
    """A settings textarea (one word or phrase per line) as lowercase entries."""
    return tuple(dict.fromkeys(w.strip().lower() for w in text.splitlines() if w.strip()))


def count_links(text: str) -> int:
    return len(_URL.findall(text))


def _matches(words: Iterable[str], draft: Draft) -> list[str]:
    haystack = f"{draft.name}\n{draft.email}\n{draft.website}\n{draft.body}".lower()
    return [w for w in words if w in haystack]


def decide(
    policy: Policy,
    draft: Draft,
    *,
    by_editor: bool,
    known_commenter: bool,
    banned: str = "",
    spam: Score | None = None,
) -> Verdict:
    """The status a new comment gets, with the reasons (stored for the moderation desk).

    Block words -> spam; a banned commenter (``banned``: "address" or "network", what the ban matched) -> spam,
    unless a signed-in editor wrote it; a signed-in editor -> approved; a spam score at or above the threshold
    -> spam (a known commenter's: held); too many links or a hold word -> pending; a commenter with an earlier
    approved comment (same email and name) -> approved; a score below the "likely good" threshold when the
    admin publishes such comments -> approved; else pending. ``spam``: the filter's score, None when not scored;
    it is among the reasons when it decided (the desk shows every comment's score beside them).
    """
    blocked = _matches(policy.block_words, draft)
    if blocked:
        return Verdict(Status.SPAM, tuple(f"block word: {w}" for w in blocked))
    if banned and not by_editor:
        return Verdict(Status.SPAM, (f"banned {banned}",))
    if by_editor:
        return Verdict(Status.APPROVED, ("editor",))
    reasons = []
    links = count_links(draft.body)
    if links > policy.max_links:
        reasons.append(f"{links} link{'' if links == 1 else 's'} (more than {policy.max_links})")
    reasons += [f"hold word: {w}" for w in _matches(policy.hold_words, draft)]
    score: tuple[str, ...] = () if spam is None else (spam.reason(),)
    if spam is not None and spam.probability >= policy.spam_threshold:
        if known_commenter:  # no free pass: one approved comment does not publish a spammer's next ones
            return Verdict(Status.PENDING, (*reasons, *score, "known commenter, but likely spam"))
        return Verdict(Status.SPAM, (*reasons, *score))
    if reasons:
        return Verdict(Status.PENDING, tuple(reasons))
    if known_commenter and policy.auto_approve_known:
        return Verdict(Status.APPROVED, ("known commenter",))
    if spam is not None and policy.publish_likely_good and spam.probability < policy.ham_threshold:
        return Verdict(Status.APPROVED, (f"likely good ({spam.reason()})",))
    return Verdict(Status.PENDING, ("first comment" if not known_commenter else "moderation required",))


def comments_close_at(
    *, comments_open: bool, published_at: datetime | None, close_after_days: int | None
) -> datetime | None:
    """When comments close by age; None when they never do that way (or are closed anyway)."""
    if not comments_open or published_at is None or close_after_days is None:
        return None
    return published_at + timedelta(days=close_after_days)


def comments_closed(
    *, comments_open: bool, published_at: datetime | None, close_after_days: int | None, now: datetime
) -> bool:
    if not comments_open or published_at is None:
        return True
    closes_at = comments_close_at(
        comments_open=comments_open, published_at=published_at, close_after_days=close_after_days
    )
    return closes_at is not None and now > closes_at


def reply_refusal(
    *, parent_article_id: int | None, parent_status: str | None, parent_depth: int, article_id: int, max_depth: int
) -> str | None:
    """Why a reply to this parent is refused, or None when it is allowed."""
    if parent_article_id is None:
        return "The comment you are replying to does not exist."
    if parent_article_id != article_id:
        return "The comment you are replying to belongs to another article."
    if parent_status != Status.APPROVED:
        return "The comment you are replying to is not published, so it cannot be replied to."
    if parent_depth + 1 >= max_depth:
        return "This conversation is nested as deep as it can go; please reply further up the thread."
    return None


# --- The commenter's edit window -----------------------------------------------------------------

EDITS_OFF = "Comments can't be edited on this site."
WINDOW_PASSED = "The time to edit this comment has passed ({minutes} minute{s})."
REPLIED = "Someone has replied to this comment, so it can no longer be edited."
REVIEWED = "An editor has already looked at this comment, so it can no longer be edited."

_STRICTNESS = (Status.APPROVED, Status.PENDING, Status.SPAM)


def edit_refusal(
    *, created_at: datetime, now: datetime, window_minutes: int, replied: bool, reviewed: bool
) -> str | None:
    """Why the commenter may no longer edit (or delete) their comment, or None while they may.

    For ``window_minutes`` after it was posted (by the server's clock), until someone replies to it (a reply
    others see or may soon see: approved or pending) or an editor acts on it: what they answered or judged
    must stay what they saw.
    """
    if window_minutes <= 0:
        return EDITS_OFF
    if now - created_at > timedelta(minutes=window_minutes):
        return WINDOW_PASSED.format(minutes=window_minutes, s="" if window_minutes == 1 else "s")
    if replied:
        return REPLIED
    if reviewed:
        return REVIEWED
    return None


def status_after_edit(current: Status, verdict: Status) -> Status:
    """An edit goes through the verdict, but can only make a comment's status stricter: an edit that the rules
    would hold or block is held or blocked, while a held comment stays held however it is edited (publishing
    it is an editor's call, as it would have been)."""
    return max(current, verdict, key=_STRICTNESS.index)
