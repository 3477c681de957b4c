"""Sanitising runs in several threads at once (gunicorn's gthread workers, the threaded dev server)."""

import sys
from concurrent.futures import ThreadPoolExecutor

from blog.core.sanitize import render_article, render_comment


def test_threads_sanitising_at_once_get_what_one_thread_gets():
    sources = [f"Point *{n}*: see https://example.com/{n}\n\n> <b>quoted</b> {n}\n\n- one\n- two" for n in range(60)]
    expected = [(render_comment(s), render_article(s)) for s in sources]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads very often, mid-parse (a shared cleaner fails at once)
    try:
        with ThreadPoolExecutor(8) as pool:
            for _ in range(2):
                assert list(pool.map(lambda s: (render_comment(s), render_article(s)), sources)) == expected
    finally:
        sys.setswitchinterval(old)
