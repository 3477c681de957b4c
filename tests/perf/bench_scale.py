"""Pages at scale: p50 of the main pages on the benchmark fixture and on 100,000 articles / 1,000,000 comments.

Not collected by ``make test`` (``norecursedirs``). Run it directly:

    .venv/bin/python tests/perf/bench_scale.py                               # builds 100k / 1M in a temp SQLite file
    .venv/bin/python tests/perf/bench_scale.py --keep /tmp/scale.sqlite3     # build once, reuse on the next run
    .venv/bin/python tests/perf/bench_scale.py --articles 20000 --comments 200000 --requests 20
    .venv/bin/python tests/perf/bench_scale.py --database-url postgresql+psycopg://blog:blog@127.0.0.1/blog_scale \\
        --small-database-url postgresql+psycopg://blog:blog@127.0.0.1/blog_scale_small   # EMPTY databases

1. The large database: migrated, then bulk-loaded by ``scale_data.build`` (articles via
   ``bench_related.load``, comments by executemany on SQLite or COPY on PostgreSQL, the approved
   counts by one UPDATE, the search index; ``--with-related`` adds the Keep Reading index, ~5 min).
   A PostgreSQL URL must point at an empty database (``--build-only`` then ``--reuse`` measures it
   later); ``--keep PATH`` keeps the SQLite file, and a second run with the same PATH skips the build. Each step's time goes to stderr and stdout.
2. The small database: the shared benchmark fixture (``blog.services.importer``), SQLite in a temp
   directory unless ``--small-database-url`` (empty) is given, plus 60 pending comments on an article no
   row measures (the fixture has none: its desk "pending" tab would be an empty list against a full one),
   copies of its articles up to two full pages of the lists and of a common word's search (6 items
   against 10 otherwise), and on the first copy a thread of the large database's busiest article's shape
   (60 top-level comments with 4 replies each: its page 1 shows 250 comments, the fixture's article 50).
   The rare search word of the large database is narrowed with a second word from one of its articles'
   titles until it finds about as many articles as the small one's (1 hit shown against 10 otherwise).
3. For both: ``blog.create_app`` (rate limits off, the cache off, a random
   SECRET_KEY), the Flask test client in-process, an editor created and signed in through
   ``POST /login`` for the desk; per page ``--warmup`` requests, then ``--requests`` sequential ones
   timed. SQL statements are counted with an ``after_cursor_execute`` listener.
4. The table (stdout): page | p50 small | p50 large | ratio | within 2× | SQL per request, then the
   query plans (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``) of the article's comment
   list and of the desk's pending tab, captured from the real requests; a scan of comments or
   articles that is not an index search is flagged. ``--explain-all`` explains every page's SQL.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import flask
import flask_migrate
import scale_data
import sqlalchemy as sa
from sqlalchemy import event

from blog import create_app
from blog.core.terms import STOPWORDS
from blog.extensions import db
from blog.models import SEARCH_TABLE, Article, ArticleStatus, Role, Tag, User, article_tags

DEFAULT_FIXTURE = ROOT.parent / "shared" / "bench" / "fixture.json"
SMALL_ARTICLE = "riverside-greenway-wins-final-approval"
EDITOR_EMAIL = "scale-bench-editor@example.org"
RATIO_GOAL = 2.0
# What a page displays: comments, desk rows, search hits, article teasers (home, author and tag pages)
SHOWN = re.compile(r'id="(?:comment|row)-\d+"|class="search-result"|<article class="teaser[ "]')


def log(message: str) -> None:
    print(f"[scale {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_app(url: str, workdir: str, secret: str | None = None):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret or secrets.token_hex(32),
            "RATELIMIT_ENABLED": False,
            "CACHE_TYPE": "NullCache",  # uncached pages: the cost of the queries at this size
            "SESSION_COOKIE_SECURE": False,  # the test client speaks http://
            "REMEMBER_COOKIE_SECURE": False,
        },
        instance_path=workdir,
    )


# --- Databases ------------------------------------------------------------------------------------


def require_empty(app, url: str) -> None:
    with app.app_context():
        if not scale_data.is_empty_database():
            db.engine.dispose()
            sys.exit(f"bench_scale: {url.split('@')[-1]} is not empty; give an EMPTY database (this script fills it)")


def build_large(args, workdir: str) -> tuple[str, list[tuple[str, float]] | None]:
    """The large database's URL and the build steps (None when a kept file was reused)."""
    if args.database_url:
        url = normalise_url(args.database_url)
        if args.reuse:
            app = make_app(url, workdir)
            with app.app_context():
                empty = scale_data.is_empty_database()
                found = 0 if empty else db.session.scalar(sa.text("SELECT count(*) FROM comments"))
                db.engine.dispose()
            if not found:
                sys.exit(f"bench_scale: --reuse, but {url.split('@')[-1]} holds no comments")
            log(f"reusing {url.split('@')[-1]} ({found:,} comments): no build")
            return url, None
    elif args.keep:
        path = Path(args.keep).resolve()
        url = f"sqlite:///{path}"
        if path.exists():
            app = make_app(url, workdir)
            with app.app_context():
                empty = scale_data.is_empty_database()
                found = 0 if empty else db.session.scalar(sa.text("SELECT count(*) FROM comments"))
                db.engine.dispose()
            if found:
                log(f"reusing {path} ({found:,} comments): no build")
                return url, None
            sys.exit(f"bench_scale: {path} exists but holds no comments; remove it or choose another --keep path")
    else:
        url = f"sqlite:///{workdir}/large.sqlite3"
    app = make_app(url, workdir, secret="bench-scale")
    require_empty(app, url)
    with app.app_context():
        log(f"building the large database at {url.split('@')[-1]}")
        started = time.perf_counter()
        flask_migrate.upgrade()
        steps = [("migrations (flask db upgrade)", time.perf_counter() - started)]
        steps += scale_data.build(args.articles, args.comments, with_related=args.with_related, log=log)
        db.engine.dispose()
    return url, steps


def build_small(args, workdir: str) -> str:
    from blog.services.importer import import_export

    url = normalise_url(args.small_database_url) if args.small_database_url else f"sqlite:///{workdir}/small.sqlite3"
    app = make_app(url, workdir)
    require_empty(app, url)
    with app.app_context():
        flask_migrate.upgrade()
        report = import_export(json.loads(Path(args.fixture).read_text(encoding="utf-8")))
        db.session.commit()
        log(
            f"small database: {args.fixture} imported ({report}); {add_pending_comments()} pending comments added; "
            f"{add_articles_for_full_pages()} article copies added, one with {add_thread()} threaded comments"
        )
        db.engine.dispose()
    return url


SMALL_PENDING = 60  # more than a desk page (DESK_PER_PAGE, 50)
SMALL_THREAD = "scale-bench-threaded"  # the small database's article with a large first comment page
THREAD_TOP, THREAD_REPLIES = 60, 4  # top-level comments (a page shows 50) and replies to each


def add_articles_for_full_pages() -> int:
    """The fixture has 6 articles, so its home, author and tag pages and a common word's search would time
    6 items against the large database's full pages of 10. Adds copies of its articles (new titles and
    slugs; same author, tags and text) up to two full pages, so the deep page (?page=2 here) is full too."""
    from blog.orm import utcnow
    from blog.services.authoring import create_article

    originals = list(
        db.session.scalars(
            sa.select(Article)
            .options(sa.orm.selectinload(Article.author), sa.orm.selectinload(Article.tags))
            .order_by(Article.id)
        )
    )
    wanted = 2 * flask.current_app.config["ARTICLES_PER_PAGE"] - len(originals)
    for n in range(max(wanted, 1)):
        original = originals[n % len(originals)]
        create_article(
            author=original.author,
            title=f"{original.title} (copy {n + 1})",
            body=original.body_markdown,
            summary=original.summary,
            slug=SMALL_THREAD if n == 0 else None,
            tags=list(original.tags),
            published_at=utcnow(),
        )
    db.session.commit()
    return max(wanted, 1)


def add_thread() -> int:
    """The large database's most-commented article shows 50 top-level comments *with their replies* on its
    first page (about 240 comments); the fixture's shows 50 without replies. Gives the first copy a thread
    of that shape: THREAD_TOP approved top-level comments with THREAD_REPLIES replies each."""
    from datetime import timedelta

    from blog.models import CommentStatus
    from blog.orm import utcnow
    from blog.services.comments import record_comment, refresh_comment_count

    article = db.session.scalar(sa.select(Article).where(Article.slug == SMALL_THREAD))
    start = utcnow() - timedelta(days=2)
    for n in range(THREAD_TOP):
        at = start + timedelta(minutes=10 * n)
        top = record_comment(
            article,
            name=f"Thread Reader {n}",
            email=f"thread{n}@example.net",
            body=f"A top-level comment, number {n}, with a few words to render.",
            website="",
            parent=None,
            status=CommentStatus.APPROVED,
            created_at=at,
        )
        for r in range(THREAD_REPLIES):
            record_comment(
                article,
                name=f"Replier {n}.{r}",
                email=f"reply{n}-{r}@example.net",
                body=f"A reply to comment {n}, number {r}.",
                website="",
                parent=top,
                status=CommentStatus.APPROVED,
                created_at=at + timedelta(minutes=r + 1),
            )
    refresh_comment_count(article.id)
    db.session.commit()
    return THREAD_TOP * (1 + THREAD_REPLIES)


def add_pending_comments() -> int:
    """The fixture has no pending comments, so its desk "pending" tab would time an empty list against the
    large database's full page. Adds ``SMALL_PENDING`` to an article no other row measures (pending
    comments show on no public page)."""
    from datetime import timedelta

    from blog.models import CommentStatus
    from blog.orm import utcnow
    from blog.services.comments import record_comment

    article = db.session.scalar(
        sa.select(Article)
        .where(Article.slug.not_in([SMALL_ARTICLE, f"{SMALL_ARTICLE}-full-thread"]))
        .order_by(Article.id)
        .limit(1)
    )
    start = utcnow() - timedelta(days=1)
    for n in range(SMALL_PENDING):
        record_comment(
            article,
            name=f"Pending Reader {n}",
            email=f"pending{n}@example.net",
            body=f"A comment awaiting moderation, number {n}.",
            website="",
            parent=None,
            status=CommentStatus.PENDING,
            created_at=start + timedelta(minutes=n),
        )
    db.session.commit()
    return SMALL_PENDING


# --- Measuring ------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    path: str
    desk: bool = False  # needs the signed-in editor


@dataclass
class Result:
    p50: float
    queries: float
    shown: int  # comments (article pages), desk rows, search hits or article teasers on the page
    statements: list[tuple[str, object]] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)


ROUNDS = 5  # each page is timed in this many alternating rounds on the small and the large database


def compare(sites: list[tuple[Site, Page]], *, warmup: int, requests: int) -> list[Result]:
    """One page's p50 on each site, timed in alternating rounds: the machine's speed drifts over seconds,
    and timing all of one database's pages before the other's put that drift into the ratios."""
    rounds: list[list[Result]] = [[] for _ in sites]
    for n in range(ROUNDS):
        for runs, (site, page) in zip(rounds, sites, strict=False):
            runs.append(site.measure(page, warmup=warmup if n == 0 else 0, requests=max(1, requests // ROUNDS)))
    merged = []
    for runs in rounds:
        durations = [d for run in runs for d in run.durations]
        first = runs[0]
        merged.append(
            Result(
                statistics.median(durations),
                statistics.mean(r.queries for r in runs),
                first.shown,
                first.statements,
                durations,
            )
        )
    return merged


class Site:
    """One database under test: its app, an anonymous and an editor's test client, a statement recorder."""

    def __init__(self, name: str, url: str, workdir: str) -> None:
        self.name, self.url = name, url
        self.app = make_app(url, workdir)
        self.recording: list[tuple[str, object]] | None = None
        self.rare_hits: int | None = None  # the large site's rare query finds at most this many (the small's)
        with self.app.app_context():
            self.dialect = db.engine.dialect.name
            event.listen(db.engine, "after_cursor_execute", self._record)
        self.reader = self.app.test_client()
        self.editor = self.app.test_client()

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.recording is not None:
            self.recording.append((statement, parameters))

    def sign_in_editor(self) -> None:
        from blog.services import users

        password = secrets.token_urlsafe(16)
        with self.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == EDITOR_EMAIL))
            if user is None:
                users.create_user(email=EDITOR_EMAIL, name="Scale Bench Editor", role="editor", password=password)
            else:
                user.password_hash, user.role, user.is_active = users.hash_password(password), Role.EDITOR, True
            db.session.commit()
        form = self.editor.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form
        )
        response = self.editor.post(
            "/login", data={"email": EDITOR_EMAIL, "password": password, "csrf_token": token.group(1) if token else ""}
        )
        if response.status_code != 303:
            sys.exit(f"bench_scale: signing in the editor on the {self.name} database failed ({response.status_code})")

    def scalar(self, sql: str, **params):
        with self.app.app_context():
            return db.session.execute(sa.text(sql), params).scalar()

    def pages(self, *, small: bool) -> tuple[list[Page], list[str]]:
        """The pages to time on this database, and notes on how they were chosen."""
        notes = []
        with self.app.app_context():
            published = sa.and_(Article.status == ArticleStatus.PUBLISHED, Article.published_at.is_not(None))
            hundred = (
                SMALL_ARTICLE
                if small
                else db.session.scalar(
                    sa.select(Article.slug)
                    .where(published)  # 80–150 approved at full size; the closest otherwise
                    .order_by(sa.func.abs(Article.comment_count - 100), Article.id)
                    .limit(1)
                )
            )
            most = db.session.execute(  # the small one: the copy with a thread of the large one's shape
                sa.select(Article.slug, Article.comment_count)
                .where(published)
                .where(Article.slug == SMALL_THREAD if small else sa.true())
                .order_by(Article.comment_count.desc(), Article.id)
                .limit(1)
            ).one()
            author = db.session.execute(
                sa.select(User.slug, sa.func.count())
                .join(Article, Article.author_id == User.id)
                .where(published)
                .group_by(User.id, User.slug)
                .order_by(sa.func.count().desc(), User.id)
                .limit(1)
            ).one()
            tag = db.session.execute(
                sa.select(Tag.slug, sa.func.count())
                .join(article_tags, article_tags.c.tag_id == Tag.id)
                .group_by(Tag.id, Tag.slug)
                .order_by(sa.func.count().desc(), Tag.id)
                .limit(1)
            ).one()
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Article).where(published))
            hundred_count = db.session.scalar(sa.select(Article.comment_count).where(Article.slug == hundred))
            common, common_docs, rare, rare_docs = search_words(self.dialect, narrow_to=self.rare_hits)
        last_page = -(-total // self.app.config["ARTICLES_PER_PAGE"])
        deep = min(50, last_page)
        notes.append(
            f"{self.name}: {total:,} published articles; article {hundred} ({hundred_count} approved); "
            f"most comments {most.slug} ({most.comment_count:,} approved); author {author.slug} "
            f"({author[1]:,} articles); tag {tag.slug} ({tag[1]:,} articles); search common "
            f"{common!r} (in {common_docs:,} articles), rare {rare!r} (in {rare_docs:,})"
            + ("" if deep == 50 else f"; the home page has {last_page} page(s), so ?page={deep} stands in for ?page=50")
        )
        return [
            Page("article", "article, ~100 comments", f"/articles/{hundred}"),
            Page("most", "article, most comments (page 1)", f"/articles/{most.slug}"),
            Page("author", "author page", f"/authors/{author.slug}"),
            Page("tag", "tag page (most-used tag)", f"/tags/{tag.slug}"),
            Page("home", "home page", "/"),
            Page("home50", "home page, ?page=50", f"/?page={deep}"),
            Page("search_common", "search, common word", f"/search?q={common}"),
            Page("search_rare", "search, rare word", f"/search?q={quote_plus(rare)}"),
            Page("desk_pending", "desk, pending tab", "/moderation/?status=pending", desk=True),
            Page("desk_approved", "desk, approved tab", "/moderation/?status=approved", desk=True),
        ], notes

    def measure(self, page: Page, *, warmup: int, requests: int) -> Result:
        client = self.editor if page.desk else self.reader
        for _ in range(warmup):
            check(client.get(page.path), page, self.name)
        self.recording = []
        durations = []
        for i in range(requests):
            started = time.perf_counter()
            response = client.get(page.path)
            durations.append((time.perf_counter() - started) * 1000)
            check(response, page, self.name)
            if i == 0:
                first = list(self.recording)
                shown = len(SHOWN.findall(response.get_data(as_text=True)))
        queries = len(self.recording) / requests
        self.recording = None
        return Result(statistics.median(durations), queries, shown, first, durations)

    def explain(self, statement: str, parameters) -> list[str]:
        with self.app.app_context():
            connection = db.session.connection()
            if self.dialect == "sqlite":
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                depth = {0: -1}
                lines = []
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
            else:
                lines = [r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
            db.session.rollback()
        return lines

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def check(response, page: Page, name: str) -> None:
    if response.status_code != 200:
        sys.exit(f"bench_scale: {page.path} on the {name} database answered {response.status_code}")


def search_words(dialect: str, narrow_to: int | None = None) -> tuple[str, int, str, int]:
    """A common word (the most frequent indexed word that is not a stop word) and a rare one (the one
    found in the fewest articles), each with the number of articles the search finds, read from the index.

    ``narrow_to``: when the rare word finds more articles than that (the small database's rare word finds
    1, the generated vocabulary's rarest word ~60, so the pages would show 1 hit against 10), a second
    word from the title of one of its newest articles is added, to compare pages showing as many hits."""
    if dialect == "sqlite":
        db.session.execute(
            sa.text(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, {SEARCH_TABLE}, row)")
        )
        ranked = db.session.execute(sa.text("SELECT term, doc FROM temp.bench_vocab ORDER BY doc DESC, term")).all()
    else:
        ranked = db.session.execute(
            sa.text(f"SELECT word, ndoc FROM ts_stat('SELECT document FROM {SEARCH_TABLE}') ORDER BY ndoc DESC, word")
        ).all()
    db.session.rollback()
    words = [t for t, n in ranked if t.isascii() and t.isalpha() and len(t) >= 4 and t not in STOPWORDS]
    common = words[0]
    # The index holds stems, and a stem can match more articles than its count says: try the rarest few.
    found = {t: matches(t) for t in [t for t in reversed(words) if len(t) >= 6][:30]}
    rare = min(found, key=lambda t: (found[t] == 0, found[t], t))  # a lexeme that finds nothing is no query
    rare_docs = found[rare]
    if narrow_to and rare_docs > narrow_to:
        from blog.core.search import parse_query
        from blog.services import search

        some = search._backend().newest_ids(parse_query(rare), 5)  # titles of a few of its articles
        titles = db.session.scalars(sa.select(Article.title).where(Article.id.in_(some))).all()
        pairs = {
            f"{rare} {w.lower()}": 0
            for title in titles
            for w in title.split()
            if w.isalpha() and w.lower() not in STOPWORDS
        }
        pairs = {q: matches(q) for q in pairs}
        if pairs:
            query = min(pairs, key=lambda q: (pairs[q] == 0, abs(pairs[q] - narrow_to), q))
            if 0 < pairs[query] < rare_docs:
                rare, rare_docs = query, pairs[query]
    return common, matches(common), rare, rare_docs


def matches(word: str) -> int:
    """Articles the site's search finds for ``word`` (the index holds stems; a stem can match more)."""
    from blog.core.search import parse_query
    from blog.services import search

    return len(search._backend().newest_ids(parse_query(word), 2**31 - 1))  # uncapped: every article it finds


def flag(line: str, dialect: str) -> str:
    """Marks a scan of comments or articles that is not an index search."""
    if dialect == "sqlite":
        found = re.match(r"\s*SCAN (comments|articles)\b(?: AS \w+)?(.*)", line)
        if found:
            how = found.group(2)
            return "   <-- full table SCAN, no index" if "INDEX" not in how else "   <-- walks the whole index"
    elif re.search(r"Seq Scan on (comments|articles)\b", line):
        return "   <-- Seq Scan, no index"
    return ""


def print_plan(site: Site, title: str, statement: str, parameters) -> None:
    print(f"\n### {title} ({site.name}, {site.dialect})\n")
    print("```sql")
    print(" ".join(statement.split()))
    print(f"-- parameters: {parameters!r}"[:400])
    print("```")
    print("```")
    for line in site.explain(statement, parameters):
        print(line + flag(line, site.dialect))
    print("```")


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--articles", type=int, default=100_000, help="published articles in the large database")
    parser.add_argument("--comments", type=int, default=1_000_000, help="comments in the large database")
    parser.add_argument(
        "--database-url", help="large database (default: a temp SQLite file); a PostgreSQL database must be EMPTY"
    )
    parser.add_argument(
        "--small-database-url", help="small database for the fixture (default: a temp SQLite file); must be EMPTY"
    )
    parser.add_argument(
        "--keep",
        metavar="PATH",
        help="build the large SQLite database at PATH and keep it; when PATH exists, reuse it and skip the build",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --database-url: measure a database an earlier run of this script built (e.g. --build-only)",
    )
    parser.add_argument("--with-related", action="store_true", help="also build the Keep Reading index (~5 min)")
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE, help=f"default: {DEFAULT_FIXTURE}")
    parser.add_argument("--requests", type=int, default=50, help="timed sequential requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--explain-all", action="store_true", help="print the plan of every page's SQL statements")
    parser.add_argument("--build-only", action="store_true", help="build the large database and stop")
    args = parser.parse_args()
    if args.keep and args.database_url:
        parser.error("--keep is for the SQLite file; not with --database-url")
    if args.reuse and not args.database_url:
        parser.error("--reuse goes with --database-url (for a SQLite file, use --keep)")

    workdir = tempfile.mkdtemp(prefix="bench-scale-")
    sites: list[Site] = []
    try:
        large_url, steps = build_large(args, workdir)
        if steps:
            print("## Build of the large database\n")
            print("| step | seconds |\n| --- | --- |")
            for label, seconds in steps:
                print(f"| {label} | {seconds:.1f} |")
            print(f"| total | {sum(s for _, s in steps):.1f} |\n", flush=True)
        if args.build_only:
            return
        small_url = build_small(args, workdir)
        small, large = Site("small", small_url, workdir), Site("large", large_url, workdir)
        sites = [small, large]
        results: dict[str, dict[str, Result]] = {}
        pages: dict[str, list[Page]] = {}
        notes = []
        for site in sites:
            site.sign_in_editor()
            pages[site.name], site_notes = site.pages(small=site is small)
            notes += site_notes
            if site is small:  # the large site's rare query should show as many hits as the small one's
                rare = next(page for page in pages["small"] if page.key == "search_rare")
                large.rare_hits = small.measure(rare, warmup=0, requests=1).shown or None
        for small_page, large_page in zip(pages["small"], pages["large"], strict=False):
            log(f"{small_page.path} (small) / {large_page.path} (large)")
            results[small_page.key] = dict(
                zip(
                    ("small", "large"),
                    compare([(small, small_page), (large, large_page)], warmup=args.warmup, requests=args.requests),
                    strict=False,
                )
            )

        print(
            f"## Pages: p50 of {args.requests} sequential requests after {args.warmup} warm-up "
            f"(test client, in-process; small = fixture on {small.dialect}, large = {large.dialect})\n"
        )
        print(
            "| page | p50 small (ms) | p50 large (ms) | ratio | within 2×? | SQL/request small | SQL/request large | shown small / large |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for page in pages["large"]:
            s, l_ = results[page.key]["small"], results[page.key]["large"]
            ratio = l_.p50 / s.p50
            print(
                f"| {page.label} | {s.p50:.1f} | {l_.p50:.1f} | {ratio:.2f} | "
                f"{'yes' if ratio <= RATIO_GOAL else '**no**'} | {s.queries:g} | {l_.queries:g} | {s.shown} / {l_.shown} |"
            )
        print()
        for note in notes:
            print(f"- {note}")

        print("\n## Query plans")
        for site in [large, small] if args.explain_all else [large]:
            comment_list = [(st, p) for st, p in results["article"][site.name].statements if "RECURSIVE" in st.upper()]
            for statement, parameters in comment_list:
                print_plan(
                    site, "the article's comment list (services.articles.visible_comments)", statement, parameters
                )
            for statement, parameters in results["desk_pending"][site.name].statements:
                if re.search(r"\bFROM comments\b", statement):
                    print_plan(site, "desk, pending tab", statement, parameters)
        if args.explain_all:
            for site in sites:
                for page in pages[site.name]:
                    for statement, parameters in results[page.key][site.name].statements:
                        print_plan(site, f"{page.label}: {page.path}", statement, parameters)
    finally:
        for site in sites:
            site.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
