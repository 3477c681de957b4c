"""What a gunicorn worker copies from the master: its private pages after serving pages, by the objects on them.

Not collected by ``make test``. Linux only, run as root (``/proc/self/pagemap`` hides page frames from others but
still marks a page "exclusively mapped", which is what this reads). It builds a SQLite database from the benchmark
fixture, loads the app as the production server does (``blog.wsgi``: create_app and the warm-up, then
``gc.freeze()`` as ``blog.gunicorn_conf`` does before each fork), forks, and in the child serves pages with the test
client. Then it counts the child's exclusively mapped pages (copied from the master, or new) and, walking every
object reachable from the collector's lists, which object types lie on them:

    .venv/bin/python tests/perf/bench_cow.py                  # 100 article pages
    .venv/bin/python tests/perf/bench_cow.py --requests 1     # what one request costs a fresh worker
    .venv/bin/python tests/perf/bench_cow.py --mixed          # articles, home, author pages and the feed
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import secrets
import struct
import sys
import tempfile
import types
from pathlib import Path

import bench_pages as bench

PAGE = 4096


def exclusive_pages() -> set[int]:
    """Page numbers of this process's memory that no other process maps (pagemap bits 63: present, 56: exclusive)."""
    found = set()
    with open("/proc/self/maps") as maps, open("/proc/self/pagemap", "rb") as pagemap:
        for line in maps:
            fields = line.split()
            if len(fields) > 5 and fields[5] == "[vsyscall]":
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            pagemap.seek(start // PAGE * 8)
            data = pagemap.read((end - start) // PAGE * 8)
            for i in range(len(data) // 8):
                (entry,) = struct.unpack_from("<Q", data, i * 8)
                if entry >> 63 & 1 and entry >> 56 & 1:
                    found.add(start // PAGE + i)
    return found


def types_on(pages: set[int]) -> tuple[collections.Counter[str], int]:
    """MiB of ``pages`` by the type that has most objects on each page, and how many pages hold no object found."""
    on_page: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    seen: set[int] = set()
    todo = [*gc.get_objects(), *sys.modules.values()]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        try:
            size = sys.getsizeof(obj)
        except TypeError:
            size = 16
        name = "code" if isinstance(obj, types.CodeType) else type(obj).__name__
        for page in range(id(obj) // PAGE, (id(obj) + max(size, 16) - 1) // PAGE + 1):
            if page in pages:
                on_page[page][name] += 1
        todo.extend(gc.get_referents(obj))
        if isinstance(obj, types.FunctionType):
            todo.append(obj.__code__)
        elif isinstance(obj, types.CodeType):
            todo.extend(obj.co_consts)
    by_type: collections.Counter[str] = collections.Counter()
    for page in pages & on_page.keys():
        by_type[on_page[page].most_common(1)[0][0]] += 1
    return by_type, len(pages - on_page.keys())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="article pages the forked worker serves")
    parser.add_argument("--mixed", action="store_true", help="also 20 home, 20 author pages and 10 feeds")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cow-"))
    url = f"sqlite:///{tmp}/bench.sqlite3"
    bench.build_database(url, bench.DEFAULT_FIXTURE)
    os.environ.update(bench.base_env(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url, BLOG_CACHE_TYPE="NullCache"))
    os.environ["BLOG_REQUEST_LOG"] = ""
    sys.path.insert(0, str(bench.ROOT))
    import blog.wsgi

    gc.freeze()
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    paths = [bench.ARTICLE] * args.requests
    if args.mixed:
        paths += [bench.HOME] * 20 + [bench.AUTHOR] * 20 + ["/feed.atom"] * 10
    client = blog.wsgi.app.test_client(use_cookies=False)
    for path in paths:
        status = client.get(path, base_url=blog.wsgi.app.config["SITE_URL"]).status_code
        assert status == 200, (path, status)
    gc.collect()
    pages = exclusive_pages()
    by_type, unknown = types_on(pages)
    print(f"the worker's own pages after {len(paths)} requests: {len(pages) * PAGE / 2**20:.1f} MiB")
    print(f"  {unknown * PAGE / 2**20:6.2f}  pages with no object found (allocator, C data, freed blocks)")
    for name, count in by_type.most_common(12):
        print(f"  {count * PAGE / 2**20:6.2f}  {name}")
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
