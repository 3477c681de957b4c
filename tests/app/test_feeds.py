"""Atom feeds, the sitemap, robots.txt and the article page's metadata (canonical, Open Graph, JSON-LD)."""

import json
from datetime import datetime, timedelta

import pytest
from lxml import etree
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import Article, CommentStatus
from blog.services import authoring
from tests.conftest import NOW

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NASTY_TITLE = 'Quotes "and" <b>tags</b> & </script><script>alert(1)</script>'


def parse_xml(response) -> etree._Element:
    assert response.status_code == 200, response.status_code
    return etree.fromstring(response.get_data())


def atom(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.mimetype == "application/atom+xml"
    feed = parse_xml(response)
    assert feed.tag == f"{A}feed"
    return feed


def rfc3339(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def check_atom(feed: etree._Element) -> list[etree._Element]:
    """The elements RFC 4287 requires, well-formed dates, and a feed date that covers its entries."""
    for name in ("id", "title", "updated"):
        assert feed.findtext(A + name), name
    assert feed.find(f"{A}link[@rel='self']") is not None
    entries = feed.findall(A + "entry")
    for entry in entries:
        for name in ("id", "title", "updated", "published"):
            assert entry.findtext(A + name), name
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://localhost/articles/")
        assert entry.findtext(f"{A}author/{A}name")
        assert rfc3339(entry.findtext(A + "updated")) >= rfc3339(entry.findtext(A + "published"))
    if entries:
        assert rfc3339(feed.findtext(A + "updated")) == max(rfc3339(e.findtext(A + "updated")) for e in entries)
    assert len({e.findtext(A + "id") for e in entries}) == len(entries)
    return entries


def titles(entries) -> list[str]:
    return [e.findtext(A + "title") for e in entries]


@pytest.fixture
def site(make_user, make_article, make_comment):
    nadia = make_user("Nadia Okafor")
    farid = make_user("Farid Mensah")
    make_user("Only Drafts")  # an author with nothing published: no feed entries, not in the sitemap
    ids = {
        "harbour": make_article(
            "Harbour plan approved",
            author_id=nadia,
            slug="harbour",
            tags=("harbour",),
            summary="Councillors voted 7–2.",
            body="The **plan** passed.",
        ),
        "ferry": make_article("Ferry returns", author_id=farid, slug="ferry", tags=("ferries",)),
        "nasty": make_article(NASTY_TITLE, author_id=nadia, slug="nasty", tags=("harbour", "ferries")),
        "draft": make_article("Secret draft", author_id=nadia, slug="secret", tags=("harbour",), published=False),
    }
    make_comment(ids["harbour"], name="Sam Reader", email="sam.reader@example.net", body="Good *news*.", minutes=1)
    make_comment(ids["harbour"], name="Jo <Reply>", email="jo@example.org", body="Agreed & more.", minutes=2)
    make_comment(
        ids["harbour"],
        name="Held Back",
        email="held@example.net",
        body="pending one",
        status=CommentStatus.PENDING,
        minutes=3,
    )
    make_comment(
        ids["harbour"], name="Spammer", email="spam@example.net", body="spam one", status=CommentStatus.SPAM, minutes=4
    )
    return ids


def test_site_feed_lists_published_articles_newest_first(client, site):
    feed = atom(client, "/feed.atom")
    entries = check_atom(feed)
    assert titles(entries) == ["Harbour plan approved", "Ferry returns", NASTY_TITLE]  # escaped and back, exactly
    first = entries[0]
    assert first.findtext(f"{A}author/{A}name") == "Nadia Okafor"
    assert first.findtext(f"{A}author/{A}uri") == "http://localhost/authors/nadia-okafor"
    assert first.findtext(A + "summary") == "Councillors voted 7–2."
    assert "<strong>plan</strong>" in first.findtext(A + "content")
    assert first.find(A + "content").get("type") == "html"
    assert [c.get("term") for c in first.findall(A + "category")] == ["harbour"]
    assert feed.findtext(A + "id") == "http://localhost/feed.atom"


def test_feeds_are_capped_at_twenty(client, make_article):
    for n in range(23):
        make_article(f"Story {n}")
    entries = check_atom(atom(client, "/feed.atom"))
    assert titles(entries) == [f"Story {n}" for n in range(20)]


def test_author_and_tag_feeds_are_filtered(client, site):
    assert titles(check_atom(atom(client, "/authors/nadia-okafor/feed.atom"))) == ["Harbour plan approved", NASTY_TITLE]
    assert titles(check_atom(atom(client, "/tags/ferries/feed.atom"))) == ["Ferry returns", NASTY_TITLE]
    empty = atom(client, "/authors/only-drafts/feed.atom")
    assert check_atom(empty) == [] and empty.findtext(A + "updated") == "1970-01-01T00:00:00Z"
    for url in (
        "/authors/nobody/feed.atom",
        "/tags/nothing/feed.atom",
        "/articles/secret/comments.atom",
        "/articles/missing/comments.atom",
    ):
        assert client.get(url).status_code == 404, url


def test_comments_feed_has_approved_comments_and_names_only(client, site):
    response = client.get("/articles/harbour/comments.atom")
    feed = atom(client, "/articles/harbour/comments.atom")
    entries = feed.findall(A + "entry")
    assert [e.findtext(f"{A}author/{A}name") for e in entries] == ["Jo <Reply>", "Sam Reader"]
    assert (
        entries[1].find(f"{A}link").get("href")
        == f"http://localhost/articles/harbour/comments/{entries[1].findtext(A + 'id').rsplit('/', 1)[1]}"
    )
    assert "<em>news</em>" in entries[1].findtext(A + "content")
    body = response.get_data(as_text=True)
    for hidden in ("example.net", "example.org", "pending one", "spam one", "Held Back", "Spammer"):
        assert hidden not in body
    assert [e.tag for e in entries[0].find(A + "author")] == [A + "name"]  # no email, no uri


def test_ids_are_stable_tag_uris_tied_to_the_configured_site(app, client, site):
    first = [e.findtext(A + "id") for e in atom(client, "/feed.atom").findall(A + "entry")]
    assert first == [e.findtext(A + "id") for e in atom(client, "/feed.atom").findall(A + "entry")]
    assert all(i.startswith("tag:localhost,") and ":article/" in i for i in first)

    app.config["SITE_URL"] = "https://courier.example"
    for host in ("localhost", "127.0.0.1:8000"):
        feed = (
            atom(client, "/feed.atom")
            if host == "localhost"
            else parse_xml(client.get("/feed.atom", headers={"Host": host}))
        )
        ids = [e.findtext(A + "id") for e in feed.findall(A + "entry")]
        assert all(i.startswith("tag:courier.example,") for i in ids)
        assert [i.split(",", 1)[1] for i in ids] == [i.split(",", 1)[1] for i in first]
        assert feed.findtext(A + "id") == "https://courier.example/feed.atom"


def test_feed_survives_characters_xml_forbids(client, make_article):
    make_article("Bell\x07 and \x0bvertical tab", slug="bell")
    assert titles(check_atom(atom(client, "/feed.atom"))) == ["Bell and vertical tab"]


def test_feeds_answer_conditional_requests(client, site):
    first = client.get("/feed.atom")
    again = client.get("/feed.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_pages_advertise_their_feeds(client, site):
    def alternates(url):
        doc = lxml_html.fromstring(client.get(url).get_data(as_text=True))
        return doc.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")

    assert alternates("/") == ["/feed.atom"]
    assert alternates("/authors/nadia-okafor") == ["/feed.atom", "/authors/nadia-okafor/feed.atom"]
    assert alternates("/tags/harbour") == ["/feed.atom", "/tags/harbour/feed.atom"]
    assert "/articles/harbour/comments.atom" in alternates("/articles/harbour")


def sitemap_urls(client, url: str = "/sitemap.xml") -> dict[str, datetime]:
    root = parse_xml(client.get(url))
    assert root.tag == f"{SM}urlset"
    found = {}
    for entry in root.findall(SM + "url"):
        found[entry.findtext(SM + "loc")] = rfc3339(entry.findtext(SM + "lastmod"))
    return found


PUBLISHED_URLS = {
    "http://localhost/",
    "http://localhost/articles/harbour",
    "http://localhost/articles/ferry",
    "http://localhost/articles/nasty",
    "http://localhost/authors/nadia-okafor",
    "http://localhost/authors/farid-mensah",
    "http://localhost/tags/harbour",
    "http://localhost/tags/ferries",
}


def test_sitemap_lists_exactly_the_published_urls(client, site):
    urls = sitemap_urls(client)
    assert set(urls) == PUBLISHED_URLS
    assert urls["http://localhost/"] == max(urls.values())
    for url in PUBLISHED_URLS:
        assert client.get(url.removeprefix("http://localhost")).status_code == 200, url


def test_sitemap_follows_unpublishing(app, client, site):
    with app.app_context():
        authoring.unpublish_article(db.session.get(Article, site["ferry"]))
        db.session.commit()
    assert set(sitemap_urls(client)) == PUBLISHED_URLS - {
        "http://localhost/articles/ferry",
        "http://localhost/authors/farid-mensah",
    }


def test_big_sitemaps_become_an_index(app, client, site, make_article):
    app.config["SITEMAP_MAX_URLS"] = 2
    make_article("One more", slug="one-more", tags=("harbour",))
    root = parse_xml(client.get("/sitemap.xml"))
    assert root.tag == f"{SM}sitemapindex"
    files = [loc.removeprefix("http://localhost") for loc in root.xpath("//sm:loc/text()", namespaces={"sm": SM[1:-1]})]
    assert files == ["/sitemaps/pages.xml", "/sitemaps/articles-1.xml", "/sitemaps/articles-2.xml"]
    listed = set()
    for url in files:
        listed |= set(sitemap_urls(client, url))
    assert listed == PUBLISHED_URLS | {"http://localhost/articles/one-more", "http://localhost/authors/staff-writer-4"}
    assert client.get("/sitemaps/articles-3.xml").status_code == 404
    assert client.get("/sitemaps/articles-0.xml").status_code == 404


def test_robots_points_to_the_sitemap(app, client):
    app.config["SITE_URL"] = "https://courier.example/"
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://courier.example/sitemap.xml" in text.splitlines()
    assert "Disallow: /search" in text.splitlines()


def news_article(doc) -> list[str]:
    return [text for text in doc.xpath("//script[@type='application/ld+json']/text()") if "NewsArticle" in text]


def test_article_page_metadata(client, site):
    doc = lxml_html.fromstring(client.get("/articles/harbour").get_data(as_text=True))
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//head/meta[@content]")}
    assert doc.xpath("//head/link[@rel='canonical']/@href") == ["http://localhost/articles/harbour"]
    assert meta["og:type"] == "article" and meta["og:title"] == "Harbour plan approved"
    assert meta["og:url"] == "http://localhost/articles/harbour"
    assert meta["og:description"] == meta["twitter:description"] == "Councillors voted 7–2."
    assert meta["twitter:card"] == "summary"
    assert meta["article:author"] == "http://localhost/authors/nadia-okafor"
    (ld_text,) = news_article(doc)
    ld = json.loads(ld_text)
    assert ld["@type"] == "NewsArticle" and ld["headline"] == "Harbour plan approved"
    assert ld["author"] == {"@type": "Person", "name": "Nadia Okafor", "url": "http://localhost/authors/nadia-okafor"}
    assert datetime.fromisoformat(ld["datePublished"]) <= datetime.fromisoformat(ld["dateModified"])
    assert datetime.fromisoformat(ld["datePublished"]) > NOW - timedelta(days=1)
    assert ld["keywords"] == ["Harbour"]


def test_metadata_escapes_quotes_angle_brackets_and_ampersands(client, site):
    page = client.get("/articles/nasty").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    assert head.count("</script>") == 2  # only the JSON-LD elements' own end tags (the article, its breadcrumbs)
    assert "<b>" not in head and "alert(1)</script>" not in head
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//head/meta[@property='og:title']/@content") == [NASTY_TITLE]
    (ld_text,) = news_article(doc)
    assert "</" not in ld_text and "<" not in ld_text and "&" not in ld_text  # written as \u003c, \u0026
    assert json.loads(ld_text)["headline"] == NASTY_TITLE


def test_drafts_have_no_feed_or_sitemap_presence(client, site):
    for url in ("/feed.atom", "/authors/nadia-okafor/feed.atom", "/tags/harbour/feed.atom", "/sitemap.xml"):
        body = client.get(url).get_data(as_text=True)
        assert "Secret draft" not in body and "/articles/secret" not in body, url


def test_empty_site(client):
    assert check_atom(atom(client, "/feed.atom")) == []
    root = parse_xml(client.get("/sitemap.xml"))
    assert root.findall(SM + "url") == []


def test_feeds_answer_conditional_requests_without_cookies(client, make_article):
    make_article("Conditional", slug="conditional")
    client.set_cookie("blog_session", "a-readers-session")  # a reader with a session cookie …
    first = client.get("/feed.atom")
    assert first.status_code == 200 and first.headers["ETag"]
    assert "Set-Cookie" not in first.headers  # … still gets a response a shared cache may store
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
    again = client.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/feed.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
