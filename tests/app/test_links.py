"""Absolute URLs come from SITE_URL, never from the host a request names; pages link within their prefix."""

import pytest

from blog import create_app
from blog.links import external_url, tag_uri
from tests.conftest import app_config
from tests.helpers import parse


@pytest.mark.parametrize("site", ["https://news.example.org", "https://news.example.org/"])
def test_external_urls_use_the_site_address_whatever_the_request_says(tmp_path, site):
    app = create_app(app_config(SITE_URL=site), instance_path=str(tmp_path))
    with app.test_request_context("/", base_url="http://evil.example"):
        assert external_url("public.article", slug="harbour-plan") == "https://news.example.org/articles/harbour-plan"
        assert external_url("public.article", slug="a b", _anchor="comment 4") == (
            "https://news.example.org/articles/a%20b#comment%204"
        )
        assert (
            external_url("moderation.desk", status="pending") == "https://news.example.org/moderation/?status=pending"
        )
    with app.app_context():  # a command, a mail: no request at all
        assert external_url("public.home") == "https://news.example.org/"
        assert (
            tag_uri("article", 7, __import__("datetime").datetime(2026, 1, 2))
            == "tag:news.example.org,2026-01-02:article/7"
        )


def test_a_site_under_a_path_keeps_it(tmp_path):
    app = create_app(app_config(SITE_URL="https://example.org/news"), instance_path=str(tmp_path))
    with app.app_context():
        assert external_url("public.article", slug="a") == "https://example.org/news/articles/a"


def test_the_host_header_never_reaches_a_page(client, make_article):
    """Not the canonical link, the og:url, the JSON-LD or the feed link: a shared cache would keep them."""
    make_article("Harbour plan", slug="harbour-plan")
    for url in ("/articles/harbour-plan", "/feed.atom", "/sitemap.xml"):
        body = client.get(url, base_url="http://evil.example").get_data(as_text=True)
        assert "evil.example" not in body, url
        assert "http://localhost/" in body, url


def test_article_page_under_a_prefix_links_within_it(client, make_article):
    make_article("Harbour plan", slug="harbour-plan", tags=("harbour",))
    plain = parse(client.get("/articles/harbour-plan"))
    prefixed = parse(client.get("/articles/harbour-plan", base_url="http://localhost/news"))
    plain_links = plain.xpath("//a[starts-with(@href, '/')]/@href")
    prefixed_links = prefixed.xpath("//a[starts-with(@href, '/')]/@href")
    assert plain_links and all(not href.startswith("/news/") for href in plain_links)
    assert prefixed_links == ["/news" + href for href in plain_links]
