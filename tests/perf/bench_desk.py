"""What the moderation desk costs an editor per comment: clicks or keys, full page loads, requests, bytes,
and whether the page jumps back to the top — with the desk's script (in place) and without it (each action
a form post and a new page, as the desk worked before issue 22).

Not collected by ``make test``. Run it directly (Chromium at /usr/bin/chromium):

    .venv/bin/python tests/perf/bench_desk.py            # 10 comments a way
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from blog import create_app
from blog.extensions import db
from blog.models import CommentStatus
from blog.services import authoring, comments, users
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.conftest import NOW, PASSWORD, app_config


def seed(app, n: int) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        editor = users.create_user(email="ed@example.org", name="Ed", role="editor", password=PASSWORD)
        editor.keyboard_shortcuts = True
        author = users.create_user(email="au@example.org", name="Au", role="author", password=None)
        article = authoring.create_article(author=author, title="Busy", slug="busy", body="Text.", published_at=NOW)
        for i in range(3 * n + 10):
            comments.record_comment(
                article,
                name=f"Reader {i}",
                email=f"r{i}@example.net",
                body=f"Comment {i}: " + "a fair point about the harbour. " * 3,
                status=CommentStatus.PENDING,
                created_at=NOW,
            )
        db.session.commit()


def measure(browser, url: str, mode: str, n: int) -> dict:
    context = browser.new_context(
        base_url=url, java_script_enabled=mode != "no-js", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", "ed@example.org")
    page.fill("#password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.goto("/moderation/")
    loads, requests, bytes_in, clicks, keys, jumps = 0, 0, 0, 0, 0, 0

    def on_nav(frame):
        nonlocal loads
        if frame == page.main_frame:
            loads += 1

    def on_response(response):
        nonlocal requests, bytes_in
        requests += 1
        if not 300 <= response.status < 400:  # a redirect has no body to read
            bytes_in += len(response.body())

    page.on("framenavigated", on_nav)
    page.on("response", on_response)
    for i in range(n):
        page.evaluate("window.scrollTo(0, 300)")
        if mode == "keyboard":
            page.keyboard.press("j")
            page.keyboard.press("a")
            keys += 2
            page.locator(".row-done").nth(i).wait_for()
        else:
            row = page.locator(".desk-table tbody tr:not(.row-done)").first
            row.get_by_role("button", name="Approve", exact=True).click()
            clicks += 1
            if mode == "js":
                page.locator(".row-done").nth(i).wait_for()
            else:
                page.wait_for_load_state("load")
        if page.evaluate("window.scrollY") == 0:  # back at the top
            jumps += 1
    context.close()
    return {"clicks": clicks / n, "keys": keys / n, "page loads": loads / n, "requests": requests / n,
            "kB": bytes_in / n / 1024, "back to top": jumps / n}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10)
    n = parser.parse_args().comments
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/desk.sqlite3", WTF_CSRF_ENABLED=True),
            instance_path=tmp,
        )
        seed(app, n)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            print(f"per comment approved ({n} each way):")
            for mode in ("no-js", "js", "keyboard"):
                figures = measure(browser, f"http://127.0.0.1:{server.server_port}", mode, n)
                print(f"  {mode:9}", "  ".join(f"{k} {v:.2f}" for k, v in figures.items()))
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
