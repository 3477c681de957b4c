"""Keep Reading at scale: 100,000 published articles, then time the recompute of one article's picks.

Not collected by ``make test`` (``norecursedirs``). Run it directly:

    .venv/bin/python tests/perf/bench_related.py                      # 100,000 articles, SQLite file
    .venv/bin/python tests/perf/bench_related.py --articles 20000 --sample 100
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python tests/perf/bench_related.py   # an EMPTY database

The corpus is generated: 300 topics with their own vocabulary and tags, a Zipf-distributed general
vocabulary and English function words, bodies of 350–750 words. It is loaded with executemany
(no ORM objects), indexed with ``services.related.rebuild_index`` and ``services.search.rebuild``,
then timed: one article's recompute (``refresh_picks``) on a random sample, the publish path
(``refresh_around``: the article and the lists it may now appear on) and, unless ``--skip-full``,
the full recompute of every article's picks. Peak memory is the process's maximum resident set.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from blog import create_app
from blog.core.text import word_count
from blog.extensions import db
from blog.models import Article, ArticleStatus, RelatedLink, Tag, User, article_tags
from blog.services import related, search

FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "he",
    "for",
    "it",
    "with",
    "as",
    "his",
    "on",
    "be",
    "at",
    "by",
    "had",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "man",
    "me",
    "even",
    "most",
    "made",
    "after",
    "also",
    "did",
    "many",
    "before",
    "must",
    "through",
    "back",
    "years",
    "where",
    "much",
    "your",
    "way",
    "well",
    "down",
    "should",
    "because",
    "each",
    "just",
    "those",
    "people",
    "how",
    "too",
    "little",
    "state",
    "good",
    "very",
    "make",
    "world",
    "still",
    "own",
    "see",
    "men",
    "work",
    "long",
    "get",
    "here",
    "between",
    "both",
    "life",
    "being",
    "under",
    "never",
    "day",
    "same",
    "another",
    "know",
    "while",
    "last",
    "might",
    "us",
    "great",
    "old",
    "year",
    "off",
    "come",
    "since",
    "against",
    "go",
    "came",
    "right",
    "used",
    "take",
    "three",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "ga",
    "ge",
    "gi",
    "go",
    "ha",
    "he",
    "hi",
    "ho",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "bar",
    "ber",
    "bor",
    "car",
    "cor",
    "dar",
    "der",
    "dor",
    "gar",
    "gor",
    "har",
    "her",
    "lar",
    "ler",
    "lor",
    "mar",
    "mer",
    "mor",
    "nar",
    "ner",
    "par",
    "per",
    "por",
    "rar",
    "sar",
    "ser",
    "tar",
    "ter",
    "tor",
    "var",
    "ver",
    "an",
    "en",
    "in",
    "on",
    "un",
    "ar",
    "er",
    "ir",
    "or",
    "ur",
    "al",
    "el",
    "il",
    "ol",
    "ul",
    "st",
    "tr",
    "pl",
    "gr",
]
ENDINGS = ["", "s", "ing", "ed", "er", "ly", "tion", "ment", "al", "ness"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


class Corpus:
    """A deterministic generator of news-like articles."""

    def __init__(self, seed: int = 2026, topics: int = 300, general: int = 20_000, tags: int = 600) -> None:
        rng = random.Random(seed)
        self.general = sorted({word(rng) for _ in range(general)})
        rng.shuffle(self.general)
        self.general_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.general))))  # Zipf
        self.tags = sorted({word(rng).capitalize() + " " + word(rng).capitalize() for _ in range(tags)})
        self.topics = [
            ([word(rng) + rng.choice(ENDINGS) for _ in range(60)], rng.sample(range(len(self.tags)), 4))
            for _ in range(topics)
        ]
        self.topic_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.6 for rank in range(topics)))
        self.rng = rng

    def _sentence(self, topic_words: list[str], n: int) -> str:
        rng = self.rng
        words = []
        generals = rng.choices(self.general, cum_weights=self.general_weights, k=n)
        for i in range(n):
            roll = rng.random()
            words.append(
                rng.choice(FUNCTION_WORDS) if roll < 0.45 else rng.choice(topic_words) if roll < 0.65 else generals[i]
            )
        return " ".join(words).capitalize() + "."

    def article(self) -> tuple[str, str, str, list[int]]:
        rng = self.rng
        topic = rng.choices(range(len(self.topics)), cum_weights=self.topic_weights)[0]
        topic_words, topic_tags = self.topics[topic]
        title = self._sentence(topic_words, rng.randint(6, 11))[:-1]
        summary = self._sentence(topic_words, rng.randint(18, 30))
        paragraphs, length, target = [], 0, rng.randint(350, 750)
        while length < target:
            sentences = [self._sentence(topic_words, rng.randint(8, 24)) for _ in range(rng.randint(2, 5))]
            paragraphs.append(" ".join(sentences))
            length += sum(len(s.split()) for s in sentences)
        tags = set(rng.sample(topic_tags, rng.randint(1, 3)))
        if rng.random() < 0.5:
            tags.add(rng.randrange(len(self.tags)))
        return title, summary, "\n\n".join(paragraphs), sorted(tags)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(n_articles: int, batch: int = 5_000) -> None:
    """Bulk-load users, tags and articles with executemany: no ORM objects, no per-row flush."""
    corpus = Corpus()
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"writer{i}@example.org",
                "display_name": f"Writer {i}",
                "slug": f"writer-{i}",
                "role": "author",
                "bio_markdown": "",
                "bio_html": "",
                "website": "",
                "social_links": {},
                "is_active": True,
            }
            for i in range(50)
        ],
    )
    db.session.execute(
        sa.insert(Tag),
        [{"slug": f"t{i}-{name.lower().replace(' ', '-')}"[:80], "name": name} for i, name in enumerate(corpus.tags)],
    )
    user_ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
    tag_ids = list(db.session.scalars(sa.select(Tag.id).order_by(Tag.id)))
    start = datetime(2020, 1, 1, tzinfo=UTC)
    next_id = 1
    for offset in range(0, n_articles, batch):
        rows, links = [], []
        for i in range(offset, min(offset + batch, n_articles)):
            title, summary, body, tags = corpus.article()
            when = start + timedelta(minutes=30 * i)
            rows.append(
                {
                    "id": next_id,
                    "slug": f"article-{i}",
                    "title": title[:200],
                    "summary": summary[:500],
                    "body_markdown": body,
                    "body_html": "<p>" + body.replace("\n\n", "</p><p>") + "</p>",
                    "word_count": word_count(body),  # a bulk insert passes by the model's own counting
                    "status": ArticleStatus.PUBLISHED,
                    "published_at": when,
                    "created_at": when,
                    "updated_at": when,
                    "author_id": user_ids[i % len(user_ids)],
                    "comments_open": True,
                    "comment_count": 0,
                }
            )
            links.extend({"article_id": next_id, "tag_id": tag_ids[t]} for t in tags)
            next_id += 1
        db.session.execute(sa.insert(Article), rows)
        db.session.execute(sa.insert(article_tags), links)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":  # ids were given explicitly: move the sequence past them
        db.session.execute(sa.text("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))"))
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label:<46} {elapsed:9.2f} s   (peak RSS {peak_mb():7.0f} MB)", flush=True)
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200, help="articles whose recompute is timed one by one")
    parser.add_argument("--skip-full", action="store_true", help="do not time the full recompute of all picks")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL")
    workdir = tempfile.mkdtemp(prefix="bench-related-")
    url = url or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url}, instance_path=workdir)
    print(f"database: {url.split('@')[-1]}   articles: {args.articles:,}")
    with app.app_context():
        flask_migrate.upgrade()
        timed(f"bulk load of {args.articles:,} articles", load, args.articles)
        timed("search index (FTS) build", lambda: (search.rebuild(), db.session.commit()))
        timed("Keep Reading index build (rebuild_index)", lambda: (related.rebuild_index(), db.session.commit()))
        terms = db.session.scalar(sa.text("SELECT count(*) FROM related_terms"))
        print(f"  index: {terms:,} signature postings")

        rng = random.Random(7)
        ids = list(db.session.scalars(sa.select(Article.id)))
        sample = rng.sample(ids, min(args.sample, len(ids)))
        durations, picked = [], 0
        for article_id in sample:
            started = time.perf_counter()
            picked += len(related.refresh_picks(article_id))
            durations.append((time.perf_counter() - started) * 1000)
        db.session.commit()
        durations.sort()
        print(
            f"one article's recompute (refresh_picks), n={len(sample)}: median {statistics.median(durations):.1f} ms, "
            f"p95 {durations[int(0.95 * (len(durations) - 1))]:.1f} ms, max {durations[-1]:.1f} ms "
            f"({picked / len(sample):.1f} picks each)"
        )

        around = []
        for article_id in sample[:20]:
            started = time.perf_counter()
            refreshed = related.refresh_around(article_id)
            around.append(((time.perf_counter() - started) * 1000, len(refreshed)))
        db.session.commit()
        print(
            f"publish path (refresh_around: own + neighbours), n=20: median {statistics.median(a for a, _ in around):.1f} ms "
            f"for {statistics.median(n for _, n in around):.0f} neighbours"
        )

        if not args.skip_full:
            _, elapsed = timed(
                "full recompute of all picks (refresh_all_picks)",
                lambda: (related.refresh_all_picks(), db.session.commit()),
            )
            print(
                f"  = {elapsed / len(ids) * 1000:.1f} ms per article; "
                f"{db.session.scalar(sa.select(sa.func.count()).select_from(RelatedLink)):,} auto links stored"
            )
        example = sample[0]
        title = db.session.get(Article, example).title
        print(f"\nexample: {title[:70]!r} picks:")
        for pick in related.compute_picks(example, limit=4):
            print(f"  {pick.score:.3f}  {db.session.get(Article, pick.id).title[:70]!r}")
        print(f"\npeak memory (max RSS of this process): {peak_mb():.0f} MB")
        db.engine.dispose()


if __name__ == "__main__":
    main()
