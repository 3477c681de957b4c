"""Security headers on every response, and pages that work under the CSP."""

from collections import deque
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from blog.config import Defaults

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
        ("GET", "/", 200),
        ("GET", "/articles/tides", 200),
        ("GET", "/static/site.css", 200),
        ("GET", "/healthz", 200),
        ("GET", "/no/such/page", 404),
        ("POST", "/articles/tides", 405),
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
    problems += [
        f"{attr} on <{el.tag}>"
        for el in doc.iter()
        if isinstance(el.tag, str)
        for attr in el.attrib
        if attr.startswith("on")
    ]
    for script in doc.iter("script"):
        src = script.get("src")
        if src is None and script.get("type") != "application/ld+json":  # a data block: CSP does not run it
            problems.append(f"inline <script>: {script.text!r:.40}")
        elif src is not None and not src.startswith("/static/"):
            problems.append(f"<script src={src!r}>")
    for link in doc.xpath("//link[@rel='stylesheet']"):
        if not link.get("href", "").startswith("/static/"):
            problems.append(f"stylesheet {link.get('href')}")
    problems += [
        f"javascript: URL on <{el.tag}>"
        for el in doc.xpath("//*[@href or @src or @action]")
        if any((el.get(a) or "").strip().lower().startswith("javascript:") for a in ("href", "src", "action"))
    ]
    return problems


def crawl(client, start: list[str], limit: int = 150) -> dict[str, list[str]]:
    """GET every same-site HTML page reachable from ``start``; the CSP problems of each."""
    seen, queue, found = set(start), deque(start), {}
    while queue and len(seen) <= limit:
        url = queue.popleft()
        response = client.get(url)
        data = response.get_data()  # every answer read through: a streamed download (the log's CSV) ends cleanly
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = data.decode()
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
