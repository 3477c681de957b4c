"""A reader without cookies gets the article page from ``shared_page.NewReaders``, before Flask dispatches
(the cached copy, or one rendered for them when there is none): the same response the view gives, their own
tokens that work, and the view for anything else."""

import logging
import os
import time

import pytest
import sqlalchemy as sa
from flask import request_started, url_for
from flask.sessions import SecureCookieSessionInterface

from blog.extensions import db
from blog.models import Article, Comment
from blog.public import shared_page
from tests.conftest import enable_cache
from tests.helpers import form_fields

SLUG = "first-light-at-the-quay"
URL = f"/articles/{SLUG}"
REQUEST_ID = "fixed-request-id-0001"


@pytest.fixture
def story(app, make_article, make_comment, make_user) -> int:
    author = make_user("Ines Quayside", bio="Covers the waterfront.")
    article_id = make_article("First light at the quay", slug=SLUG, author_id=author)
    make_comment(article_id, name="Harbour Watcher", body="Lovely morning for it.")
    return article_id


@pytest.fixture(params=["NullCache", "SimpleCache", "FileSystemCache", "RedisCache"])
def any_cache(request, app):
    """The test's app with its cache off, then on (each kind)."""
    return enable_cache(request, app, request.param)


@pytest.fixture
def dispatched(app):
    """The requests Flask itself dispatched (its ``request_started`` signal), as a list of paths."""
    paths = []
    with request_started.connected_to(lambda sender, **extra: paths.append(extra), app):
        yield paths


def warm(app) -> None:
    """Render the page once, so that it is in the cache (a request with a cookie always goes to the view)."""
    response = app.test_client(use_cookies=False).get(URL, headers={"Cookie": "warm=1"})
    assert response.status_code == 200


def fetch(app, **headers):
    response = app.test_client(use_cookies=False).get(URL, headers={"X-Request-ID": REQUEST_ID, **headers})
    return response.status, response.headers.to_wsgi_list(), response.get_data()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_new_reader_gets_exactly_the_response_the_view_gives(cached, story, dispatched, monkeypatch):
    warm(cached)
    dispatched.clear()
    assert_the_views_response(cached, dispatched, monkeypatch)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_page_rendered_for_a_new_reader_is_the_response_the_view_gives(any_cache, story, dispatched, monkeypatch):
    """Not in the cache (or no cache at all): rendered for them, by the view's function, without Flask."""
    assert_the_views_response(any_cache, dispatched, monkeypatch)


def assert_the_views_response(cached, dispatched, monkeypatch):
    monkeypatch.setattr(os, "urandom", lambda n: b"\x07" * n)  # the session's CSRF secret
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # the signatures' timestamps and the form token
    monkeypatch.setattr(shared_page, "_clock", lambda: now)  # the ETag's hour
    fast = fetch(cached)
    assert dispatched == []  # answered before Flask
    viewed = fetch(cached, Cookie="analytics=1")  # any cookie: the view answers (and ignores this one)
    assert len(dispatched) == 1
    assert fast == viewed
    status, headers, body = fast
    names = [name for name, _ in headers]
    assert status == "200 OK" and "Set-Cookie" in names and ("Vary", "Cookie") in headers
    assert {"Content-Security-Policy", "X-Content-Type-Options", "X-Request-ID"} <= set(names)
    assert b"Lovely morning for it." in body


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_new_readers_tokens_are_their_own_and_work(any_cache, story, dispatched):
    cached = any_cache
    warm(cached)
    dispatched.clear()
    alice, bob = cached.test_client(), cached.test_client()
    alice_form = form_fields(alice.get(URL).get_data(as_text=True))
    bob_form = form_fields(bob.get(URL).get_data(as_text=True))
    assert dispatched == [] and alice_form["csrf_token"] != bob_form["csrf_token"]
    with cached.app_context():
        assert not set(shared_page.slots()) & {*alice_form.values(), *bob_form.values()}

    fields = {"name": "Bob Reader", "email": "bob@example.net", "body": "Borrowed token."}
    stolen = bob.post(f"{URL}/comments", data={**bob_form, **fields, "csrf_token": alice_form["csrf_token"]})
    assert stolen.status_code == 400  # Alice's token is bound to Alice's session cookie
    sent = alice.post(f"{URL}/comments", data={**alice_form, "name": "Alice Reader", "email": "alice@example.net",
                                                "body": "My own token."})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    with cached.app_context():
        assert db.session.scalars(sa.select(Comment.author_name).order_by(Comment.id)).all()[-1] == "Alice Reader"
    assert "awaiting moderation" in alice.get(URL).get_data(as_text=True)  # now personal: the view's page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize(
    "method, url, headers",
    [
        pytest.param("HEAD", URL, {}, id="HEAD"),
        pytest.param("GET", f"{URL}?replytocom=1", {}, id="a query string"),
        pytest.param("GET", URL, {"Cookie": "analytics=1"}, id="any cookie"),
        pytest.param("GET", f"{URL}/", {}, id="another path"),
        pytest.param("GET", "/articles/no-such-story", {}, id="an article that isn't there"),
        pytest.param("GET", "/articles/First-Light", {}, id="not a slug as they are made"),
    ],
)
def test_anything_else_goes_to_the_view(cached, story, dispatched, method, url, headers):
    warm(cached)
    dispatched.clear()
    response = cached.test_client(use_cookies=False).open(url, method=method, headers=headers)
    assert len(dispatched) == 1
    assert response.status_code in (200, 404)


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"WTF_CSRF_ENABLED": False}, id="CSRF protection off"),
        pytest.param({"WTF_CSRF_ENABLED": True, "TRUSTED_HOSTS": ["localhost"]}, id="host checks"),
        pytest.param({"WTF_CSRF_ENABLED": True, "SERVER_NAME": "localhost"}, id="a server name"),
    ],
)
def test_settings_it_does_not_handle_leave_every_request_to_the_view(cached, story, dispatched, settings):
    cached.config.update(settings)
    warm(cached)
    dispatched.clear()
    assert cached.test_client(use_cookies=False).get(URL).status_code == 200
    assert len(dispatched) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_another_session_interface_leaves_every_request_to_the_view(cached, story, dispatched, caplog):
    cached.session_interface = SecureCookieSessionInterface()  # e.g. server-side sessions: not ours to write
    warm(cached)
    dispatched.clear()
    response = cached.test_client(use_cookies=False).get(URL)
    assert response.status_code == 200 and "Set-Cookie" in response.headers
    assert len(dispatched) == 1 and "answered by the app instead" not in caplog.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_page_without_a_form_is_the_views_and_revisits_are_validated(any_cache, story, dispatched):
    """Comments closed: no form, no tokens, no session; one ETag for everyone, so a revisit is a 304 — the
    same responses, headers included, as the view gives."""
    with any_cache.app_context():
        db.session.get(Article, story).comments_open = False
        db.session.commit()
    reader = any_cache.test_client(use_cookies=False)
    first = reader.get(URL)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers and "comment-form" not in first.text
    revisit = reader.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert revisit.status_code == 304 and revisit.get_data() == b""
    assert dispatched == []
    for ours, headers in ((first, {}), (revisit, {"If-None-Match": first.headers["ETag"]})):
        views = reader.get(URL, headers={**headers, "Cookie": "analytics=1"})
        assert len(dispatched) == 1
        dispatched.clear()
        without_id = [(name, value) for name, value in ours.headers.to_wsgi_list() if name != "X-Request-ID"]
        assert (ours.status, without_id, ours.get_data()) == (
            views.status, [(n, v) for n, v in views.headers.to_wsgi_list() if n != "X-Request-ID"], views.get_data())
    other = reader.get(URL, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_without_a_cache_every_new_reader_gets_a_page_rendered_for_them(app, story, make_comment, dispatched):
    first = app.test_client(use_cookies=False).get(URL)
    make_comment(story, name="Late Arrival", body="Missed the sunrise.")
    second = app.test_client(use_cookies=False).get(URL)
    assert first.status_code == second.status_code == 200 and dispatched == []
    assert "Missed the sunrise." not in first.text and "Missed the sunrise." in second.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_article_that_is_not_published_is_the_views_404(any_cache, make_article, dispatched):
    make_article("Still a draft", slug="still-a-draft", published=False)
    response = any_cache.test_client(use_cookies=False).get("/articles/still-a-draft")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers
    assert len(dispatched) == 1  # the app's own 404 page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_change_is_seen_by_the_next_new_reader(cached, story, make_comment, dispatched, monkeypatch):
    from blog.services import articles

    warm(cached)
    make_comment(story, name="Late Arrival", body="Missed the sunrise.")  # approved: retires the page
    dispatched.clear()
    renders = []
    real = articles.get_article_page
    monkeypatch.setattr(articles, "get_article_page", lambda *a, **k: renders.append(1) or real(*a, **k))
    first = cached.test_client(use_cookies=False).get(URL).get_data(as_text=True)
    second = cached.test_client(use_cookies=False).get(URL).get_data(as_text=True)
    assert "Missed the sunrise." in first and "Missed the sunrise." in second
    assert len(renders) == 1 and dispatched == []  # the first rendered it again; the second came from the new copy


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_failure_on_the_way_is_logged_and_the_view_answers(cached, story, dispatched, monkeypatch, caplog):
    warm(cached)
    dispatched.clear()

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(shared_page, "_new_reader_page", broken)
    with caplog.at_level(logging.ERROR, logger="blog.public.shared_page"):
        response = cached.test_client(use_cookies=False).get(URL)
    assert response.status_code == 200 and "Lovely morning for it." in response.get_data(as_text=True)
    assert len(dispatched) == 1 and "answered by the app instead" in caplog.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_failure_while_rendering_is_logged_and_the_view_answers(app, story, dispatched, monkeypatch, caplog):
    from blog.services import articles

    real, calls = articles.get_article_page, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away for a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(articles, "get_article_page", fails_once)
    with caplog.at_level(logging.ERROR, logger="blog.public.shared_page"):
        response = app.test_client(use_cookies=False).get(URL)
    assert response.status_code == 200 and "Lovely morning for it." in response.get_data(as_text=True)
    assert len(calls) == 2 and len(dispatched) == 1 and "answered by the app instead" in caplog.text


def test_the_path_it_answers_is_the_article_pages(app):
    with app.test_request_context():
        assert shared_page._ARTICLE_PATH.fullmatch(url_for("public.article", slug="a-story-2"))
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/articles/a-story-2", method="GET") == ("public.article", {"slug": "a-story-2"})


def _names(functions) -> list[str]:
    return [f"{f.__module__}.{f.__qualname__}" for f in functions]


def test_the_hooks_it_skips_are_the_ones_it_was_written_for(app):
    """NewReaders answers without Flask's hooks. A new hook fails this test: decide whether a new reader's
    article page needs it (then NewReaders must do it too, or step aside), and add it here."""
    assert {key: _names(fs) for key, fs in app.before_request_funcs.items()} == {None: [
        "blog.policy._enforce",  # the article page is open to anyone
        "flask_wtf.csrf.CSRFProtect.init_app.<locals>.csrf_protect",  # off: WTF_CSRF_CHECK_DEFAULT is False
        "blog.security.check_csrf",  # GET is a safe method
    ]}
    assert {key: _names(fs) for key, fs in app.after_request_funcs.items()} == {None: [
        "flask_login.login_manager.LoginManager._update_remember_cookie",  # only for signed-in sessions
    ]}
    assert _names(app.teardown_appcontext_funcs) == ["flask_sqlalchemy.extension.SQLAlchemy._teardown_session"]  # runs
    assert app.teardown_request_funcs == {} and app.url_value_preprocessors == {}
    assert not app.config["WTF_CSRF_CHECK_DEFAULT"]
