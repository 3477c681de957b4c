"""The production server as deployed: gunicorn with ``blog.gunicorn_conf`` serving ``blog.wsgi:app``."""

import json
import subprocess
import time
from pathlib import Path

import pytest
from flask import Flask

from tests.system.cluster import Browser, Node, migrated_database, node_env, running, seed_article


def test_refuses_to_start_with_the_development_secret_key(tmp_path):
    if (Path(Flask("blog").instance_path) / "config.py").exists():
        pytest.skip("this checkout's instance/config.py may set a SECRET_KEY")
    env = node_env(f"sqlite:///{tmp_path}/blog.sqlite3")
    del env["SECRET_KEY"]
    node = Node(env, tmp_path / "logs").start(wait=False)
    try:
        assert node.process.wait(timeout=60) != 0
    except subprocess.TimeoutExpired:
        node.stop()
        raise
    errors = node.stderr_path.read_text()
    assert "Refusing to start: SECRET_KEY is the development default" in errors
    assert "python3 -c 'import secrets; print(secrets.token_hex(32))'" in errors  # and how to fix it


def test_serves_with_security_headers_secure_cookies_and_json_request_logs(tmp_path):
    url = f"sqlite:///{tmp_path}/blog.sqlite3"
    with migrated_database(url, tmp_path) as app:
        seed_article(app, "quay")
        with running(Node(node_env(url), tmp_path / "logs", workers=1, threads=2)) as (node,):
            reader = Browser(node.port)
            page = reader.get("/articles/quay", headers={"X-Request-ID": "edge-0123456789"})
            posted = reader.post_comment(
                "quay", name="Quiet Reader", email="quiet.reader@example.net", body="Lovely.", remember="y"
            )
            forwarded = Browser(node.port).get(
                "/healthz", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
            )

    assert page.status == 200 and posted.status == 303
    assert page.headers["X-Request-ID"] == "edge-0123456789"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert len(page.headers.get_all("Date")) == 1  # the app sets one too (make_conditional): never two
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    cookies = posted.headers.get_all("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"blog_session", "blog_commenter"}
    assert all("Secure" in c and "HttpOnly" in c for c in cookies)  # production: cookies only over HTTPS
    assert "Strict-Transport-Security" not in forwarded.headers  # no proxy configured: X-Forwarded-* ignored

    lines = node.stdout_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # stdout is the request log and nothing else
    requests = [(e["method"], e["path"], e["status"]) for e in entries]
    assert ("GET", "/articles/quay", 200) in requests and ("POST", "/articles/quay/comments", 303) in requests
    assert {"edge-0123456789", posted.headers["X-Request-ID"]} <= {e["request_id"] for e in entries}
    assert all(isinstance(e["duration_ms"], float) for e in entries)
    everything = node.stdout_path.read_text() + node.stderr_path.read_text()
    assert "quiet.reader" not in everything and "203.0.113.9" not in everything and "127.0.0.1 -" not in everything
    assert "warm-up:" not in everything  # the pages rendered once before the fork (blog/wsgi.py) answered 200


def test_a_job_queue_it_cannot_open_does_not_stop_the_server_from_starting(tmp_path):
    """The master builds the queue once before the fork, as best effort: if it cannot (here: a queue file in a folder
    that does not exist), it says so, pages are served, and the health check names what is wrong."""
    url = f"sqlite:///{tmp_path}/blog.sqlite3"
    env = {**node_env(url), "BLOG_JOBS_SQLITE_PATH": str(tmp_path / "no-such-folder" / "jobs.sqlite3")}
    with migrated_database(url, tmp_path) as app:
        seed_article(app, "quay")
    node = Node(env, tmp_path / "logs", workers=1, threads=2).start(wait=False)
    try:
        deadline, status = time.monotonic() + 60, None
        while status != 200 and time.monotonic() < deadline and node.process.poll() is None:
            try:
                status = Browser(node.port).get("/articles/quay").status
            except OSError:
                time.sleep(0.2)
        assert status == 200, node.stderr_path.read_text()[-2000:]
        health = Browser(node.port).get("/healthz")
        assert health.status == 503 and json.loads(health.text)["queue"] == "unreachable"
    finally:
        node.stop()
    assert "warm-up: the job queue could not be built here" in node.stderr_path.read_text()
