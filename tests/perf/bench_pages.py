"""Side-by-side page benchmark (issue 8): our app vs. a bare Flask floor vs. nginx, in one run.

Not collected by ``make test`` (``norecursedirs``). Run it with ``make bench`` or directly:

    .venv/bin/python tests/perf/bench_pages.py                       # 3 rounds of 10 s per target
    .venv/bin/python tests/perf/bench_pages.py --quick               # 3 rounds of 3 s per target
    .venv/bin/python tests/perf/bench_pages.py --duration 20 /path/to/fixture.json
    BLOG_TEST_DATABASE_URL=postgresql+psycopg://… make bench         # PostgreSQL too (a fresh schema, dropped after)
    .venv/bin/python tests/perf/bench_pages.py --quick --baseline main~3   # also that commit's cold and warm page

Needs ``nginx`` and ``wrk`` (Debian packages): installed with apt-get when running as root, otherwise
the script prints the command and stops. ``redis-server``, when present, gives the warm (cached) figure.

What it does, everything on 127.0.0.1 free ports, everything it starts stopped at the end:
1. builds a temp-file SQLite database (``flask db upgrade`` + ``blog load-fixture``);
2. starts our app under gunicorn (``blog.gunicorn_conf``, 2 sync workers, a random SECRET_KEY, rate limits
   off, comment min-time 0): a cold server (cache off: BLOG_CACHE_TYPE=NullCache), a warm one (REDIS_URL on a
   Redis this script starts), one with a SQLite site's default cache (files) and a POST server (on its own
   copy of the database; its anonymous POSTs carry the form timestamp and no cookie, as a reader's do);
3. saves our rendered article page, serves that copy with nginx (own prefix and config, ``daemon off``)
   and with a bare Flask app under the same gunicorn settings (the framework floor), and serves the live page
   through the shipped deploy/nginx.conf (its microcache, rendered as tests/system/proxy.py does) in front of
   the cold server: req/s and p99 are compared with the static copy's;
4. runs ``wrk -t2 -c16 --latency`` 3 interleaved rounds against every target, counts SQL queries per
   request in-process (test client + ``after_cursor_execute``), measures server memory (PSS of the
   gunicorn master and workers) and single-request latency, and prints the table.

``--baseline REF`` also serves the cold and warm article page from that commit (a git worktree, on the same
SQLite database and Redis, its own Redis database) in the same interleaved rounds: the machine's speed
drifts by a third within minutes, so a change is judged against its baseline in one run, not another hour's.
``--baseline-python PYTHON`` likewise serves the cold article page with another interpreter (a virtualenv made
with ``make install PYTHON=/usr/bin/python3 VENV=.venv-system``, say).
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import contextlib

from tests.system.proxy import main_conf, render_site

SLUG = "riverside-greenway-wins-final-approval"
ARTICLE = f"/articles/{SLUG}"
ARTICLE_FULL = f"/articles/{SLUG}-full-thread"
HOME = "/"
AUTHOR = "/authors/maria-reyes"
POST_PATH = f"{ARTICLE}/comments"
API_ARTICLE = f"/api/v1/articles/{SLUG}"  # the JSON API's article with its first page of comments (issue 23)
API_TARGET = "API article + comments, cold"
DEFAULT_FIXTURE = ROOT.parent / "shared" / "bench" / "fixture.json"
PROXY = "proxy: nginx microcache → gunicorn (2 workers)"
_OWN_ENV = re.compile(r"^(SECRET_KEY|DATABASE_URL|REDIS_URL|MAIL_.*|BLOG_.*|FLASK_.*|WEB_CONCURRENCY|GUNICORN_.*)$")


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Tools ----------------------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )


def ensure_tools() -> tuple[str, str]:
    missing = [name for name in ("nginx", "wrk") if not find_tool(name)]
    if missing:
        command = ["apt-get", "install", "-y", *missing]
        if os.geteuid() != 0:
            sys.exit(
                f"bench: {' and '.join(missing)} missing. Install with:\n    sudo apt-get install -y {' '.join(missing)}"
            )
        log(f"installing {' '.join(missing)}: {' '.join(command)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(command, check=False, env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], check=False, env=env)
            if subprocess.run(command, check=False, env=env).returncode != 0:
                sys.exit(f"bench: could not install {' '.join(missing)}; run: apt-get install -y {' '.join(missing)}")
    return find_tool("nginx"), find_tool("wrk")


# --- Processes ------------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    logs: Path
    cwd: Path = ROOT
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> Proc:
        with open(self.logs / f"{self.name}.out", "wb") as out, open(self.logs / f"{self.name}.err", "wb") as err:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def stderr_tail(self) -> str:
        path = self.logs / f"{self.name}.err"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def wait_http(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.stderr_tail()}")
            try:
                if get(self.port, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.stderr_tail()}")

    def pids(self) -> list[int]:
        """The process and its descendants (gunicorn master + workers, nginx master + workers)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return found

    def pss_mib(self) -> float:
        total_kb = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
            except OSError:
                pass
        return total_kb / 1024

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT if self.name.startswith("nginx") else signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=25)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the session this script started, and nothing else
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log(f"{self.name} (pid {self.process.pid}) did not stop")


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def base_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not _OWN_ENV.match(k)}
    env["BLOG_SITE_URL"] = "http://127.0.0.1"  # production requires it; every port of this host is served
    env.update(settings)
    return env


def run_checked(argv: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        argv, check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        sys.exit(f"bench: {what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def gunicorn(
    name: str, env: dict[str, str], logs: Path, *extra: str, root: Path = ROOT, python: str = sys.executable
) -> Proc:
    """The production gunicorn settings (blog.gunicorn_conf) with 2 sync workers, serving ``root``'s code."""
    port = free_port()
    argv = [
        python,
        "-m",
        "gunicorn",
        "-c",
        "python:blog.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--threads",
        "1",
        *extra,
    ]
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))}
    return Proc(name, argv, env, logs, cwd=root, port=port).start()


def interpreter() -> str:
    """Which Python serves the pages, and whether it runs from a shared libpython.

    The same code under the same settings served the cold page ~20 % faster from a statically linked,
    PGO-built CPython (Debian's ``python3``) than from one linked to a shared ``libpython`` without PGO
    (pyenv's usual build) — docs/performance.md, "The interpreter". The servers run ``sys.executable``.
    """
    shared = False
    try:
        with open("/proc/self/maps") as maps:
            shared = any("libpython" in line for line in maps)
    except OSError:  # not Linux: say nothing about it
        pass
    build = ' (linked to a shared libpython: see docs/performance.md, "The interpreter")' if shared else ""
    return f"{sys.implementation.name} {platform.python_version()} {sys.executable}{build}"


def baseline_tree(ref: str, tmp: Path) -> tuple[Path, str]:
    """A detached git worktree of ``ref`` (removed by ``drop_tree``) and its short commit id."""
    commit = run_checked(["git", "rev-parse", "--short", f"{ref}^{{commit}}"], dict(os.environ), f"git rev-parse {ref}")
    tree = tmp / "baseline"
    run_checked(["git", "worktree", "add", "--detach", str(tree), commit.strip()], dict(os.environ), "git worktree add")
    return tree, commit.strip()


def drop_tree(tree: Path) -> None:
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], check=False, cwd=ROOT, capture_output=True, timeout=60
    )


def baseline_targets(
    baseline: tuple[Path, str],
    url: str,
    redis_url: str | None,
    common: dict[str, str],
    logs: Path,
    procs: list[Proc],
    servers: dict[str, Proc],
) -> list[Target]:
    """The baseline commit's cold (and, with Redis, warm) article page, on our database (it must be able to
    read this schema: compare with a recent commit)."""
    tree, commit = baseline
    found = []
    cold = {"BLOG_CACHE_TYPE": "NullCache"}
    for kind, extra in (("cold", cold), ("warm", {"REDIS_URL": redis_url} if redis_url else None)):
        if extra is None:
            continue
        env = base_env(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, **extra, **common)
        found.append(
            article_server(
                f"baseline-{kind}",
                f"{kind} [{commit}]",
                f"{kind} [baseline {commit}]",
                env,
                logs,
                procs,
                servers,
                root=tree,
            )
        )
    return found


def python_targets(
    python: str, url: str, common: dict[str, str], logs: Path, procs: list[Proc], servers: dict[str, Proc]
) -> list[Target]:
    """The cold article page served by another interpreter (its virtualenv must have the project installed)."""
    version = run_checked(
        [python, "-c", "import platform; print(platform.python_version())"], dict(os.environ), f"{python} --version"
    ).strip()
    env = base_env(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, BLOG_CACHE_TYPE="NullCache", **common)
    name = f"cold [Python {version}, {python}]"
    return [article_server("python-cold", name, name, env, logs, procs, servers, python=python)]


def article_server(
    name: str,
    key: str,
    label: str,
    env: dict[str, str],
    logs: Path,
    procs: list[Proc],
    servers: dict[str, Proc],
    **options,
) -> Target:
    """One more server (``gunicorn`` ``options``), ready, for the 100-comment article alone: ``name`` for its
    logs, ``key`` in ``servers`` and the memory column, ``label`` in the table."""
    proc = gunicorn(name, env, logs, **options)
    procs.append(proc)
    proc.wait_http("/healthz")
    servers[key] = proc
    return Target(f"article 100 comments, {label}", proc, ARTICLE, mem_key=key)


# --- Databases ------------------------------------------------------------------------------------


def pg_schema_url(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema`` (libpq ``options``)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def pg_admin(url: str, sql: str) -> None:
    import sqlalchemy as sa

    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def build_database(url: str, fixture: Path) -> None:
    # No cache: the servers have their own, and a SQLite site's default would write files into instance/.
    env = base_env(DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), BLOG_CACHE_TYPE="NullCache")
    flask = [sys.executable, "-m", "flask", "--app", "blog"]
    run_checked([*flask, "db", "upgrade"], env, "flask db upgrade")
    log(run_checked([*flask, "blog", "load-fixture", str(fixture)], env, "blog load-fixture").strip())


def count_comments(url: str) -> int:
    import sqlalchemy as sa

    from blog import create_app
    from blog.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False},
        instance_path=tempfile.mkdtemp(prefix="bench-count-"),
    )
    with app.app_context():
        try:
            return db.session.execute(sa.text("SELECT count(*) FROM comments")).scalar()
        finally:
            db.session.remove()
            db.engine.dispose()


def queries_per_request(url: str, paths: list[str], redis_url: str | None) -> dict[str, float]:
    """SQL statements per GET, in-process (Flask test client), after one warm-up request per path."""
    from sqlalchemy import event

    from blog import create_app
    from blog.extensions import db

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    config.update({"REDIS_URL": redis_url} if redis_url else {"CACHE_TYPE": "NullCache"})  # cold: no cache
    app = create_app(config, instance_path=tempfile.mkdtemp(prefix="bench-queries-"))
    counts: dict[str, float] = {}
    with app.app_context():
        engine = db.engine
    seen = [0]

    def count(*_args, **_kwargs) -> None:
        seen[0] += 1

    # Each request in its own app context, as under gunicorn: an app context held open around them would be
    # shared by all of them (and so would what they keep in ``g``, e.g. the site settings read once a request).
    event.listen(engine, "after_cursor_execute", count)
    try:
        client = app.test_client()
        for path in paths:
            client.get(path)  # warm-up: fills the cache when there is one
            seen[0] = 0
            runs = 3
            for _ in range(runs):
                status = client.get(path).status_code
                if status != 200:
                    raise RuntimeError(f"in-process GET {path} answered {status}")
            counts[path] = seen[0] / runs
    finally:
        event.remove(engine, "after_cursor_execute", count)
        engine.dispose()
    return counts


# --- wrk ------------------------------------------------------------------------------------------

POST_LUA = """\
-- POST form-encoded comments; every body differs (the duplicate check), 303s counted per thread.
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  seen303 = 0
  math.randomseed(os.time() + tid * 7919)
end
function request()
  counter = counter + 1
  local body = string.format(
    "name=Bench+Reader+%d+%d&email=bench%d.%d.%d%%40example.org&website=&body=Benchmark+comment+%d+from+thread+%d%%2C+nonce+%d.&parent_id=&url=&ts=%s",
    tid, counter, tid, counter, math.random(1000000000), counter, tid, math.random(1000000000), TS)
  return wrk.format("POST", PATH, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  if status == 303 then seen303 = seen303 + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("seen303") end
  io.write(string.format("POSTED_303 %d\\n", total))
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


@dataclass
class WrkResult:
    rps: float
    p50: float
    p99: float
    errors: int
    posted_303: int | None = None


def run_wrk(
    wrk: str,
    port: int,
    path: str,
    duration: int,
    threads: int,
    connections: int,
    script: Path | None = None,
    headers: tuple[str, ...] = (),
) -> WrkResult:
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=duration + 60).stdout
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
        p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    except AttributeError:
        raise RuntimeError(f"could not read wrk's output:\n{out}") from None
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    posted = re.search(r"POSTED_303 (\d+)", out)
    return WrkResult(rps, p50, p99, errors, int(posted.group(1)) if posted else None)


def single_request_ms(port: int, path: str, n: int = 50) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, _ = get(port, path)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return statistics.median(times)


# --- The run --------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    server: Proc
    path: str
    script: Path | None = None
    queries: float | None = None
    runs: list[WrkResult] = field(default_factory=list)
    note: str = ""
    mem_key: str = ""  # which server's PSS to show
    headers: tuple[str, ...] = ()  # sent with every request (wrk -H)
    # One GET just before each round: a busy page is never idle long enough for the proxy to drop it
    # (inactive=30s); rounds are further apart than that, and refilling a dropped page stalls the readers who
    # arrive meanwhile for up to 500 ms (nginx's cache-lock wait), which is not the steady state measured here.
    refill: bool = False


def start_redis(logs: Path) -> tuple[Proc | None, str]:
    redis = find_tool("redis-server")
    if not redis:
        return None, "redis-server not installed (apt-get install -y redis-server)"
    port = free_port()
    proc = Proc(
        "redis",
        [
            redis,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(logs),
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        base_env(),
        logs,
        port=port,
    ).start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            return None, f"redis-server exited: {proc.stderr_tail() or (logs / 'redis.out').read_text()[-500:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return proc, ""
        except OSError:
            time.sleep(0.1)
    proc.stop()
    return None, "redis-server did not answer PING"


def revisit_headers(port: int, path: str) -> tuple[str, ...]:
    """What a returning anonymous reader's browser sends: the page's ETag (If-None-Match). An anonymous page
    sets no cookie, so there is none to send back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        etag = response.getheader("ETag")
        cookie = response.getheader("Set-Cookie")
    finally:
        conn.close()
    if response.status != 200 or not etag or cookie:
        raise RuntimeError(f"GET {path}: {response.status}, ETag {etag!r}, Set-Cookie {cookie!r} (expected none)")
    return (f"If-None-Match: {etag}",)


def cache_status(port: int, path: str) -> str | None:
    """The proxy's X-Cache-Status for a second GET of ``path`` (the first may fill the cache)."""
    for _ in range(2):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
    return response.getheader("X-Cache-Status")


def form_ts(port: int) -> str:
    """The signed form timestamp of the anonymous comment form (all an anonymous POST needs: no cookie)."""
    status, body = get(port, ARTICLE)
    if status != 200:
        raise RuntimeError(f"GET {ARTICLE} answered {status}")
    text = body.decode()
    for tag in re.findall(r"<input\b[^>]*>", text):
        if re.search(r'\bname="ts"', tag):
            return html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1))
    raise RuntimeError("no ts field in the comment form")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fixture", nargs="?", default=str(DEFAULT_FIXTURE), help="fixture JSON (default: %(default)s)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (logs, database)")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also serve the cold and warm article page from this git "
        "commit (e.g. main~3), in the same rounds, to compare a change with what it changes",
    )
    parser.add_argument(
        "--baseline-python",
        metavar="PYTHON",
        help="also serve the cold article page with this "
        "interpreter (a virtualenv's python with the project installed), in the same rounds",
    )
    args = parser.parse_args()
    duration = 3 if args.quick else args.duration
    fixture = Path(args.fixture).resolve()
    if not fixture.is_file():
        sys.exit(f"bench: fixture not found: {fixture}\n(pass its path: tests/perf/bench_pages.py PATH/fixture.json)")
    nginx_bin, wrk = ensure_tools()

    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    tmp.chmod(0o755)  # nginx workers (user nobody when started as root) read the saved page below
    logs = tmp / "logs"
    logs.mkdir()
    procs: list[Proc] = []
    pg_url, pg_schema = os.environ.get("BLOG_TEST_DATABASE_URL"), None
    baseline: tuple[Path, str] | None = None
    try:
        # Databases: SQLite (pages), a copy for the POST server; PostgreSQL in a fresh schema.
        log(f"building SQLite database in {tmp}")
        sqlite_db = tmp / "bench.sqlite3"
        sqlite_url = f"sqlite:///{sqlite_db}"
        build_database(sqlite_url, fixture)
        post_db = tmp / "bench-post.sqlite3"
        shutil.copyfile(sqlite_db, post_db)
        post_url = f"sqlite:///{post_db}"
        backends = [("SQLite", sqlite_url, post_url)]
        if pg_url:
            pg_schema = f"bench_{secrets.token_hex(4)}"
            log(f"building PostgreSQL schema {pg_schema}")
            pg_admin(pg_url, f"CREATE SCHEMA {pg_schema}")
            pg_bench = pg_schema_url(pg_url, pg_schema)
            build_database(pg_bench, fixture)
            backends.append(("PostgreSQL", pg_bench, pg_bench))

        redis, redis_reason = start_redis(logs)
        if redis:
            procs.append(redis)
        redis_url = f"redis://127.0.0.1:{redis.port}/0" if redis else None

        # The POST server keeps the default cache: on SQLite a directory. Each server has its own (in the temp
        # directory): the POST server writes to a copy of the database, and must not share entries with another.
        common = {"BLOG_RATELIMIT_ENABLED": "false", "BLOG_COMMENT_MIN_SECONDS": "0"}
        servers: dict[str, Proc] = {}
        targets: list[Target] = []
        for label, url, purl in backends:
            tag = "" if label == "SQLite" else f" [{label}]"
            cold = gunicorn(
                f"ours-cold-{label}",
                base_env(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, BLOG_CACHE_TYPE="NullCache", **common),
                logs,
            )
            procs.append(cold)
            servers[f"cold{tag}"] = cold
            warm = None
            if redis_url:
                warm = gunicorn(
                    f"ours-warm-{label}",
                    base_env(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, REDIS_URL=redis_url, **common),
                    logs,
                )
                procs.append(warm)
                servers[f"warm{tag}"] = warm
            post_env = base_env(
                SECRET_KEY=secrets.token_hex(32),
                DATABASE_URL=purl,
                BLOG_CACHE_DIR=str(tmp / f"cache-post-{label}"),
                **common,
            )
            poster = gunicorn(f"ours-post-{label}", post_env, logs)
            procs.append(poster)
            servers[f"post{tag}"] = poster
            for proc in (cold, warm, poster):
                if proc:
                    proc.wait_http("/healthz")
            targets += [
                Target(f"article 100 comments, cold{tag}", cold, ARTICLE, mem_key=f"cold{tag}"),
                # The same article and comments as JSON, same server (cache off), same rounds: goal within 20 %.
                Target(f"{API_TARGET}{tag}", cold, API_ARTICLE, mem_key=f"cold{tag}"),
            ]
            if warm:
                targets.append(Target(f"article 100 comments, warm{tag}", warm, ARTICLE, mem_key=f"warm{tag}"))
                targets.append(
                    Target(
                        f"article, warm, revisit (304){tag}",
                        warm,
                        ARTICLE,
                        mem_key=f"warm{tag}",
                        headers=revisit_headers(warm.port, ARTICLE),
                    )
                )
            else:
                targets.append(Target(f"article 100 comments, warm{tag}", cold, ARTICLE, note=f"n/a: {redis_reason}"))
            if label == "SQLite":  # a SQLite site without Redis: the cache in files (its default)
                env = base_env(
                    SECRET_KEY=secrets.token_hex(32),
                    DATABASE_URL=url,
                    BLOG_CACHE_DIR=str(tmp / "cache-files"),
                    **common,
                )
                targets.append(
                    article_server(
                        "ours-files", "warm, files", "warm, cache in files (no Redis)", env, logs, procs, servers
                    )
                )
            targets += [
                Target(f"article 1,000 comments, cold{tag}", cold, ARTICLE_FULL, mem_key=f"cold{tag}"),
                Target(f"home page, cold{tag}", cold, HOME, mem_key=f"cold{tag}"),
                Target(f"author page, cold{tag}", cold, AUTHOR, mem_key=f"cold{tag}"),
            ]
            if args.baseline and label == "SQLite":
                baseline = baseline_tree(args.baseline, tmp)
                targets += baseline_targets(
                    baseline, url, redis and f"redis://127.0.0.1:{redis.port}/2", common, logs, procs, servers
                )
            if args.baseline_python and label == "SQLite":
                targets += python_targets(args.baseline_python, url, common, logs, procs, servers)
            ts = form_ts(poster.port)
            lua = tmp / f"post-{label}.lua"
            lua.write_text(f"TS = {quote_plus(ts)!r}\nPATH = {POST_PATH!r}\n" + POST_LUA)
            targets.append(Target(f"comment POST{tag}", poster, POST_PATH, script=lua, mem_key=f"post{tag}"))

        # The saved page: nginx and the bare Flask floor serve exactly these bytes.
        status, page = get(servers["cold"].port, ARTICLE)
        assert status == 200, status
        www = tmp / "www"
        www.mkdir()
        (www / "article.html").write_bytes(page)
        for path in (www, www / "article.html"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        log(f"saved our article page: {len(page):,} bytes")

        floor_dir = tmp / "floor"
        floor_dir.mkdir()
        (floor_dir / "floor_app.py").write_text(
            textwrap.dedent(f"""\
            from pathlib import Path
            from flask import Flask, Response

            BODY = Path({str(www / "article.html")!r}).read_bytes()
            app = Flask(__name__)

            @app.get("/", defaults={{"path": ""}})
            @app.get("/<path:path>")
            def page(path):
                return Response(BODY, mimetype="text/html")
            """)
        )
        floor = gunicorn("floor", base_env(), logs, "--pythonpath", str(floor_dir), "floor_app:app")
        procs.append(floor)
        servers["floor"] = floor

        ngx_dir = tmp / "nginx"
        ngx_dir.mkdir()
        ngx_port = free_port()
        (ngx_dir / "nginx.conf").write_text(
            textwrap.dedent(f"""\
            daemon off;
            worker_processes 2;
            pid {ngx_dir}/nginx.pid;
            error_log {ngx_dir}/error.log warn;
            events {{ worker_connections 1024; }}
            http {{
                access_log off;
                default_type text/html;
                sendfile on;
                client_body_temp_path {ngx_dir}/client_body;
                proxy_temp_path {ngx_dir}/proxy;
                fastcgi_temp_path {ngx_dir}/fastcgi;
                uwsgi_temp_path {ngx_dir}/uwsgi;
                scgi_temp_path {ngx_dir}/scgi;
                server {{
                    listen 127.0.0.1:{ngx_port};
                    root {www};
                    location / {{ try_files /article.html =404; }}
                }}
            }}
            """)
        )
        nginx = Proc(
            "nginx",
            [nginx_bin, "-p", f"{ngx_dir}/", "-c", str(ngx_dir / "nginx.conf"), "-e", str(ngx_dir / "error.log")],
            base_env(),
            logs,
            port=ngx_port,
        ).start()
        procs.append(nginx)
        servers["nginx"] = nginx
        floor.wait_http(ARTICLE)
        nginx.wait_http(ARTICLE)
        for name, proc in (("floor", floor), ("nginx", nginx)):
            if get(proc.port, ARTICLE)[1] != page:
                raise RuntimeError(f"{name} does not serve the saved page byte for byte")
        targets += [
            Target("floor: bare Flask, same bytes", floor, ARTICLE, mem_key="floor"),
            Target("nginx: static copy", nginx, ARTICLE, mem_key="nginx"),
        ]

        # The shipped deploy/nginx.conf in front of the cold server: anonymous readers are served from its
        # microcache, which asks gunicorn again once per s-maxage.
        proxy_dir = tmp / "nginx-proxy"
        proxy_dir.mkdir()
        proxy_port = free_port()
        site = proxy_dir / "site.conf"
        site.write_text(
            render_site(
                server_name="127.0.0.1",
                upstream=f"127.0.0.1:{servers['cold'].port}",
                cache_path=proxy_dir / "cache",
                port=proxy_port,
                http_port=free_port(),
            )
        )
        (proxy_dir / "nginx.conf").write_text(main_conf(proxy_dir, site, workers=2, access_log=False))
        proxy = Proc(
            "nginx-proxy",
            [
                nginx_bin,
                "-p",
                f"{proxy_dir}/",
                "-c",
                str(proxy_dir / "nginx.conf"),
                "-e",
                str(proxy_dir / "error.log"),
                "-g",
                "daemon off;",
            ],
            base_env(),
            logs,
            port=proxy_port,
        ).start()
        procs.append(proxy)
        servers["proxy"] = proxy
        proxy.wait_http(ARTICLE)
        if cache_status(proxy.port, ARTICLE) != "HIT":
            raise RuntimeError("the proxy does not answer the article page from its cache")
        targets.append(Target(PROXY, proxy, ARTICLE, mem_key="proxy", refill=True))

        # SQL statements per request (in-process), per GET target.
        for label, url, _ in backends:
            tag = "" if label == "SQLite" else f" [{label}]"
            cold_q = queries_per_request(url, [ARTICLE, ARTICLE_FULL, HOME, AUTHOR], None)
            # warm: its own Redis database (1), so the in-process app never shares entries with the servers
            warm_q = queries_per_request(url, [ARTICLE], redis_url[:-1] + "1") if redis_url else {}
            for t in targets:
                if (tag and not t.name.endswith(tag)) or (not tag and "[" in t.name) or t.script or t.note:
                    continue
                if ", warm" in t.name and "files" not in t.name:  # (measured with Redis)
                    t.queries = warm_q.get(ARTICLE)
                elif ", cold" in t.name:
                    t.queries = cold_q.get(t.path)

        # Warm-up, then the interleaved rounds, each opened by the single-request latencies (servers unloaded).
        single_targets = {
            "article 100 comments, cold": (servers["cold"].port, ARTICLE),
            "article 1,000 comments, cold": (servers["cold"].port, ARTICLE_FULL),
            "floor": (floor.port, ARTICLE),
            "nginx": (nginx.port, ARTICLE),
            "proxy": (proxy.port, ARTICLE),
            **{
                f"article 100 comments, {name}": (proc.port, ARTICLE)
                for name, proc in servers.items()
                if name.startswith("cold [Python")
            },
        }
        single: dict[str, list[float]] = {name: [] for name in single_targets}
        for t in targets:
            if not t.note and t.script is None:
                for _ in range(10):
                    get(t.server.port, t.path)
        rows_before = {t.name: count_comments(t.server.env["DATABASE_URL"]) for t in targets if t.script}
        log(f"{len(targets)} targets x {args.rounds} rounds x {duration} s")
        # PSS is sampled after every run and the highest kept: gunicorn's max_requests recycles a busy
        # server's workers, and a new worker is small until it has served a few pages.
        memory: dict[str, float] = {}
        for round_no in range(1, args.rounds + 1):
            time.sleep(1)  # the previous round's last requests finish
            for name, (port, path) in single_targets.items():
                single[name].append(single_request_ms(port, path))
            log(f"round {round_no}: single request " + ", ".join(f"{n} {ms[-1]:.1f} ms" for n, ms in single.items()))
            for t in targets:
                if t.note:
                    continue
                if t.refill:
                    get(t.server.port, t.path)
                result = run_wrk(
                    wrk, t.server.port, t.path, duration, args.threads, args.connections, t.script, t.headers
                )
                t.runs.append(result)
                memory[t.mem_key] = max(memory.get(t.mem_key, 0), t.server.pss_mib())
                log(
                    f"round {round_no}: {t.name}: {result.rps:,.0f} req/s, p50 {result.p50:.1f} ms, "
                    f"p99 {result.p99:.1f} ms, errors {result.errors}"
                )
        time.sleep(1)  # requests in flight when wrk stopped finish
        for key, proc in servers.items():
            memory[key] = max(memory.get(key, 0), proc.pss_mib())
        lost_report = []
        for t in targets:
            if t.script:
                added = count_comments(t.server.env["DATABASE_URL"]) - rows_before[t.name]
                posted = sum(r.posted_303 or 0 for r in t.runs)
                verdict = "OK" if added >= posted else f"LOST {posted - added}"
                extra = added - posted
                lost_report.append(
                    f"{t.name}: {posted:,} answered 303, {added:,} new rows -> {verdict}"
                    + (
                        f" ({extra} more rows than 303s seen: requests in flight when wrk stopped each round,"
                        f" at most {args.connections} per round)"
                        if extra > 0
                        else ""
                    )
                )
                if added < posted:
                    t.note = f"LOST {posted - added} comments"
    finally:
        for proc in reversed(procs):
            proc.stop()
        if baseline:
            drop_tree(baseline[0])
        if pg_schema:
            try:
                pg_admin(pg_url, f"DROP SCHEMA {pg_schema} CASCADE")
            except Exception as error:  # noqa: BLE001 - report, keep cleaning
                log(f"could not drop schema {pg_schema}: {error}")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    # The table.
    def median_rps(t: Target) -> float:
        return statistics.median(r.rps for r in t.runs)

    by_name = {t.name: t for t in targets}
    floor_rps = median_rps(by_name["floor: bare Flask, same bytes"])
    nginx_rps = median_rps(by_name["nginx: static copy"])
    static, proxied = by_name["nginx: static copy"], by_name[PROXY]
    p99 = {t.name: statistics.median(r.p99 for r in t.runs) for t in (static, proxied) if t.runs}
    header = [
        "target",
        "req/s (median)",
        "p50 ms",
        "p99 ms",
        "errors",
        "SQL/req",
        "PSS MiB",
        "ours/floor",
        "ours/nginx",
    ]
    rows = []
    for t in targets:
        if not t.runs:
            rows.append([t.name] + ["n/a"] * 8)
            rows[-1][1] = t.note
            continue
        rps = median_rps(t)
        ours = not t.name.startswith(("floor", "nginx"))
        rows.append(
            [
                t.name,
                f"{rps:,.0f}",
                f"{statistics.median(r.p50 for r in t.runs):.1f}",
                f"{statistics.median(r.p99 for r in t.runs):.1f}",
                f"{sum(r.errors for r in t.runs)}",
                "-" if t.queries is None else f"{t.queries:g}",
                f"{memory.get(t.mem_key, 0):.0f}",
                f"{rps / floor_rps:.1%}" if ours else "-",
                f"{rps / nginx_rps:.2%}" if ours else "-",
            ]
        )
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    print()
    print(
        f"Page benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: wrk -t{args.threads} -c{args.connections}, "
        f"{args.rounds} interleaved rounds of {duration} s; gunicorn 2 sync workers (blog.gunicorn_conf); "
        f"{os.cpu_count()} CPUs; saved page {len(page):,} bytes"
    )
    print(f"Interpreter: {interpreter()}")
    print()
    print("\n".join(lines))
    print()
    print(
        "Errors: non-2xx/3xx responses + socket errors, summed over the rounds. PSS: gunicorn master + workers "
        "(nginx: master + workers), the highest of the samples taken after each run and at the end (workers are "
        "recycled after max_requests; a fresh one is smaller until it has served pages); the cold server serves the cold, 1,000-comment, home and author "
        "targets."
    )
    print(
        f"Single request, unloaded (median of 50 sequential GETs at the start of each round; the median of the "
        f"{args.rounds} rounds, then each round's): "
        + "; ".join(
            f"{name} {statistics.median(ms):.1f} ms ({', '.join(f'{m:.1f}' for m in ms)})"
            for name, ms in single.items()
        )
    )
    if len(p99) == 2:
        print(
            f"Proxy vs static: req/s {median_rps(proxied) / nginx_rps:.0%} of the static copy's (goal >= 80 %), "
            f"p99 {p99[PROXY] / p99[static.name]:.1f}x the static copy's (goal <= 2x); PSS: nginx only (its "
            f"upstream is the cold server); one GET fills its cache before each round"
        )
    for line in lost_report:
        print("Comment POST check: " + line)
    for name, api_target in by_name.items():
        if name.startswith(API_TARGET) and api_target.runs:
            html_name = "article 100 comments, cold" + name.removeprefix(API_TARGET)
            api_rps, html_rps = median_rps(api_target), median_rps(by_name[html_name])
            print(
                f"API vs HTML page{name.removeprefix(API_TARGET)}: {api_rps:,.0f} vs {html_rps:,.0f} req/s, "
                f"{api_rps / html_rps:.0%} of the page's (goal: within 20 %, i.e. >= 80 %)"
            )
    if not redis_url:
        print(f"Warm: n/a ({redis_reason})")
    return 1 if any(t.note.startswith("LOST") for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
