"""Full-text search over published articles: SQLite FTS5 or PostgreSQL ``tsvector``, one interface.

The index (``search_articles``, see ``blog.models.discovery``) holds exactly the published
articles: ``sync`` re-reads an article (or every article of an author) from the database after
any change and writes its entry, or removes it when the article is no longer public. The text
indexed is title, summary, body source, tag names and the author's display name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blog.core import placement
from blog.core import search as core
from blog.extensions import db
from blog.models import SEARCH_TABLE, Article, User
from blog.orm import utcnow
from blog.services import articles
from blog.services.articles import Page

# services.articles.published() in SQL: the index holds what readers may see now; a scheduled article enters it
# when its time comes (services.authoring.went_live, queued for that time).
_PUBLISHED = "a.status = 'published' AND a.published_at IS NOT NULL AND a.published_at <= :published_now"
_FROM = f"FROM articles AS a JOIN users AS u ON u.id = a.author_id WHERE {_PUBLISHED}"
_TAGS = "(SELECT {agg} FROM article_tags AS at JOIN tags AS t ON t.id = at.tag_id WHERE at.article_id = a.id)"
_SQLITE_TAGS = _TAGS.format(agg="group_concat(t.name, ' ')")
_POSTGRES_TAGS = _TAGS.format(agg="string_agg(t.name, ' ')")
# The body source without the editor's Keep Reading marker line (its words are no words of the story).
_BODY = f"replace(a.body_markdown, '{placement.MARKER_SOURCE}', '')"


@dataclass(frozen=True)
class _Backend:
    """What differs between the engines: how entries are written, and how a query matches and ranks."""

    key: str  # the search table's column holding the article id
    insert: str  # INSERT … SELECT from the articles, ending in a WHERE clause
    # SELECT article_id, rank of the :limit newest entries (highest article id) matching :q; a lower
    # rank is a better match, and only those entries are ranked.
    match: str
    newest: str  # SELECT article_id of the :limit newest entries matching :q, newest first
    words: Callable[[core.Query], str]  # the query as the engine gets it in :q

    def matches(self, query: core.Query) -> sa.Subquery:
        return (
            sa.text(self.match)
            .bindparams(q=self.words(query), limit=RANK_LIMIT)
            .columns(article_id=sa.Integer, rank=sa.Float)
            .subquery("matched")
        )

    def newest_ids(self, query: core.Query, limit: int) -> Sequence[int]:
        return db.session.scalars(sa.text(self.newest), {"q": self.words(query), "limit": limit}).all()  # fetchall


_SQLITE = _Backend(
    key="rowid",
    insert=(
        f"INSERT INTO {SEARCH_TABLE} (rowid, title, summary, body, tags, author) "
        f"SELECT a.id, a.title, a.summary, {_BODY}, coalesce({_SQLITE_TAGS}, ''), u.display_name {_FROM}"
    ),
    # bm25 column weights: title, summary, body, tags, author; bm25 is negative, lower is better. FTS5
    # returns matches in rowid order and scores only the rows the LIMIT lets through (though bm25 first
    # counts every article holding each query word, for its IDF: ~4 ms for a word in 100,000 articles).
    match=(
        f"SELECT rowid AS article_id, bm25({SEARCH_TABLE}, 10.0, 5.0, 1.0, 4.0, 4.0) AS rank "
        f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :q ORDER BY rowid DESC LIMIT :limit"
    ),
    newest=f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :q ORDER BY rowid DESC LIMIT :limit",
    words=lambda query: query.fts5,  # every word a quoted string: no FTS5 syntax gets through
)
_POSTGRESQL = _Backend(
    key="article_id",
    insert=(
        f"INSERT INTO {SEARCH_TABLE} (article_id, document) SELECT a.id, "
        "setweight(to_tsvector('english', a.title), 'A') || "
        "setweight(to_tsvector('english', a.summary), 'B') || "
        f"setweight(to_tsvector('english', coalesce({_POSTGRES_TAGS}, '')), 'B') || "
        "setweight(to_tsvector('english', u.display_name), 'B') || "
        f"setweight(to_tsvector('english', {_BODY}), 'D') {_FROM}"
    ),
    # plainto_tsquery reads its input as words, never as tsquery syntax. ts_rank_cd reads the whole
    # document, so it runs outside the LIMIT: on the :limit newest matches only.
    match=(
        "SELECT m.article_id, -ts_rank_cd(m.document, plainto_tsquery('english', :q), 1) AS rank FROM ("
        f"SELECT article_id, document FROM {SEARCH_TABLE} WHERE document @@ plainto_tsquery('english', :q) "
        "ORDER BY article_id DESC LIMIT :limit) AS m"
    ),
    newest=(
        f"SELECT article_id FROM {SEARCH_TABLE} WHERE document @@ plainto_tsquery('english', :q) "
        "ORDER BY article_id DESC LIMIT :limit"
    ),
    words=lambda query: query.plain,
)


def _backend() -> _Backend:
    return _SQLITE if db.session.get_bind().dialect.name == "sqlite" else _POSTGRESQL


def _insert(sql: str) -> sa.TextClause:
    """The index's INSERT … SELECT with the clock bound as the articles' dates are stored."""
    return sa.text(sql).bindparams(
        sa.bindparam("published_now", callable_=utcnow, type_=Article.__table__.c.published_at.type)
    )


def _rewrite(where: str, **params: int) -> None:
    backend = _backend()
    db.session.flush()
    db.session.execute(
        sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE {backend.key} IN (SELECT a.id FROM articles AS a WHERE {where})"),
        params,
    )
    db.session.execute(_insert(f"{backend.insert} AND {where}"), params)


def sync(article_id: int) -> None:
    """Make the article's entry match the database: written if published, gone otherwise."""
    _rewrite("a.id = :id", id=article_id)


def sync_author(author_id: int) -> None:
    """Rewrite the entries of an author's articles (after a change of display name)."""
    _rewrite("a.author_id = :id", id=author_id)


def rebuild() -> None:
    """Empty the index and fill it with every published article."""
    db.session.flush()
    db.session.execute(sa.text(f"DELETE FROM {SEARCH_TABLE}"))
    db.session.execute(_insert(_backend().insert))


@dataclass(frozen=True)
class Hit:
    """One result, with title and snippet as escaped HTML in which the query's words are marked."""

    slug: str
    title_html: str
    snippet_html: str
    author_name: str
    author_slug: str
    published_at: datetime


RANK_LIMIT = 1000  # matches ranked per query: the newest ones (highest article id); beyond, "more than"


def search(query: core.Query, *, page: int, per_page: int) -> Page[Hit]:
    """Published articles matching every word, best first: an exact title match, then by rank, then newest (id).

    The newest ``RANK_LIMIT`` + 1 matches are read first (their ids: that also counts them, up to the limit).
    Up to ``RANK_LIMIT`` matches are ranked. Beyond that the ``RANK_LIMIT`` newest are paged, newest first and
    unranked, after an article whose title is the query (found by the ``lower(title)`` index, however old):
    ranking a word found in every article cost 0.5 s at 100,000 articles, and ranking even the newest 1,000
    of them took longer than the rest of the page (FTS5's bm25 first counts every article holding each
    word). ``Page.exact`` is then False and the page says "more than RANK_LIMIT results".

    The index holds published articles only (``sync``), so the match drives both queries and no
    status filter is added: with one, SQLite walks every published article and probes the
    full-text index for each (seconds at 100,000 articles instead of milliseconds).
    """
    backend = _backend()
    newest = backend.newest_ids(query, RANK_LIMIT + 1)
    exact = len(newest) <= RANK_LIMIT
    total = min(len(newest), RANK_LIMIT)
    if not newest or (page > 1 and (page - 1) * per_page >= total):  # nothing, or past the end (the view: 404)
        return Page([], page, per_page, total, exact)
    start = (page - 1) * per_page
    rows: Iterable[sa.Row[*tuple[Any, ...]]]
    if exact:
        rows = db.session.execute(_ranked_page(backend.matches(query), query, start, per_page))
    else:
        titled = db.session.scalars(sa.select(Article.id).where(_same_title(query), articles.published())).all()
        order = [*titled, *(n for n in newest if n not in titled)][:RANK_LIMIT][start : start + per_page]
        found = {r.id: r for r in db.session.execute(_hit_columns().where(Article.id.in_(order)))}
        rows = [found[n] for n in order if n in found]
    hits = [
        Hit(
            slug=r.slug,
            title_html=core.highlight(r.title, query, words=len(r.title.split())),
            snippet_html=core.snippet(core.plain_text(r.body_html), r.summary, query),
            author_name=r.display_name,
            author_slug=r.author_slug,
            published_at=r.published_at,
        )
        for r in rows
    ]
    return Page(hits, page, per_page, total, exact)


def _same_title(query: core.Query) -> sa.ColumnElement[bool]:
    """The title is the query, whatever the case (the ``ix_articles_lower_title`` index answers it)."""
    return sa.func.lower(Article.title) == sa.func.lower(sa.literal(query.text))


def _hit_columns() -> sa.Select[*tuple[Any, ...]]:
    return sa.select(
        Article.id,
        Article.slug,
        Article.title,
        Article.summary,
        Article.body_html,
        Article.published_at,
        User.display_name,
        User.slug.label("author_slug"),
    ).join(User, User.id == Article.author_id)


def _ranked_page(matched: sa.Subquery, query: core.Query, start: int, per_page: int) -> sa.Select[*tuple[Any, ...]]:
    """The page of ranked matches: first the page's ids, by the order's keys only (the title is at the
    front of the row), then their columns. Sorting the columns themselves carried every ranked article's
    body through the sort."""
    exact_title = sa.case((_same_title(query), 0), else_=1)
    top = (
        sa.select(matched.c.article_id, matched.c.rank, exact_title.label("exact_title"))
        .join(Article, Article.id == matched.c.article_id)
        # Ties go to the newer article by id, as the rank limit does: ordering by published_at read
        # each ranked article's row past its body (SQLite: +5 ms for 1,000 matches).
        .order_by(exact_title, matched.c.rank, matched.c.article_id.desc())
        .limit(per_page)
        .offset(start)
        .subquery("top")
    )
    return (
        _hit_columns()
        .join(top, top.c.article_id == Article.id)
        .order_by(top.c.exact_title, top.c.rank, top.c.article_id.desc())
    )
