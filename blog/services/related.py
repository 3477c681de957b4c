"""Automatic Keep Reading picks: the index behind them, and storing them as ``auto`` related links.

The scoring is pure (``blog.core.related``); this module feeds it. Each published article has a
stored *signature* (``related_terms``) and counts towards the document frequencies
(``related_term_counts``). To pick an article's related articles we look up *candidates* through
indexes — the heaviest postings of its strongest terms, and the articles filed just before and
after it under each of its tags — then score only those. The cost of one recompute therefore
depends on the index, not on the number of articles (``tests/perf/bench_related.py``).

Callers keep the index true to the articles: ``index`` after publishing or editing a published
article, ``forget`` before editing one (with its old text still in place) and when unpublishing.
``blog.services.authoring`` does this for every change it makes. Everything flushes; nothing
commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from blog.core import related
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    RelatedKind,
    RelatedLink,
    RelatedTerm,
    RelatedTermCount,
    Tag,
    article_tags,
)
from blog.models.discovery import TERM_LOOKUP_INDEX
from blog.orm import utcnow
from blog.services import articles

CHAMPIONS = 100  # postings read per query term, heaviest first
TAG_NEIGHBOURS = 8  # articles read per shared tag on each side of the subject
TEXT_CANDIDATES = 40  # best text matches scored exactly
BATCH = 1000

# Core columns for the hot queries: rows come back as plain tuples, without ORM bookkeeping.
_terms = RelatedTerm.__table__.c


ALL = "#all"  # the count row whose documents are all the indexed articles: the N of IDF


def tag_key(tag_id: int) -> str:
    return f"tag:{tag_id}"


# --- The index -------------------------------------------------------------------------------


def _tag_ids(article_ids: Iterable[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for article_id, tag_id in db.session.execute(
        sa.select(article_tags.c.article_id, article_tags.c.tag_id).where(article_tags.c.article_id.in_(article_ids))
    ):
        found.setdefault(article_id, set()).add(tag_id)
    return found


def _document_keys(article: Article, counts: Counter[str]) -> set[str]:
    """What an article counts towards in the document frequencies: its terms, its tags, and ALL."""
    return set(counts) | {tag_key(t) for t in _tag_ids([article.id]).get(article.id, ())} | {ALL}


def _counts_of(article: Article) -> Counter[str]:
    return related.article_terms(article.title, article.summary, article.body_markdown)


def published_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Article).where(articles.published())) or 0


def _add_counts(keys: Iterable[str]) -> None:
    rows = [{"term": key, "documents": 1} for key in sorted(keys)]
    if not rows:
        return
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(RelatedTermCount)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["term"], set_={"documents": RelatedTermCount.documents + stmt.excluded.documents}
        ),
        rows,
    )


def index(article: Article) -> None:
    """Count a published article's terms and tags, and store its signature."""
    db.session.flush()
    counts = _counts_of(article)
    _add_counts(_document_keys(article, counts))
    _store_signature(article.id, counts)


def forget(article: Article) -> None:
    """Undo ``index`` for an article whose text and tags are still those it was indexed with."""
    db.session.flush()
    if not db.session.scalar(sa.select(sa.exists().where(RelatedTerm.article_id == article.id))):
        return  # never indexed (a draft, or published before the index existed)
    keys = sorted(_document_keys(article, _counts_of(article)))
    db.session.execute(sa.delete(RelatedTerm).where(RelatedTerm.article_id == article.id))
    if keys:
        db.session.execute(
            sa.update(RelatedTermCount)
            .where(RelatedTermCount.term.in_(keys))
            .values(documents=RelatedTermCount.documents - 1)
        )
        db.session.execute(
            sa.delete(RelatedTermCount).where(RelatedTermCount.term.in_(keys), RelatedTermCount.documents <= 0)
        )


def _document_counts(keys: Iterable[str]) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(RelatedTermCount.term, RelatedTermCount.documents).where(RelatedTermCount.term.in_(list(keys)))
        ).all()
    )


def _store_signature(article_id: int, counts: Counter[str]) -> None:
    document_counts = _document_counts([*counts, ALL])
    vector = related.signature(counts, document_counts, document_counts.get(ALL, 0))
    db.session.execute(sa.delete(RelatedTerm).where(RelatedTerm.article_id == article_id))
    if vector:
        db.session.execute(
            sa.insert(RelatedTerm), [{"article_id": article_id, "term": t, "weight": w} for t, w in vector.items()]
        )


# --- Picks -----------------------------------------------------------------------------------


def _signatures(article_ids: Iterable[int], terms: Iterable[str] | None = None) -> dict[int, dict[str, float]]:
    """Stored signatures; with ``terms``, only those terms of them (all a cosine with them needs)."""
    query = sa.select(_terms.article_id, _terms.term, _terms.weight).where(_terms.article_id.in_(article_ids))
    if terms is not None:
        query = query.where(_terms.term.in_(terms))
    found: dict[int, dict[str, float]] = {}
    for article_id, term, weight in db.session.execute(query):
        found.setdefault(article_id, {})[term] = weight
    return found


def _postings(terms: list[str]) -> list[tuple[str, int, float]]:
    """The heaviest ``CHAMPIONS`` postings of each term, in one statement."""
    if not terms:
        return []
    parts = [
        sa.select(_terms.term, _terms.article_id, _terms.weight)
        .where(_terms.term == term)
        .order_by(_terms.weight.desc(), _terms.article_id.desc())
        .limit(CHAMPIONS)
        .subquery()
        for term in terms
    ]
    return [tuple(row) for row in db.session.execute(sa.union_all(*(sa.select(p) for p in parts))).all()]


def _tag_neighbours(article_id: int, tag_ids: Iterable[int]) -> set[int]:
    """For each tag, the published articles filed under it just before and just after the subject.

    "Filed" is id order, which follows the order articles were written in and, unlike the
    publication date, can be read from the (tag_id, article_id) index without scanning.
    """
    tagged = article_tags.c.article_id
    parts = []
    for tag_id in sorted(tag_ids):
        base = (
            sa.select(tagged)
            .join(Article, Article.id == tagged)
            .where(article_tags.c.tag_id == tag_id, articles.published())
        )
        parts.append(base.where(tagged < article_id).order_by(tagged.desc()).limit(TAG_NEIGHBOURS).subquery())
        parts.append(base.where(tagged > article_id).order_by(tagged).limit(TAG_NEIGHBOURS).subquery())
    if not parts:
        return set()
    return set(db.session.scalars(sa.union_all(*(sa.select(p) for p in parts))))


def _dates(article_ids: Iterable[int]) -> dict[int, datetime]:
    """Publication dates of those of the articles that are published.

    Looked up by primary key only: with the status in the WHERE clause SQLite prefers the
    (status, published_at) index and reads every published article to find a hundred.
    """
    rows = db.session.execute(
        sa.select(Article.id, Article.status, Article.published_at).where(Article.id.in_(article_ids))
    )
    now = utcnow()
    return {
        article_id: published_at
        for article_id, status, published_at in rows
        if status is ArticleStatus.PUBLISHED and published_at is not None and published_at <= now
    }


def _tag_idf(tag_ids: Iterable[int]) -> dict[str, float]:
    keys = [tag_key(t) for t in tag_ids]
    counts = _document_counts([*keys, ALL])
    return {key: related.tag_weight(counts.get(key, 0), counts.get(ALL, 0)) for key in keys}


def _scoring_inputs(article_id: int) -> tuple[related.Doc, list[related.Doc], dict[str, float]] | None:
    """The subject, its candidates (looked up through the indexes) and the tag weights; None when the article
    is not published (or not indexed)."""
    vector = _signatures([article_id]).get(article_id, {})
    published_at = _dates([article_id]).get(article_id)
    if published_at is None:
        return None
    subject_tags = _tag_ids([article_id]).get(article_id, set())
    by_text = related.text_candidates(
        vector, _postings(related.query_terms(vector)), exclude=article_id, limit=TEXT_CANDIDATES
    )
    ids = (set(by_text) | _tag_neighbours(article_id, subject_tags)) - {article_id}
    subject = related.Doc(article_id, published_at, vector, frozenset(tag_key(t) for t in subject_tags))
    if not ids:
        return subject, [], {}
    # Signatures are unit length, so a candidate's terms outside the subject's add nothing to the cosine.
    signatures, tags, dates = _signatures(ids, terms=list(vector)), _tag_ids(ids), _dates(ids)
    all_tags = subject_tags.union(*tags.values())
    candidates = [
        related.Doc(i, dates[i], signatures.get(i, {}), frozenset(tag_key(t) for t in tags.get(i, ())))
        for i in sorted(ids)
        if i in dates
    ]
    return subject, candidates, _tag_idf(all_tags)


def compute_picks(article_id: int, *, limit: int) -> list[related.Pick]:
    """The best automatic picks for a published, indexed article (empty otherwise)."""
    found = _scoring_inputs(article_id)
    if found is None or not found[1]:
        return []
    subject, candidates, tag_idf = found
    return related.rank(subject, candidates, tag_idf=tag_idf, limit=limit)


def explain_picks(article_id: int, *, limit: int) -> list[related.Breakdown]:
    """The curation page's view of the scorer: the best ``limit`` candidates with their scores in parts (those
    passing the floor first, in the picks' order), whether or not they made it."""
    found = _scoring_inputs(article_id)
    if found is None:
        return []
    subject, candidates, tag_idf = found
    return related.explain_all(subject, candidates, tag_idf=tag_idf, limit=limit)


def refresh_picks(article_id: int) -> list[related.Pick]:
    """Recompute and store an article's automatic Keep Reading links; returns them, best first."""
    picks = compute_picks(article_id, limit=current_app.config["KEEP_READING_SIZE"])
    _store_picks(article_id, picks)
    return picks


_AUTOMATIC = (RelatedKind.AUTO, RelatedKind.FILL)


def _store_picks(article_id: int, picks: list[related.Pick], *, fill: bool = True) -> None:
    """Store the picks, then (``fill``) as many of the section's latest articles as the box still lacks."""
    db.session.execute(
        sa.delete(RelatedLink).where(RelatedLink.article_id == article_id, RelatedLink.kind.in_(_AUTOMATIC))
    )
    size = current_app.config["KEEP_READING_SIZE"]
    rows = [
        {"article_id": article_id, "kind": RelatedKind.AUTO, "position": n, "target_article_id": p.id, "score": p.score}
        for n, p in enumerate(picks)
    ]
    if fill and len(picks) < size:
        # As many as the box could show: curated links to the same articles are skipped on the page.
        latest = section_fill(article_id, exclude={p.id for p in picks}, limit=size)
        rows += [
            {"article_id": article_id, "kind": RelatedKind.FILL, "position": n, "target_article_id": i, "score": None}
            for n, i in enumerate(latest, start=len(picks))
        ]
    if rows:
        db.session.execute(sa.insert(RelatedLink), rows)


def section_of(article_id: int) -> int | None:
    """The article's section: its chosen section label, else its alphabetically first tag (as the kicker)."""
    chosen = db.session.scalar(sa.select(Article.section_tag_id).where(Article.id == article_id))
    if chosen is not None:
        return chosen
    return db.session.scalar(
        sa.select(Tag.id)
        .join(article_tags, article_tags.c.tag_id == Tag.id)
        .where(article_tags.c.article_id == article_id)
        .order_by(Tag.name, Tag.slug)
        .limit(1)
    )


def section_fill(article_id: int, *, exclude: set[int], limit: int) -> list[int]:
    """Articles to fill a box that has fewer related picks than places: the latest published articles of the
    article's section, then (a small section) the site's latest; none when the editor turned the fill off.

    "Latest" is the order articles were filed in (id), read backwards from an index — the section's
    (tag_id, article_id) one, the primary key for the site's: a few rows whatever the size of the site."""
    if not db.session.scalar(sa.select(Article.keep_reading_fill).where(Article.id == article_id)):
        return []
    skip = exclude | {article_id}
    found: list[int] = []
    section = section_of(article_id)
    if section is not None:
        tagged = article_tags.c.article_id
        found = [
            i
            for i in db.session.scalars(
                sa.select(tagged)
                .join(Article, Article.id == tagged)
                .where(article_tags.c.tag_id == section, articles.published())
                .order_by(tagged.desc())
                .limit(limit + len(skip))
            )
            if i not in skip
        ][:limit]
    if len(found) < limit:
        skip |= set(found)
        found += [
            i
            for i in db.session.scalars(
                sa.select(Article.id).where(articles.published()).order_by(Article.id.desc()).limit(limit + len(skip))
            )
            if i not in skip
        ][: limit - len(found)]
    return found


def linking_to(article_id: int) -> list[int]:
    """Articles whose stored automatic picks (or section fill) include ``article_id``."""
    return list(
        db.session.scalars(
            sa.select(RelatedLink.article_id)
            .distinct()
            .where(RelatedLink.target_article_id == article_id, RelatedLink.kind.in_(_AUTOMATIC))
            .order_by(RelatedLink.article_id)
        )
    )


def refresh_around(article_id: int) -> list[int]:
    """Recompute an article's picks and those of the articles it would now appear on.

    Those are the articles that pick it today (its score for them may have changed) and its own
    best matches (relatedness is nearly symmetric, so they are where it is likely to enter).
    Returns the ids of the neighbours refreshed.
    """
    size = current_app.config["KEEP_READING_SIZE"]
    own = compute_picks(article_id, limit=2 * size)
    _store_picks(article_id, own[:size])
    neighbours = sorted(set(linking_to(article_id)) | {p.id for p in own} - {article_id})
    for neighbour in neighbours:
        refresh_picks(neighbour)
    return neighbours


def withdraw_from_picks(article_id: int) -> list[int]:
    """An article left the public site: drop its own picks and refill the lists that showed it."""
    _store_picks(article_id, [], fill=False)
    linkers = linking_to(article_id)
    for linker in linkers:
        refresh_picks(linker)
    return linkers


# --- Everything at once ------------------------------------------------------------------------


def _published_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Article.id).where(articles.published()).order_by(Article.id)))


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _texts(ids: list[int]) -> Iterable[tuple[int, Counter[str]]]:
    for batch in _batches(ids):
        for article_id, title, summary, body in db.session.execute(
            sa.select(Article.id, Article.title, Article.summary, Article.body_markdown).where(Article.id.in_(batch))
        ):
            yield article_id, related.article_terms(title, summary, body)


def rebuild_index(progress: Callable[[int], None] | None = None) -> int:
    """Recount every term and tag and store every signature, from scratch. Returns the article count."""
    db.session.flush()
    db.session.execute(sa.delete(RelatedTerm))
    db.session.execute(sa.delete(RelatedTermCount))
    ids = _published_ids()

    document_counts: Counter[str] = Counter()
    for _, counts in _texts(ids):
        document_counts.update(counts.keys())
    tag_counts = db.session.execute(
        sa.select(article_tags.c.tag_id, sa.func.count())
        .join(Article, Article.id == article_tags.c.article_id)
        .where(articles.published())
        .group_by(article_tags.c.tag_id)
    )
    document_counts.update({tag_key(tag_id): n for tag_id, n in tag_counts})
    document_counts[ALL] = len(ids)
    rows = [{"term": term, "documents": n} for term, n in document_counts.items()]
    for start in range(0, len(rows), 10 * BATCH):
        db.session.execute(sa.insert(RelatedTermCount), rows[start : start + 10 * BATCH])

    # Filling a B-tree in random order is slow once it outgrows the cache; building the lookup
    # index once, after the rows are in, is not. (On PostgreSQL this locks related_terms until
    # the caller commits: picks are not recomputed meanwhile.)
    TERM_LOOKUP_INDEX.drop(db.session.connection())
    pending: list[dict[str, Any]] = []
    for done, (article_id, counts) in enumerate(_texts(ids), start=1):
        vector = related.signature(counts, document_counts, len(ids))
        pending.extend({"article_id": article_id, "term": t, "weight": w} for t, w in vector.items())
        if len(pending) >= 10 * BATCH:
            db.session.execute(sa.insert(RelatedTerm), pending)
            pending = []
        if progress is not None and done % BATCH == 0:
            progress(BATCH)
    if pending:
        db.session.execute(sa.insert(RelatedTerm), pending)
    TERM_LOOKUP_INDEX.create(db.session.connection())
    if progress is not None and len(ids) % BATCH:
        progress(len(ids) % BATCH)
    return len(ids)


def refresh_all_picks(progress: Callable[[int], None] | None = None) -> int:
    """Recompute every published article's automatic picks from the stored index."""
    db.session.execute(sa.delete(RelatedLink).where(RelatedLink.kind.in_(_AUTOMATIC)))
    ids = _published_ids()
    for article_id in ids:
        refresh_picks(article_id)
        if progress is not None:
            progress(1)
    return len(ids)
