"""The WordPress import's throughput and memory: `make bench-import` (docs/performance.md).

Writes a WXR file with ``--comments`` comments (tests/perf/make_wxr.py; kept in the temp folder and reused),
then imports it into an empty, migrated database — SQLite (a file), and PostgreSQL when
``BLOG_BENCH_DATABASE_URL`` names an empty database it may wipe — each in a fresh process, and prints per
database: comments per second of the import (the well-formedness pass, parsing and writing; wall clock and
CPU time, since a shared machine's load shows in the first), the search and Keep Reading rebuild after it
(separately: it depends on the article count, not the comments), and the process's peak RSS beside the
RSS the app had before it opened the file and the peak before the rebuild.

    python tests/perf/bench_import.py [--comments 100000] [--posts 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def child(url: str, path: str) -> None:
    import flask_migrate

    from blog import create_app
    from blog.extensions import db
    from blog.services import wxr_import

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "JOBS_BACKEND": "immediate"})
    with app.app_context():
        if not url.startswith("sqlite"):
            flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the app, before the file is opened
        wall, cpu = time.perf_counter(), time.process_time()
        summary = wxr_import.import_wxr(path, on_batch=db.session.commit, rebuild=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        parsed = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the peak of the import itself
        rebuild = time.perf_counter()
        wxr_import.rebuild_indexes()
        db.session.commit()
        rebuild = time.perf_counter() - rebuild
    comments = sum(summary.comments.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "comments": comments,
                "wall": wall,
                "cpu": cpu,
                "rebuild": rebuild,
                "rss_mib": peak,
                "import_mib": parsed,
                "base_mib": base,
            }
        )
    )


def run(name: str, url: str, path: str) -> None:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, path], check=True, capture_output=True, text=True, cwd=ROOT
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{name:<11} {r['comments']:>8,} comments  {r['comments'] / r['wall']:>7,.0f}/s wall  "
        f"{r['comments'] / r['cpu']:>7,.0f}/s CPU  rebuild {r['rebuild']:5.1f} s  peak RSS {r['rss_mib']:4.0f} MiB "
        f"(the app alone: {r['base_mib']:.0f}; after the import, before the rebuild: {r['import_mib']:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    # One file per checkout (several may run this at once on one machine), kept for the next run.
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    path = Path(tempfile.gettempdir()) / f"bench-wxr-{checkout}-{args.comments}-{args.posts}.xml"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests/perf/make_wxr.py"),
                str(path),
                "--comments",
                str(args.comments),
                "--posts",
                str(args.posts),
            ],
            check=True,
        )
    print(
        f"{path.name}: {path.stat().st_size / 2**20:.0f} MiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/bench.sqlite3", str(path))
    if url := os.environ.get("BLOG_BENCH_DATABASE_URL"):
        run("PostgreSQL", url, str(path))
    else:
        print("PostgreSQL  skipped: set BLOG_BENCH_DATABASE_URL to an empty database it may wipe")


if __name__ == "__main__":
    main()
