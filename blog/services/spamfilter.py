"""The spam filter's counts: the seed corpus we ship plus what the editors' decisions taught (spam_features).

Each approve, spam or "not spam" (restore from Spam) on the desk teaches the filter at once, in the same
transaction (``learn``); ``retrain`` catches up with comments decided before the filter existed. Scoring reads
only the rows of the comment's own features, so the web workers hold the seed corpus's counts and nothing else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from blog.core import privacy, spamfilter
from blog.extensions import db
from blog.models import Comment, CommentStatus, SpamFeature

SPAM, HAM = "spam", "ham"
# action -> what it teaches: an editor approving says "good", marking spam says "spam", restoring from Spam
# ("Not spam") says "good".
LESSONS = {"approve": HAM, "spam": SPAM}


class BadExample(ValueError):
    """A line of a labelled file that is not a comment with a label; the message says which and why."""


@dataclass(frozen=True)
class Example:
    body: str
    name: str = ""
    website: str = ""
    is_spam: bool = False

    def features(self) -> dict[str, float]:
        return spamfilter.features(body=self.body, name=self.name, website=self.website)


def read_examples(lines: Iterable[str]) -> Iterator[Example]:
    """Labelled comments, one JSON object a line: ``body``, ``name``, ``website``, ``label`` (spam or ham)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row: Any = json.loads(line)
        except ValueError as error:
            raise BadExample(f"line {number}: not JSON ({error})") from None
        if not isinstance(row, dict) or not isinstance(row.get("body"), str) or row.get("label") not in (SPAM, HAM):
            raise BadExample(f'line {number}: needs a "body" and a "label" of "spam" or "ham"')
        yield Example(
            body=row["body"],
            name=str(row.get("name") or ""),
            website=str(row.get("website") or ""),
            is_spam=row["label"] == SPAM,
        )


@functools.cache
def seed_counts() -> Mapping[str, spamfilter.Counts]:
    """The counts of the corpus we wrote and ship (blog/data/spam_seed.jsonl), once per process: read from the
    counts made from it (spam_seed_counts.tsv, tests/data/make_spam_counts.py), which keeps the servers' memory
    small."""
    counts = {}
    with resources.files("blog").joinpath("data/spam_seed_counts.tsv").open(encoding="utf-8") as lines:
        for line in lines:
            spam, ham, feature = line.rstrip("\n").split("\t", 2)
            counts[feature] = spamfilter.Counts(int(spam), int(ham))
    return counts


# Features that name a person (a name's words, a website, a link's domain) are stored as keyed hashes.
PERSONAL = ("name:", "site:", "siteword:", "sitegram:", "url:")


def stored_key(feature: str) -> str:
    if feature.startswith(PERSONAL):
        return privacy.feature_key(current_app.config["HASH_KEY"], feature)
    return feature


def learned_counts(features: Iterable[str]) -> dict[str, spamfilter.Counts]:
    """The learned counts of these features (and of the documents), from the database."""
    keys = {stored_key(f): f for f in (*features, spamfilter.DOCUMENTS)}
    rows = db.session.execute(
        sa.select(SpamFeature.feature, SpamFeature.spam, SpamFeature.ham).where(SpamFeature.feature.in_(sorted(keys)))
    )
    return {keys[k]: spamfilter.Counts(max(0, s), max(0, h)) for k, s, h in rows}


def score(*, body: str, name: str = "", website: str = "") -> spamfilter.Score:
    feats = spamfilter.features(body=body, name=name, website=website)
    seed = seed_counts()
    own = {f: seed[f] for f in (*feats, spamfilter.DOCUMENTS) if f in seed}  # not a copy of the whole corpus
    return spamfilter.score(feats, spamfilter.combine(own, learned_counts(feats)))


def keep_score(comment: Comment, spam: spamfilter.Score | None) -> None:
    """Store the score with the comment, for the desk (None: not scored)."""
    comment.spam_score = None if spam is None else round(spam.probability, 4)
    comment.spam_reason = "" if spam is None else spam.reason()[:200]


def learn(comment: Comment, lesson: str | None) -> None:
    """Teach the filter that ``comment`` is spam or good (``lesson`` SPAM or HAM), moving what it taught
    before if an editor changed their mind. Flushes; the caller commits."""
    deltas: dict[str, list[int]] = {}
    if _lesson(comment, lesson, deltas):
        _add(deltas)
        db.session.flush()


def _lesson(comment: Comment, lesson: str | None, deltas: dict[str, list[int]]) -> bool:
    """Add to ``deltas`` what teaching ``comment`` ``lesson`` changes, and mark the comment; False: nothing."""
    if lesson == comment.spam_learned:
        return False
    feats = spamfilter.features(body=comment.body_text, name=comment.author_name, website=comment.author_website)
    for side, sign in ((comment.spam_learned, -1), (lesson, 1)):
        if side is None:
            continue
        for feature in (*feats, spamfilter.DOCUMENTS):
            delta = deltas.setdefault(feature, [0, 0])
            delta[0 if side == SPAM else 1] += sign
    comment.spam_learned = lesson
    return True


def _add(deltas: Mapping[str, list[int]]) -> None:
    """Add to the counts in one statement (an upsert), in the features' order: two editors deciding at once
    lock the rows they share in the same order, so they wait for each other rather than deadlock."""
    if not deltas:
        return
    stored: dict[str, list[int]] = {}
    for feature, (spam, ham) in deltas.items():
        counts = stored.setdefault(stored_key(feature), [0, 0])
        counts[0] += spam
        counts[1] += ham
    rows = [{"feature": f, "spam": s, "ham": h} for f, (s, h) in sorted(stored.items())]
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SpamFeature)
    upsert = statement.on_conflict_do_update(
        index_elements=[SpamFeature.feature],
        set_={"spam": SpamFeature.spam + statement.excluded.spam, "ham": SpamFeature.ham + statement.excluded.ham},
    )
    # The rows as parameters, not as .values(rows): one compiled statement whatever their number, which
    # SQLAlchemy sends in batches of multi-row VALUES (insertmanyvalues), still in the features' order.
    db.session.execute(upsert, rows)


def lesson_of(action: str, from_status: CommentStatus) -> str | None:
    """What a desk action teaches: approve → good, spam → spam, restore from Spam ("Not spam") → good."""
    if action == "restore" and from_status is CommentStatus.SPAM:
        return HAM
    return LESSONS.get(action)


def learn_from_decision(comment: Comment, action: str, from_status: CommentStatus) -> None:
    """After a status change: teach the filter what the action says, if anything (staff comments teach nothing
    about readers)."""
    lesson = lesson_of(action, from_status)
    if lesson is not None and comment.user_id is None:
        learn(comment, lesson)


@dataclass(frozen=True)
class Retrained:
    ham: int
    spam: int


def retrain(*, reset: bool = False, batch: int = 500) -> Retrained:
    """Teach the filter every stored comment it has not learned from yet: approved ones (not by staff) as good,
    spam as spam. ``reset``: forget every learned count first and learn again from the comments still stored
    (what deleted comments taught is then lost; for after a change to the features). Flushes."""
    if reset:
        db.session.execute(sa.delete(SpamFeature))
        db.session.execute(sa.update(Comment).values(spam_learned=None))
    taught = {HAM: 0, SPAM: 0}
    for status, lesson in ((CommentStatus.APPROVED, HAM), (CommentStatus.SPAM, SPAM)):
        last_id = 0
        while True:
            comments = db.session.scalars(
                sa.select(Comment)
                .where(
                    Comment.id > last_id,
                    Comment.status == status,
                    Comment.user_id.is_(None),  # staff comments teach nothing about readers
                    sa.or_(Comment.spam_learned.is_(None), Comment.spam_learned != lesson),
                )
                .order_by(Comment.id)
                .limit(batch)
            ).all()
            if not comments:
                break
            deltas: dict[str, list[int]] = {}  # one upsert per batch
            taught[lesson] += sum(_lesson(comment, lesson, deltas) for comment in comments)
            _add(deltas)
            db.session.flush()
            last_id = comments[-1].id
    return Retrained(ham=taught[HAM], spam=taught[SPAM])


def evaluate(examples: Iterable[Example], *, threshold: float) -> spamfilter.Evaluation:
    """The current filter (seed and learned counts) on labelled comments, against the Spam threshold."""
    return spamfilter.evaluate(
        ((score(body=e.body, name=e.name, website=e.website).probability, e.is_spam) for e in examples),
        threshold=threshold,
    )
