"""The shipped deploy/nginx.conf in front of gunicorn: what readers, commenters and editors get through it."""

from __future__ import annotations

import socket
import time

import pytest

from blog.extensions import db
from blog.services import users
from tests.conftest import IN_CI
from tests.helpers import form_fields
from tests.system.cluster import (
    Browser,
    Node,
    comment_id,
    free_port,
    migrated_database,
    node_env,
    running,
    seed_article,
)
from tests.system.proxy import Nginx, find_nginx

SLUG = "ferry-timetable"
ARTICLE = f"/articles/{SLUG}"
FRESH, STALE = 2, 2  # s-maxage and stale-while-revalidate, small to keep the test quick
EDITOR = ("Edda Desk", "edda.desk@example.org", "editor-password-1")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    binary = find_nginx()
    if binary is None:
        if IN_CI:
            pytest.fail("CI must test deploy/nginx.conf: nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx not installed: apt-get install nginx to run this")
    tmp = tmp_path_factory.mktemp("proxy")
    url = f"sqlite:///{tmp}/blog.sqlite3"
    port = free_port()
    with migrated_database(url, tmp) as app:
        seed_article(app, SLUG)
        with app.app_context():
            users.create_user(name=EDITOR[0], email=EDITOR[1], password=EDITOR[2], role="editor")
            db.session.commit()
        env = node_env(
            url,
            BLOG_SITE_URL=f"http://127.0.0.1:{port}",
            BLOG_SHARED_CACHE_SECONDS=str(FRESH),
            BLOG_SHARED_CACHE_STALE_SECONDS=str(STALE),
            BLOG_PROXY_FIX_X_FOR="1",
            BLOG_PROXY_FIX_X_PROTO="1",
        )
        with running(Node(env, tmp / "logs")) as (node,):
            nginx = Nginx(binary, tmp / "nginx", f"127.0.0.1:{node.port}", port=port)
            try:
                yield nginx.start()
            finally:
                nginx.stop()


def same_origin(proxy: Nginx) -> dict[str, str]:
    """What a browser sends with a form posted from the site's own page."""
    return {"Origin": f"http://127.0.0.1:{proxy.port}", "Sec-Fetch-Site": "same-origin"}


def test_a_second_anonymous_read_is_a_hit_with_the_same_bytes(proxy):
    reader = Browser(proxy.port)
    first, second = reader.get(ARTICLE), reader.get(ARTICLE)  # well within s-maxage

    assert first.status == second.status == 200
    assert first.headers["X-Cache-Status"] in ("MISS", "EXPIRED", "HIT")  # another test may have read it first
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text and second.headers["ETag"] == first.headers["ETag"]
    assert reader.cookies == {} and "Set-Cookie" not in second.headers
    assert f"s-maxage={FRESH}" in second.headers["Cache-Control"]
    revisit = reader.get(ARTICLE, headers={"If-None-Match": first.headers["ETag"]})
    assert revisit.status == 304 and revisit.text == ""

    css = reader.get("/static/site.css")  # served by nginx from the checkout
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "X-Cache-Status" not in css.headers


def test_our_cookie_or_credentials_bypass_the_cache_and_are_never_stored(proxy):
    path = "/?page=1"  # a page no other test reads
    personal = Browser(proxy.port, cookies={"theme": "dark", "blog_session": "not-a-session"}).get(path)
    credentials = Browser(proxy.port).get(path, headers={"Authorization": "Bearer not-a-token"})
    anonymous = Browser(proxy.port).get(path)

    assert personal.status == credentials.status == anonymous.status == 200
    assert personal.headers["X-Cache-Status"] == credentials.headers["X-Cache-Status"] == "BYPASS"
    assert personal.headers["Cache-Control"] == "private, no-store"  # the app agrees: one of ours
    assert anonymous.headers["X-Cache-Status"] == "MISS"  # neither answer was stored
    other = Browser(proxy.port, cookies={"theme": "dark"}).get(path)  # someone else's cookie: still anonymous
    assert other.headers["X-Cache-Status"] != "BYPASS" and "public" in other.headers["Cache-Control"]


def test_the_commenter_sees_their_pending_comment_at_once_and_others_do_not(proxy):
    anonymous = Browser(proxy.port)
    anonymous.get(ARTICLE)  # cached now
    commenter = Browser(proxy.port)
    form = {
        **form_fields(commenter.get(ARTICLE).text),
        "name": "Pia Pending",
        "email": "pia@example.net",
        "body": "First time here, is the 8:15 ferry back?",
    }
    posted = commenter.request("POST", f"{ARTICLE}/comments", form=form, headers=same_origin(proxy))

    assert posted.status == 303 and "X-Cache-Status" not in posted.headers  # a POST: the cache is not asked
    assert any(name.startswith("blog_") for name in commenter.cookies)
    own = commenter.get(ARTICLE)
    assert own.headers["X-Cache-Status"] == "BYPASS" and own.headers["Cache-Control"] == "private, no-store"
    assert "is the 8:15 ferry back?" in own.text and "Your comment is awaiting moderation." in own.text
    shared = anonymous.get(ARTICLE)
    assert shared.headers["X-Cache-Status"] != "BYPASS"
    assert "8:15 ferry" not in shared.text and "awaiting moderation" not in shared.text


def test_an_approved_comment_reaches_anonymous_readers_within_s_maxage(proxy):
    reader = Browser(proxy.port)
    assert reader.get(ARTICLE).status == 200
    assert reader.get(ARTICLE).headers["X-Cache-Status"] == "HIT"  # the cached page has no such comment
    commenter = Browser(proxy.port)
    form = {
        **form_fields(commenter.get(ARTICLE).text),
        "name": "Otto Later",
        "email": "otto@example.net",
        "body": "The harbour master confirmed the new times.",
    }
    new_id = comment_id(commenter.request("POST", f"{ARTICLE}/comments", form=form, headers=same_origin(proxy)))

    editor = Browser(proxy.port)  # signs in and moderates through the proxy, as an editor does
    login = form_fields(editor.get("/login").text, "//form[contains(@action, '/login')]")
    signed_in = editor.request(
        "POST", "/login", headers=same_origin(proxy), form={**login, "email": EDITOR[1], "password": EDITOR[2]}
    )
    assert signed_in.status == 303, signed_in.text[:500]
    desk = editor.get("/moderation/")
    assert desk.headers["X-Cache-Status"] == "BYPASS" and "Otto Later" in desk.text
    token = form_fields(desk.text, "//form[contains(@class, 'desk-form')]")["csrf_token"]
    approved = editor.request(
        "POST", f"/moderation/comments/{new_id}/approve", form={"csrf_token": token}, headers=same_origin(proxy)
    )
    assert approved.status == 303
    done = time.monotonic()

    while "harbour master confirmed" not in (page := reader.get(ARTICLE)).text:
        assert time.monotonic() - done < FRESH + STALE + 1, page.headers["X-Cache-Status"]
        time.sleep(0.2)
    assert page.headers["X-Cache-Status"] in ("HIT", "MISS", "EXPIRED", "REVALIDATED", "STALE", "UPDATING")


def test_an_unknown_host_name_gets_the_connection_closed(proxy):
    for port in (proxy.port, proxy.http_port):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(f"GET {ARTICLE} HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n".encode())
            assert sock.recv(4096) == b""  # 444: closed, not a byte of an answer
    redirect = Browser(proxy.http_port).get(ARTICLE)  # our own name on plain HTTP: to https
    assert redirect.status == 301 and redirect.headers["Location"] == f"https://127.0.0.1{ARTICLE}"
