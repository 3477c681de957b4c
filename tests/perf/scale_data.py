"""Bulk generator for the scale benchmark: many published articles and a million comments, in minutes.

Used by ``bench_scale.py``; not a benchmark itself and not collected by ``make test``. Articles, users
and tags come from ``bench_related.load`` (the same generated corpus: 50 authors, 600 tags, 1–4 tags
an article). Comments are generated here and written without ORM objects: executemany in batches on
SQLite, ``COPY`` (psycopg's ``cursor.copy``) on PostgreSQL.

The comments look like stored ones: a skewed number per article (most have a handful, a few have
thousands), ~85 % approved, ~10 % pending, the rest spam or trash; ~30 % are replies to an earlier
approved comment of the same article with the right ``depth`` (never deeper than the default thread
depth allows); bodies sanitised by ``core.sanitize.render_comment``; keyed IP hashes; a large pool of
distinct commenters; ``created_at`` (and the id) increasing; ``articles.comment_count`` set to the
approved count by one UPDATE at the end. No moderation events are written.
"""

from __future__ import annotations

import array
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_related

from blog.core import privacy, sanitize
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, CommentStatus

STATUS_WEIGHTS = (
    (CommentStatus.APPROVED, 0.85),
    (CommentStatus.PENDING, 0.10),
    (CommentStatus.SPAM, 0.03),
    (CommentStatus.TRASH, 0.02),
)
REPLY_SHARE = 0.30  # of all comments
MAX_REPLY_DEPTH = 4  # the default thread_depth (5) accepts replies up to depth 4
MAX_PER_ARTICLE = 5_000
COMMENTERS = 150_000
BATCH = 20_000
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "Jonas",
    "Kai",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tomas",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
    "Ada",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Esme",
    "Felix",
    "Gita",
    "Hugo",
    "Ines",
    "Jack",
]
LAST_NAMES = [
    "Okafor",
    "Reyes",
    "Lindqvist",
    "Nakamura",
    "Haddad",
    "Kowalski",
    "Moreau",
    "Osei",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ulrich",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zamora",
    "Abbott",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fitzgerald",
]
USER_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
)
COLUMNS = (
    "id",
    "article_id",
    "parent_id",
    "depth",
    "status",
    "author_name",
    "author_email",
    "author_website",
    "avatar_colour",
    "body_text",
    "body_html",
    "created_at",
    "ip_hash",
    "user_agent",
    "user_id",
    "moderation_reasons",
)
REASONS = {
    CommentStatus.APPROVED: [],
    CommentStatus.PENDING: ["first comment from this address"],
    CommentStatus.SPAM: ["blocked word"],
    CommentStatus.TRASH: [],
}


def comment_counts(n_articles: int, n_comments: int, rng: random.Random) -> list[int]:
    """Comments per article: Pareto-distributed (most get a few, some thousands), summing to ``n_comments``."""
    raw = [rng.paretovariate(1.2) - 1 for _ in range(n_articles)]
    capped = [False] * n_articles
    counts = [0] * n_articles
    for _ in range(8):  # scale to the total, cap, rescale the rest for what the cap took away
        free = sum(r for r, cap in zip(raw, capped, strict=False) if not cap) or 1.0
        scale = (n_comments - MAX_PER_ARTICLE * sum(capped)) / free
        counts = [
            MAX_PER_ARTICLE if cap else min(MAX_PER_ARTICLE, int(r * scale))
            for r, cap in zip(raw, capped, strict=False)
        ]
        capped = [c >= MAX_PER_ARTICLE for c in counts]
    short = n_comments - sum(counts)
    open_ = [i for i, c in enumerate(counts) if c < MAX_PER_ARTICLE]
    while short > 0:  # the rounding remainder, one comment each to random articles
        i = rng.choice(open_)
        counts[i] += 1
        short -= 1
    return counts


def _bodies(corpus: bench_related.Corpus, rng: random.Random, n: int = 4_000) -> list[tuple[str, str]]:
    """A pool of comment texts with their sanitised HTML (the real renderer, run once per text)."""
    words = bench_related.FUNCTION_WORDS * 3 + corpus.general[:3_000]
    pool = []
    for _ in range(n):
        paragraphs = []
        for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
            sentences = [
                " ".join(rng.choice(words) for _ in range(rng.randint(5, 20))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            ]
            paragraphs.append(" ".join(sentences))
        text = "\n\n".join(paragraphs)
        pool.append((text, sanitize.render_comment(text)))
    return pool


def _commenters(rng: random.Random, hash_key: str) -> list[tuple[str, str, str, str, int]]:
    """(name, email, website, ip_hash, avatar_colour) for a pool of distinct commenters."""
    people = []
    for i in range(COMMENTERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = privacy.normalise_email(f"{first}.{last}{i}@example.net")
        website = f"https://example.net/~{first.lower()}{i}" if rng.random() < 0.15 else ""
        ip = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        people.append(
            (f"{first} {last}", email, website, privacy.ip_hash(hash_key, ip), privacy.avatar_colour(hash_key, email))
        )
    return people


def published_articles() -> list[sa.Row]:
    """(id, published_at) of every published article: what comments are spread over."""
    return db.session.execute(
        sa.select(Article.id, Article.published_at)
        .where(Article.status == ArticleStatus.PUBLISHED)
        .order_by(Article.id)
    ).all()


def generate_comments(articles: list[sa.Row], n_comments: int, seed: int = 2027) -> Iterator[list[dict]]:
    """Batches of comment rows (dicts keyed by column), in created_at order, ids 1..n. No database access."""
    rng = random.Random(seed)
    ids = array.array("q", (a.id for a in articles))
    published = array.array("q", (int(a.published_at.timestamp()) for a in articles))
    counts = comment_counts(len(articles), n_comments, rng)
    # One sortable integer per comment: (creation second << bits) | article index.
    bits = max(1, (len(articles) - 1).bit_length())
    keys = array.array("q")
    for index, (count, when) in enumerate(zip(counts, published, strict=False)):
        for _ in range(count):
            delay = rng.expovariate(1 / 40_000) if rng.random() < 0.9 else rng.uniform(0, 60 * 86_400)
            keys.append(((when + 60 + int(delay)) << bits) | index)
    keys = sorted(keys)
    bodies = _bodies(bench_related.Corpus(seed=seed), rng)
    people = _commenters(rng, "bench-scale")
    statuses = [s for s, _ in STATUS_WEIGHTS]
    cum_weights = list(itertools.accumulate(w for _, w in STATUS_WEIGHTS))
    parents: dict[int, list[int]] = {}  # article index -> approved comments that may be replied to (id*8+depth)
    reply_chance = REPLY_SHARE / 0.85  # the first comment of an article cannot be a reply
    batch: list[dict] = []
    for number, key in enumerate(keys, start=1):
        index = key & ((1 << bits) - 1)
        created = datetime.fromtimestamp(key >> bits, UTC)
        status = rng.choices(statuses, cum_weights=cum_weights)[0]
        candidates = parents.get(index)
        parent_id, depth = None, 0
        if candidates and rng.random() < reply_chance:
            packed = candidates[-1] if rng.random() < 0.3 else rng.choice(candidates)
            parent_id, depth = packed >> 3, (packed & 7) + 1
        if status is CommentStatus.APPROVED and depth < MAX_REPLY_DEPTH:
            parents.setdefault(index, []).append(number << 3 | depth)
        person = people[int(COMMENTERS * rng.random() ** 2.5)]  # some people comment a lot
        text, html = bodies[rng.randrange(len(bodies))]
        batch.append(
            {
                "id": number,
                "article_id": ids[index],
                "parent_id": parent_id,
                "depth": depth,
                "status": status,
                "author_name": person[0],
                "author_email": person[1],
                "author_website": person[2],
                "avatar_colour": person[4],
                "body_text": text,
                "body_html": html,
                "created_at": created,
                "ip_hash": person[3],
                "user_agent": USER_AGENTS[number % len(USER_AGENTS)],
                "user_id": None,
                "moderation_reasons": REASONS[status],
            }
        )
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_comments(n_comments: int, progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Write the generated comments; executemany per batch on SQLite, COPY on PostgreSQL. Commits."""
    postgres = db.engine.dialect.name == "postgresql"
    table = Comment.__table__
    stats = {"rows": 0, "replies": 0}
    articles = published_articles()  # before a COPY occupies the connection
    if postgres:
        connection = db.session.connection().connection.dbapi_connection  # psycopg 3
        with connection.cursor() as cursor, cursor.copy(f"COPY comments ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for batch in generate_comments(articles, n_comments):
                for row in batch:
                    copy.write_row(
                        [
                            row["created_at"].replace(tzinfo=None)
                            if c == "created_at"
                            else row[c].value
                            if c == "status"
                            else json.dumps(row[c])
                            if c == "moderation_reasons"
                            else row[c]
                            for c in COLUMNS
                        ]
                    )
                stats["rows"] += len(batch)
                stats["replies"] += sum(1 for r in batch if r["parent_id"] is not None)
                progress(stats["rows"])
        db.session.commit()
        db.session.execute(sa.text("SELECT setval('comments_id_seq', (SELECT max(id) FROM comments))"))
        db.session.commit()
    else:
        for batch in generate_comments(articles, n_comments):
            db.session.connection().execute(table.insert(), batch)  # Core executemany, no ORM objects
            db.session.commit()
            stats["rows"] += len(batch)
            stats["replies"] += sum(1 for r in batch if r["parent_id"] is not None)
            progress(stats["rows"])
    return stats


def set_comment_counts() -> None:
    """``articles.comment_count`` = the approved comments, for every article at once."""
    db.session.execute(
        sa.text(
            "UPDATE articles SET comment_count = (SELECT count(*) FROM comments AS c "
            "WHERE c.article_id = articles.id AND c.status = 'approved')"
        )
    )
    db.session.commit()


def vacuum_analyze() -> None:
    """Statistics and the visibility map (index-only scans) for PostgreSQL; VACUUM runs outside a transaction."""
    db.session.commit()
    tables = ", ".join(sa.inspect(db.engine).get_table_names())  # this schema's, not the whole database's
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM ANALYZE {tables}")


def is_empty_database() -> bool:
    return not sa.inspect(db.engine).get_table_names()


def build(
    n_articles: int, n_comments: int, *, with_related: bool, log: Callable[[str], None]
) -> list[tuple[str, float]]:
    """Load everything into the app's (freshly migrated, empty) database; returns (step, seconds)."""
    from blog.services import related, search

    steps: list[tuple[str, float]] = []

    def step(label: str, fn: Callable[[], object]) -> object:
        log(f"{label} …")
        started = time.perf_counter()
        result = fn()
        steps.append((label, time.perf_counter() - started))
        log(f"{label}: {steps[-1][1]:.1f} s")
        return result

    step(f"articles, users, tags ({n_articles:,}; bench_related.load)", lambda: bench_related.load(n_articles))
    done = [0]

    def progress(rows: int) -> None:
        if rows - done[0] >= 200_000 or rows == n_comments:
            log(f"  {rows:,} comments written")
            done[0] = rows

    stats = step(
        f"comments ({n_comments:,}; {'COPY' if db.engine.dialect.name == 'postgresql' else 'executemany'})",
        lambda: insert_comments(n_comments, progress),
    )
    log(f"  {stats['replies']:,} replies ({stats['replies'] / max(stats['rows'], 1):.0%})")
    step("articles.comment_count (one UPDATE)", set_comment_counts)
    step("search index (search.rebuild)", lambda: (search.rebuild(), db.session.commit()))
    if with_related:
        step(
            "Keep Reading index + picks (related)",
            lambda: (related.rebuild_index(), related.refresh_all_picks(), db.session.commit()),
        )
    if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        step("VACUUM ANALYZE", vacuum_analyze)
    return steps


if __name__ == "__main__":
    sys.exit("scale_data.py is a module: run tests/perf/bench_scale.py")
