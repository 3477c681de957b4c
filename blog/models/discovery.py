"""Indexes behind Keep Reading and search: derived data, rebuilt by ``flask blog reindex-related``.

``related_terms`` is an inverted index of article signatures (each published article's strongest
TF-IDF terms), so the articles sharing a term are found by an index lookup instead of reading
100,000 bodies. ``related_term_counts`` holds document frequencies: for each word stem, and for
each tag as ``tag:<id>``, the number of published articles that contain it.

The full-text search table (``search_articles``) is dialect-specific — an FTS5 virtual table on
SQLite, a ``tsvector`` table with a GIN index on PostgreSQL — so it is not a model: its DDL lives
here for ``create_all`` (tests) and, frozen, in the migration that added it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model, db

# Candidate lookup: the heaviest postings of a term first ("champion lists"). services.related drops it while
# it refills the table, and builds it again after.
TERM_LOOKUP_INDEX = sa.Index("ix_related_terms_term_weight_article_id", "term", "weight", "article_id")


class RelatedTerm(Model):
    """One term of one published article's signature, with its weight in that signature."""

    __tablename__ = "related_terms"
    __table_args__ = (TERM_LOOKUP_INDEX,)

    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    weight: Mapped[float]

    def __repr__(self) -> str:
        return f"<RelatedTerm {self.article_id} {self.term} {self.weight:.3f}>"


class RelatedTermCount(Model):
    """Document frequency of a term (or ``tag:<id>``) among published articles, for IDF."""

    __tablename__ = "related_term_counts"

    term: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    documents: Mapped[int]

    def __repr__(self) -> str:
        return f"<RelatedTermCount {self.term} {self.documents}>"


SEARCH_TABLE = "search_articles"

SQLITE_SEARCH_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
    "title, summary, body, tags, author, tokenize = 'porter unicode61 remove_diacritics 2')"
)
POSTGRES_SEARCH_DDL = (
    (
        f"CREATE TABLE IF NOT EXISTS {SEARCH_TABLE} ("
        "article_id INTEGER NOT NULL CONSTRAINT pk_search_articles PRIMARY KEY "
        "CONSTRAINT fk_search_articles_article_id_articles REFERENCES articles (id) ON DELETE CASCADE, "
        "document TSVECTOR NOT NULL)"
    ),
    f"CREATE INDEX IF NOT EXISTS ix_search_articles_document ON {SEARCH_TABLE} USING GIN (document)",
)

for _ddl, _dialect in ((SQLITE_SEARCH_DDL, "sqlite"), *((stmt, "postgresql") for stmt in POSTGRES_SEARCH_DDL)):
    sa.event.listen(db.metadata, "after_create", sa.DDL(_ddl).execute_if(dialect=_dialect))
sa.event.listen(db.metadata, "before_drop", sa.DDL(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
