"""How good the automatic picks are: precision@4 on a labelled set of our own (tests/data/keep_reading_set.py).

Each article's four best picks are scored as Keep Reading scores them (``blog.core.related``: the same
signatures, tag weights and ranking the site stores, over every other article of the set rather than the
candidates the indexes would look up), and counted right when an editor called the pair related. The test
prints the figure, text only and with tags, and fails below ``FLOOR``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from blog.core import related
from tests.data.keep_reading_set import ITEMS, RELATED

K = 4
FLOOR = 0.6
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def docs_and_tag_weights() -> tuple[dict[str, related.Doc], dict[str, float]]:
    counts = {item.key: related.article_terms(item.title, item.summary, item.body) for item in ITEMS}
    document_counts: Counter[str] = Counter()
    for terms in counts.values():
        document_counts.update(terms.keys())
    tag_counts = Counter(tag for item in ITEMS for tag in item.tags)
    n = len(ITEMS)
    docs = {
        item.key: related.Doc(
            id=number,
            published_at=START + timedelta(days=item.day),
            vector=related.signature(counts[item.key], document_counts, n),
            tags=frozenset(item.tags),
        )
        for number, item in enumerate(ITEMS, start=1)
    }
    weights = {tag: related.tag_weight(count, n) for tag, count in tag_counts.items()}
    return docs, weights


def precision_at_k(weights: related.Weights) -> float:
    docs, tag_weights = docs_and_tag_weights()
    key_of = {doc.id: key for key, doc in docs.items()}
    total = 0.0
    for key, doc in docs.items():
        picks = related.rank(doc, docs.values(), tag_idf=tag_weights, limit=K, weights=weights)
        total += sum(key_of[p.id] in RELATED[key] for p in picks) / K  # a missing pick counts as wrong
    return total / len(docs)


def test_the_labelled_set_is_big_enough():
    assert len(ITEMS) >= 40 and len({item.story for item in ITEMS}) >= 6
    assert all(len(RELATED[item.key]) >= K for item in ITEMS)


def test_precision_at_4():
    with_tags = precision_at_k(related.WEIGHTS)
    text_only = precision_at_k(replace(related.WEIGHTS, tags=0.0))
    print(f"\nKeep Reading precision@{K} on {len(ITEMS)} articles: {with_tags:.3f} (text only: {text_only:.3f})")
    assert with_tags >= FLOOR
