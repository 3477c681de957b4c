"""Templates' ``url_for`` remembers the paths it built, and always gives what Flask's own would."""

import pytest
from flask import render_template_string

from blog import create_app
from tests.conftest import app_config
from tests.helpers import parse


CALLS = [
    ("public.article", {"slug": "harbour-plan"}),
    ("public.article", {"slug": "harbour-plan", "_anchor": "comments"}),
    ("public.article", {"slug": "harbour-plan", "comments_after": "2026-10-06T09:05:00+00:00~12"}),
    ("public.home", {"page": 1}),
    ("public.home", {"page": True}),  # not remembered: True == 1, but its path is not 1's
    ("public.home", {"page": "1"}),
    ("public.tag", {"slug": "café & co"}),
    ("static", {"filename": "site.css"}),
    ("public.article", {"slug": "harbour-plan", "_external": True}),
    ("public.home", {"_scheme": "https", "_external": True}),
    ("moderation.desk", {"status": "pending", "q": ["a", "b"]}),  # a list: not remembered
]


@pytest.mark.parametrize("root", ["", "/news"])
def test_same_paths_as_flask_before_and_after_remembering(bare_app, root):
    remembering = bare_app.jinja_env.globals["url_for"]
    with bare_app.test_request_context("/", base_url=f"http://courier.example{root}"):
        expected = [bare_app.url_for(endpoint, **values) for endpoint, values in CALLS]
        assert [remembering(endpoint, **values) for endpoint, values in CALLS] == expected  # first: built
        assert [remembering(endpoint, **values) for endpoint, values in CALLS] == expected  # then: remembered
    assert expected[0] == f"{root}/articles/harbour-plan"
    assert expected[4] != expected[3] == expected[5]
    assert remembering.cache_info().hits >= 6


def test_each_application_root_gets_its_own_paths(bare_app):
    remembering = bare_app.jinja_env.globals["url_for"]
    for root in ("/news", "", "/news", ""):
        with bare_app.test_request_context("/", base_url=f"http://courier.example{root}"):
            assert remembering("public.article", slug="a") == f"{root}/articles/a"
            assert render_template_string("{{ url_for('public.home') }}") == f"{root}/"


def test_host_never_leaks_into_a_remembered_path(bare_app):
    remembering = bare_app.jinja_env.globals["url_for"]
    for host in ("one.example", "two.example"):
        with bare_app.test_request_context("/", base_url=f"https://{host}"):
            assert remembering("public.article", slug="a", _external=True) == f"https://{host}/articles/a"
            assert remembering("public.article", slug="a") == "/articles/a"


def test_blueprint_relative_endpoints_follow_the_request(bare_app):
    remembering = bare_app.jinja_env.globals["url_for"]
    with bare_app.test_request_context("/articles/x"):
        assert remembering(".home") == "/"
    with bare_app.test_request_context("/feed.xml"):
        with pytest.raises(Exception, match="home"):  # feeds has no "home": Flask's own error, not a stale path
            remembering(".home")


def test_url_defaults_functions_are_always_asked(bare_app):
    """Once the app has url_defaults (values from the request), nothing is remembered."""
    remembering = bare_app.jinja_env.globals["url_for"]

    @bare_app.url_defaults
    def edition(endpoint, values):
        from flask import request

        if endpoint == "public.home" and "edition" in request.args:
            values.setdefault("edition", request.args["edition"])

    with bare_app.test_request_context("/?edition=north"):
        assert remembering("public.home") == "/?edition=north"
    with bare_app.test_request_context("/?edition=south"):
        assert remembering("public.home") == "/?edition=south"


def test_article_page_under_a_prefix_links_within_it(client, make_article):
    make_article("Harbour plan", slug="harbour-plan", tags=("harbour",))
    plain = parse(client.get("/articles/harbour-plan"))
    prefixed = parse(client.get("/articles/harbour-plan", base_url="http://localhost/news"))
    plain_links = plain.xpath("//a[starts-with(@href, '/')]/@href")
    prefixed_links = prefixed.xpath("//a[starts-with(@href, '/')]/@href")
    assert plain_links and all(not href.startswith("/news/") for href in plain_links)
    assert prefixed_links == ["/news" + href for href in plain_links]


def test_outside_a_request_flask_decides(tmp_path):
    """A template rendered by a command (no request): Flask builds from SERVER_NAME, as it would anyway."""
    app = create_app(app_config(SERVER_NAME="courier.example", APPLICATION_ROOT="/news"), instance_path=str(tmp_path))
    with app.app_context():
        template = app.jinja_env.from_string("{{ url_for('public.article', slug='a') }}")
        assert template.render() == "http://courier.example/news/articles/a"  # Flask's default there: absolute

