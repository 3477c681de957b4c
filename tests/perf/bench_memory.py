"""Where the servers' memory goes: PSS of gunicorn's master and workers, phase by phase (issue 18's budget).

Not collected by ``make test``. ``make bench`` prints one PSS figure per server after its load; this script shows
how it grows, with each process's own pages:

    .venv/bin/python tests/perf/bench_memory.py                      # this checkout, 3 runs
    .venv/bin/python tests/perf/bench_memory.py --root /tmp/variant  # another checkout (a git worktree), same database

It builds a SQLite database from the benchmark fixture (as bench_pages.py does), starts the production server
(``blog.gunicorn_conf``, 2 sync workers, cache off: every request renders) and sends pages in phases, printing after
each the PSS of the master and workers together, then per process: RSS, PSS and Private_Dirty (pages a worker copied
from the master by writing to them). The same code differs by up to 10 MiB from one run to the next (which worker
took which request), so it runs several times: compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
from pathlib import Path

import bench_pages as bench

PHASES = (
    ("article", bench.ARTICLE, 300),
    ("home", bench.HOME, 100),
    ("author", bench.AUTHOR, 100),
    ("1,000 comments", bench.ARTICLE_FULL, 50),
    ("feed", "/feed.atom", 50),
    ("API article", bench.API_ARTICLE, 100),
)


def per_process(proc: bench.Proc) -> str:
    shown = []
    for pid in proc.pids():
        fields: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss", "Private_Dirty"):
                    fields[key] = int(value.split()[0]) // 1024
        except OSError:
            continue
        shown.append(f"{fields.get('Rss')}/{fields.get('Pss')}/{fields.get('Private_Dirty')}")
    return "  ".join(shown)


def one_run(root: Path, url: str, logs: Path, number: int) -> list[float]:
    env = bench.base_env(
        SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, BLOG_CACHE_TYPE="NullCache", BLOG_RATELIMIT_ENABLED="false"
    )
    proc = bench.gunicorn(f"memory-{number}", env, logs, root=root)
    figures = []
    try:
        proc.wait_http("/healthz")
        print(f"run {number}: PSS MiB (master and workers: RSS/PSS/Private_Dirty MiB each)")
        print(f"  {'started':16} {proc.pss_mib():6.1f}   {per_process(proc)}")
        for name, path, count in PHASES:
            for _ in range(count):
                bench.get(proc.port, path)
            figures.append(proc.pss_mib())
            print(f"  {name:16} {figures[-1]:6.1f}   {per_process(proc)}")
    finally:
        proc.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=bench.ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    logs = tmp / "logs"
    logs.mkdir()
    url = f"sqlite:///{tmp}/bench.sqlite3"
    bench.build_database(url, bench.DEFAULT_FIXTURE)
    runs = [one_run(args.root.resolve(), url, logs, n) for n in range(1, args.runs + 1)]
    last = [figures[-1] for figures in runs]
    print(f"after every phase, median of {len(runs)} runs: {statistics.median(last):.1f} MiB (runs: {last})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
