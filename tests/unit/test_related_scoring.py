"""Scoring of automatic Keep Reading picks, on a hand-made corpus whose right answers are obvious."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from blog.core.related import (
    Doc,
    Weights,
    article_terms,
    closeness,
    cosine,
    idf,
    query_terms,
    rank,
    signature,
    tag_similarity,
    text_candidates,
)
from blog.core.terms import stem, terms

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

# id: (title, summary, body, tags, days after T0)
CORPUS = {
    1: (
        "Ferry operator and unions resume pay negotiations",
        "Talks between Saltholme Ferries and the crew unions restart after the strike ballot.",
        (
            "Negotiators for the ferry operator met union representatives on Monday to resume pay talks. "
            "The unions want a six per cent pay rise for deckhands and engineers; the operator has offered "
            "three. A strike ballot closes next week and crossings could be cancelled."
        ),
        {"ferries", "unions"},
        0,
    ),
    2: (
        "Ferry pay talks stall over overtime rates",
        "Union negotiators walk out of the pay negotiations with the ferry operator.",
        (
            "The pay negotiations between the ferry operator and the crew unions stalled on Wednesday when "
            "union negotiators walked out over overtime rates for engineers and deckhands. The operator said "
            "its offer of a three per cent pay rise remained on the table."
        ),
        {"ferries", "unions"},
        2,
    ),
    3: (
        "Ferry strike averted as unions accept improved pay offer",
        "Crew unions accept a revised pay deal after a final round of negotiations.",
        (
            "The threatened ferry strike is off. Union members accepted an improved pay offer from the "
            "operator after a final round of negotiations: deckhands and engineers get a five per cent rise "
            "and better overtime rates. Crossings to Saltholme run as normal."
        ),
        {"ferries", "unions", "transport"},
        5,
    ),
    4: (
        "Rovers beat Harbour Athletic in derby thriller",
        "A late header settles the football derby at the Marsh Lane ground.",
        (
            "Kestrel Bay Rovers beat Harbour Athletic three goals to two in a football derby decided by a "
            "late header. The striker scored twice and the goalkeeper saved a penalty before the final "
            "whistle at Marsh Lane."
        ),
        {"sport", "football"},
        3,
    ),
    5: (
        "Rovers striker signs new contract",
        "The football club keeps its top scorer for two more seasons.",
        (
            "Kestrel Bay Rovers have signed their striker to a new contract. The football club's manager "
            "said the top scorer, who headed the winner in the derby, was the heart of the team and the "
            "goalkeeper and defenders were next."
        ),
        {"sport", "football"},
        6,
    ),
}


def build(corpus=CORPUS) -> dict[int, Doc]:
    counts = {i: article_terms(title, summary, body) for i, (title, summary, body, _, _) in corpus.items()}
    df = Counter(term for c in counts.values() for term in c)
    return {
        i: Doc(
            id=i,
            published_at=T0 + timedelta(days=days),
            vector=signature(counts[i], df, len(corpus)),
            tags=frozenset(tags),
        )
        for i, (_, _, _, tags, days) in corpus.items()
    }


def tag_idf(docs: dict[int, Doc]) -> dict[str, float]:
    df = Counter(tag for d in docs.values() for tag in d.tags)
    return {tag: idf(n, len(docs)) for tag, n in df.items()}


def ranked(docs: dict[int, Doc], subject: int, *, limit: int = 4, weights: Weights | None = None) -> list[int]:
    picks = rank(docs[subject], docs.values(), tag_idf=tag_idf(docs), limit=limit, weights=weights or Weights())
    return [p.id for p in picks]


@pytest.mark.parametrize(("subject", "others"), [(1, {2, 3}), (2, {1, 3}), (3, {1, 2})])
def test_negotiation_stories_rank_each_other_first(subject, others):
    assert set(ranked(build(), subject)[:2]) == others


@pytest.mark.parametrize(("subject", "other"), [(4, 5), (5, 4)])
def test_football_stories_rank_each_other_first(subject, other):
    assert ranked(build(), subject)[0] == other


def test_unrelated_stories_are_not_picked_at_all():
    docs = build()
    for subject in (1, 2, 3):
        assert not {4, 5} & set(ranked(docs, subject))
    for subject in (4, 5):
        assert not {1, 2, 3} & set(ranked(docs, subject))


def test_text_alone_finds_the_siblings():
    docs = {i: Doc(d.id, d.published_at, d.vector) for i, d in build().items()}  # no tags at all
    assert set(ranked(docs, 1)[:2]) == {2, 3}
    assert ranked(docs, 4)[:1] == [5]


def test_rare_shared_tag_outweighs_common_one():
    docs = {
        i: Doc(i, T0, {}, frozenset(tags))
        for i, tags in {1: {"news", "lighthouse"}, 2: {"news"}, 3: {"lighthouse"}, 4: {"news"}, 5: {"news"}}.items()
    }
    assert ranked(docs, 1) == [3, 2, 4, 5]  # 2, 4, 5 tie on the common tag: lower id first


def test_recency_breaks_near_ties_and_ties_are_deterministic():
    vector = {"harbour": 1.0}
    docs = {
        1: Doc(1, T0, vector),
        2: Doc(2, T0 + timedelta(days=200), vector),
        3: Doc(3, T0 + timedelta(days=2), vector),
        4: Doc(4, T0 - timedelta(days=2), vector),  # as close as 3: the newer (3) wins the tie
        5: Doc(5, T0 - timedelta(days=2), vector),  # the same date as 4: the lower id (4) wins
    }
    assert ranked(docs, 1) == [3, 4, 5, 2]
    assert ranked(docs, 1, weights=Weights(recency=0)) == [2, 3, 4, 5]  # then only the date orders


def test_never_self_never_twice_and_limited():
    docs = build()
    picks = rank(docs[1], [docs[1], docs[2], docs[2], docs[3]], tag_idf=tag_idf(docs), limit=1)
    assert [p.id for p in picks] == [2] or [p.id for p in picks] == [3]
    assert len(picks) == 1


def test_signature_is_unit_length_capped_and_deterministic():
    counts = Counter({"harbour": 3, "quay": 3, "berth": 1, "fish": 2})
    vector = signature(counts, {"harbour": 9, "fish": 5}, 10, size=3)
    assert list(vector) == ["quay", "berth", "fish"]  # frequent and rare first; harbour is everywhere
    assert cosine(vector, vector) == pytest.approx(1.0)
    assert signature(Counter(), {}, 10) == {}
    assert query_terms(vector, 2) == ["quay", "berth"]


def test_title_words_weigh_more_than_body_words():
    counts = article_terms("Lighthouse", "", "harbour harbour")
    assert counts[stem("lighthouse")] == 3 and counts["harbour"] == 2


def test_similarities_are_bounded():
    a, b = frozenset({"x", "y"}), frozenset({"y", "z"})
    assert tag_similarity(a, a, {"x": 2.0, "y": 1.0}) == pytest.approx(1.0)
    assert 0 < tag_similarity(a, b, {}) < 1
    assert tag_similarity(a, frozenset(), {}) == 0
    assert closeness(T0, T0, 45) == 1 and closeness(T0, T0 + timedelta(days=45), 45) == pytest.approx(0.5)


def test_text_candidates_add_up_postings_and_skip_the_subject():
    vector = {"ferry": 0.8, "union": 0.6}
    postings = [("ferry", 2, 0.5), ("union", 2, 0.5), ("ferry", 3, 0.9), ("ferry", 1, 1.0), ("union", 4, 0.1)]
    assert text_candidates(vector, postings, exclude=1, limit=2) == [3, 2]


def test_tokenizer_folds_stems_and_stops():
    assert terms("The Councillors’ ferries, voting and VOTED on Café") == ["councillor", "ferry", "vot", "vot", "caf"]


def test_a_tag_only_one_article_carries_weighs_nothing():
    # The cause of "a new article sharing two tags with four published ones gets no pick": its own tags,
    # which no other article carries, weighed most (highest IDF) and diluted the two it shares.
    from blog.core.related import idf, tag_weight

    n = 5
    shared, own = {"port", "board"}, {"minutes", "open-data"}
    subject, candidate = frozenset(shared | own), frozenset(shared | {"cranes"})
    old = {t: idf(5, n) for t in shared} | {t: idf(1, n) for t in own | {"cranes"}}
    assert 0.3 * tag_similarity(subject, candidate, old) < Weights().min_relevance  # the bug: below the floor
    new = {t: tag_weight(5, n) for t in shared} | {t: tag_weight(1, n) for t in own | {"cranes"}}
    assert tag_similarity(subject, candidate, new) == pytest.approx(1.0)
    assert tag_weight(1, n) == 0 and tag_weight(2, n) == idf(2, n)
    assert tag_similarity(frozenset({"minutes"}), frozenset({"minutes"}), {"minutes": 0.0}) == 0
