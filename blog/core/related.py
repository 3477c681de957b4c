"""Keep Reading: which links an article shows, in what order, and which articles are related.

Pure: takes plain values, returns plain values. The contract: curated links first in the
editor's order, then automatic picks, never the article itself, never the same target twice, at
most ``size`` links. Automatic picks are scored below from shared tags weighted by rarity, text
similarity (TF-IDF cosine) and closeness in time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from blog.core.placement import source_without_marker
from blog.core.terms import term_counts


@dataclass(frozen=True)
class ReadingLink:
    title: str
    article_slug: str | None = None  # one of ours
    url: str | None = None  # or an external page
    fill: bool = False  # not a related pick: one of the section's latest articles, filling the box (shown marked)

    @property
    def key(self) -> str:
        return f"article:{self.article_slug}" if self.article_slug else f"url:{self.url}"


def keep_reading(
    curated: Iterable[ReadingLink], automatic: Iterable[ReadingLink], *, own_slug: str, size: int
) -> list[ReadingLink]:
    chosen: list[ReadingLink] = []
    seen = {f"article:{own_slug}"}
    for link in (*curated, *automatic):
        if len(chosen) >= size:
            break
        if link.key in seen:
            continue
        seen.add(link.key)
        chosen.append(link)
    return chosen


# --- Automatic picks ---------------------------------------------------------------------------
# An article is described by a *signature*: its strongest terms, weighted by TF-IDF and scaled to
# unit length, so the dot product of two signatures is their cosine similarity. Signatures are
# computed once, when an article is published or edited, and stored; ranking another article's
# candidates then needs only their signatures, tags and dates — never their text.

SIGNATURE_SIZE = 40  # terms kept per article: enough for the cosine, small enough to index 100k articles
QUERY_TERMS = 12  # the subject's strongest terms used to look up candidates
TITLE_BOOST, SUMMARY_BOOST, BODY_BOOST = 3, 2, 1


@dataclass(frozen=True)
class Weights:
    """How the three signals combine: relevance = text·cos + tags·cos, then scaled by recency."""

    text: float = 0.7
    tags: float = 0.3
    recency: float = 0.3  # share of the score that depends on closeness in time (0: none)
    half_life_days: float = 45.0  # closeness in time halves every this many days
    min_relevance: float = 0.12  # below this an article is not related, however recent


WEIGHTS = Weights()


@dataclass(frozen=True)
class Doc:
    """What the scorer knows of one published article."""

    id: int
    published_at: datetime
    vector: Mapping[str, float]  # the signature: term -> weight, unit length
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pick:
    id: int
    score: float


def article_terms(title: str, summary: str, body: str) -> Counter[str]:
    """Term frequencies of an article; title and summary words say more about it than body words."""
    body = source_without_marker(body)  # the editor's [keep-reading] line is no word of the story
    return term_counts((title, TITLE_BOOST), (summary, SUMMARY_BOOST), (body, BODY_BOOST))


def idf(document_count: int, n_docs: int) -> float:
    """Smoothed inverse document frequency: rare terms (and tags) weigh more; never zero."""
    return math.log((1 + n_docs) / (1 + document_count)) + 1.0


def tag_weight(document_count: int, n_docs: int) -> float:
    """How much sharing a tag says: its IDF, but nothing for a tag only one article carries.

    Such a tag can never be shared, so it can only lengthen its article's tag vector. Weighted by its IDF
    (the largest there is) it used to outweigh the tags an article does share: a new article with two tags of
    its own and two it shared with four others scored below the floor against every one of them.
    """
    return idf(document_count, n_docs) if document_count > 1 else 0.0


def signature(
    counts: Mapping[str, int], document_counts: Mapping[str, int], n_docs: int, *, size: int = SIGNATURE_SIZE
) -> dict[str, float]:
    """The ``size`` strongest terms by sublinear TF-IDF, scaled to unit length.

    Ties between equally strong terms go to the alphabetically first, so a signature is a pure
    function of its inputs.
    """
    weighted = {
        term: (1.0 + math.log(count)) * idf(document_counts.get(term, 0), n_docs)
        for term, count in counts.items()
        if count > 0
    }
    strongest = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[:size]
    norm = math.sqrt(sum(w * w for _, w in strongest))
    return {term: w / norm for term, w in strongest} if norm else {}


def query_terms(vector: Mapping[str, float], n: int = QUERY_TERMS) -> list[str]:
    """The terms used to look up candidates: the signature's strongest."""
    return [term for term, _ in sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:n]]


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit-length sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def tag_similarity(a: frozenset[str], b: frozenset[str], tag_idf: Mapping[str, float]) -> float:
    """Cosine of the IDF-weighted tag sets: sharing a rare tag says more than sharing a common one.

    ``tag_idf`` holds each tag's ``tag_weight``; a tag it lacks weighs as much as its heaviest.
    """
    shared = a & b
    if not shared:
        return 0.0
    default = max(tag_idf.values(), default=1.0)

    def weight(tag: str) -> float:
        return tag_idf.get(tag, default)

    dot = sum(weight(t) ** 2 for t in shared)
    norms = sum(weight(t) ** 2 for t in a) * sum(weight(t) ** 2 for t in b)
    return dot / math.sqrt(norms) if norms > 0 else 0.0


def closeness(a: datetime, b: datetime, half_life_days: float) -> float:
    """1 for the same moment, ½ one half-life apart: stories on one event cluster in time.

    Relative to the subject's date rather than today, so stored picks never go stale.
    """
    days = abs((a - b).total_seconds()) / 86_400
    return math.pow(0.5, days / half_life_days)


@dataclass(frozen=True)
class Breakdown:
    """One candidate's score in parts, as the curation page shows it."""

    id: int
    tags: float  # the shared tags' part of the relevance (weights.tags × tag similarity)
    text: float  # the text's part (weights.text × cosine)
    recency: float  # the factor closeness in time multiplies the relevance by (1 - recency … 1)
    floor: float  # weights.min_relevance: below it an article is not related
    published_at: datetime

    @property
    def relevance(self) -> float:
        return self.tags + self.text

    @property
    def passes(self) -> bool:
        return self.relevance >= self.floor

    @property
    def score(self) -> float:
        """What ``rank`` orders by: the relevance scaled by recency; 0 below the floor."""
        return self.relevance * self.recency if self.passes else 0.0


def explain(subject: Doc, candidate: Doc, *, tag_idf: Mapping[str, float], weights: Weights = WEIGHTS) -> Breakdown:
    """``score`` in parts."""
    return Breakdown(
        id=candidate.id,
        tags=weights.tags * tag_similarity(subject.tags, candidate.tags, tag_idf),
        text=weights.text * cosine(subject.vector, candidate.vector),
        recency=1.0
        - weights.recency
        + weights.recency * closeness(subject.published_at, candidate.published_at, weights.half_life_days),
        floor=weights.min_relevance,
        published_at=candidate.published_at,
    )


def score(subject: Doc, candidate: Doc, *, tag_idf: Mapping[str, float], weights: Weights = WEIGHTS) -> float:
    """How well ``candidate`` follows ``subject`` in Keep Reading; 0 when it is not related."""
    return explain(subject, candidate, tag_idf=tag_idf, weights=weights).score


def explain_all(
    subject: Doc, candidates: Iterable[Doc], *, tag_idf: Mapping[str, float], limit: int, weights: Weights = WEIGHTS
) -> list[Breakdown]:
    """The ``limit`` best candidates in parts, those passing the floor first, in ``rank``'s order (then by
    relevance × recency for those below the floor): what the automatic picks are, and what came close."""
    seen: dict[int, Breakdown] = {}
    for candidate in candidates:
        if candidate.id != subject.id and candidate.id not in seen:
            seen[candidate.id] = explain(subject, candidate, tag_idf=tag_idf, weights=weights)
    order = sorted(
        seen.values(),
        key=lambda b: (
            not b.passes,
            -round(b.relevance * b.recency, 9),
            -b.published_at.timestamp(),
            b.id,
        ),
    )
    return order[:limit]


def rank(
    subject: Doc,
    candidates: Iterable[Doc],
    *,
    tag_idf: Mapping[str, float],
    limit: int,
    weights: Weights = WEIGHTS,
) -> list[Pick]:
    """The best ``limit`` related candidates, best first; never the subject, never unrelated ones.

    Deterministic: equal scores go to the newer article, then to the lower id.
    """
    scored = {}
    for candidate in candidates:
        if candidate.id == subject.id or candidate.id in scored:
            continue
        value = score(subject, candidate, tag_idf=tag_idf, weights=weights)
        if value > 0:
            scored[candidate.id] = (round(value, 9), candidate.published_at)
    order = sorted(scored.items(), key=lambda item: (-item[1][0], -item[1][1].timestamp(), item[0]))
    return [Pick(id, value) for id, (value, _) in order[:limit]]


def text_candidates(
    vector: Mapping[str, float], postings: Iterable[tuple[str, int, float]], *, exclude: int, limit: int
) -> list[int]:
    """Articles whose signatures share the most weight with ``vector``, from index postings.

    ``postings`` are (term, article id, weight) rows of the inverted index for the subject's
    query terms; the approximate dot products they add up to choose whom to score exactly.
    """
    totals: dict[int, float] = {}
    for term, article_id, weight in postings:
        if article_id != exclude:
            totals[article_id] = totals.get(article_id, 0.0) + vector.get(term, 0.0) * weight
    best = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [article_id for article_id, _ in best]
