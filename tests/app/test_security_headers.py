"""Security headers on every response, pages that work under the CSP, and one log line per request."""

import json
import logging
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from blog import requestlog
from blog.config import Defaults
from tests.helpers import form_fields

EXPECTED = {
    "Content-Security-Policy": Defaults.CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def test_the_policy_forbids_inline_code_and_framing():
    policy = dict(part.strip().split(" ", 1) for part in Defaults.CONTENT_SECURITY_POLICY.split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    for directive in ("script-src", "style-src"):
        assert "unsafe-inline" not in policy[directive] and "unsafe-eval" not in policy[directive]


@pytest.fixture
def site(make_article, make_comment) -> str:
    article = make_article("Headers and tides", slug="tides", tags=("harbour",))
    make_comment(article, body="A comment.")
    return "tides"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200), ("GET", "/articles/tides", 200), ("GET", "/static/site.css", 200),
        ("GET", "/healthz", 200), ("GET", "/no/such/page", 404), ("POST", "/articles/tides", 405),
        ("POST", "/articles/tides/comments", 422),
    ],
)
def test_every_response_carries_the_headers(client, site, method, path, status):
    response = client.open(path, method=method)
    response.close()  # a static file is streamed from disk
    assert response.status_code == status
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # only over HTTPS


def test_a_redirect_carries_them_too(client, site, post_comment):
    response = post_comment("tides", body="Fine.")
    assert response.status_code == 303
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]


def test_https_responses_carry_hsts(client, site):
    response = client.get("/articles/tides", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]


@pytest.mark.app_config(PROXY_FIX_X_PROTO=1)
def test_hsts_behind_a_trusted_proxy_that_says_https(client, site):
    assert "Strict-Transport-Security" in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_view_that_sets_its_own_header_keeps_it(app, client):
    def own():
        return "framed", {"X-Frame-Options": "SAMEORIGIN", "content-security-policy": "frame-ancestors 'self'"}

    app.add_url_rule("/own-frame-policy", endpoint="public.own_frame_policy", view_func=own)  # public: anyone

    response = client.get("/own-frame-policy")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == ["frame-ancestors 'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the others still come


def csp_violations(html: str) -> list[str]:
    """What this policy would block or what would need 'unsafe-inline': inline code, styles, foreign files."""
    doc = lxml_html.fromstring(html)
    problems = [f"<style>: {el.text!r:.40}" for el in doc.iter("style")]
    problems += [f"style= on <{el.tag}>" for el in doc.xpath("//*[@style]")]
    problems += [f"{attr} on <{el.tag}>" for el in doc.iter() if isinstance(el.tag, str)
                 for attr in el.attrib if attr.startswith("on")]
    for script in doc.iter("script"):
        src = script.get("src")
        if src is None and script.get("type") != "application/ld+json":  # a data block: CSP does not run it
            problems.append(f"inline <script>: {script.text!r:.40}")
        elif src is not None and not src.startswith("/static/"):
            problems.append(f"<script src={src!r}>")
    for link in doc.xpath("//link[@rel='stylesheet']"):
        if not link.get("href", "").startswith("/static/"):
            problems.append(f"stylesheet {link.get('href')}")
    problems += [f"javascript: URL on <{el.tag}>" for el in doc.xpath("//*[@href or @src or @action]")
                 if any((el.get(a) or "").strip().lower().startswith("javascript:") for a in ("href", "src", "action"))]
    return problems


def crawl(client, start: list[str], limit: int = 150) -> dict[str, list[str]]:
    """GET every same-site HTML page reachable from ``start``; the CSP problems of each."""
    seen, queue, found = set(start), deque(start), {}
    while queue and len(seen) <= limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        found[url] = csp_violations(body)
        for href in lxml_html.fromstring(body).xpath("//a/@href"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or "logout" in parts.path:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return found


def test_public_pages_need_no_inline_script_or_style(client, site, post_comment):
    post_comment("tides", body="Waiting for a moderator.")  # this reader's page shows a pending comment too
    pages = crawl(client, ["/", "/articles/tides", "/articles/tides?replytocom=1", "/search?q=tides", "/login"])
    assert "/articles/tides" in pages and any(p.startswith("/tags/") for p in pages)
    assert {url: problems for url, problems in pages.items() if problems} == {}


def test_staff_pages_need_no_inline_script_or_style(client, site, sign_in):
    sign_in("admin")
    pages = crawl(client, ["/", "/moderation/", "/editorial/", "/account/profile"])
    assert len(pages) > 3
    assert {url: problems for url, problems in pages.items() if problems} == {}


# --- Request ids and the request log --------------------------------------------------------------


def test_each_response_names_its_request(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c01"}).headers["X-Request-ID"] == "nginx-4f2a9c01"
    for forged in ("<script>", "a b c d e f g h", "x" * 65):
        assert len(client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]) == 32


def request_lines(app) -> list[str]:
    path = Path(app.instance_path, "requests.log")
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_one_json_line_per_request_without_personal_data(app, client, site):
    page = client.get("/articles/tides?utm=mail%40example.net")
    data = form_fields(page.get_data(as_text=True))
    data.update(name="Logged Reader", email="private.reader@example.net", body="Hello.")
    response = client.post("/articles/tides/comments?ref=private.reader%40example.net", data=data)
    lines = request_lines(app)
    assert len(lines) == 2
    entry = json.loads(lines[1])
    assert entry["method"] == "POST" and entry["path"] == "/articles/tides/comments" and entry["status"] == 303
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
    assert abs(datetime.fromisoformat(entry["time"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert "private.reader" not in lines[1] and "Logged Reader" not in lines[1] and "127.0.0.1" not in lines[1]
    assert "utm" not in lines[0] and json.loads(lines[0])["path"] == "/articles/tides"


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_request_lines_escape_what_the_path_holds(app, client):
    client.get('/no/such/"page"\\/caf%C3%A9/%FF')
    (entry,) = [json.loads(line) for line in request_lines(app)]
    assert entry["path"] == '/no/such/"page"\\/café/\ufffd' and entry["status"] == 404


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_no_lines_while_silenced(app, client):
    with requestlog.silenced(app):
        client.get("/healthz")
    client.get("/healthz")
    assert len(request_lines(app)) == 1


@pytest.mark.app_config(REQUEST_LOG="no/such/folder/requests.log")
def test_a_log_that_cannot_be_written_loses_lines_not_responses(client, caplog):
    with caplog.at_level(logging.WARNING, logger="blog.requestlog"):
        assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]
    assert len([r for r in caplog.records if "request log" in r.getMessage()]) == 1  # once, not per request


def test_without_a_request_log_setting_nothing_is_written(app, client):
    client.get("/healthz")
    assert app.config["REQUEST_LOG"] is None and not list(Path(app.instance_path).glob("*.log"))
