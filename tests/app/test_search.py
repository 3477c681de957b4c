"""/search: ranked full-text search over published articles, on SQLite FTS5 and PostgreSQL alike."""

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import Article, User
from blog.services import authoring, search


def results(client, q: str, **params):
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, (q, response.status_code)
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    return [href.rsplit("/", 1)[1] for href in doc.xpath("//ol[@class='search-results']//h2/a/@href")]


@pytest.fixture
def newsroom(make_user, make_article):
    nadia = make_user("Nadia Okafor")
    make_article("Harbour plan", slug="exact", author_id=nadia, body="Short piece.", summary="A vote.")
    make_article(
        "Harbour plan delayed again",
        slug="delayed",
        tags=("harbour",),
        body="The harbour plan, the harbour plan and once more the harbour plan: the harbour plan is late.",
    )
    make_article(
        "Ferry timetable returns",
        slug="ferry",
        summary="Crossings to Saltholme resume.",
        body="The slipway was repaired overnight and the ferries are running again.",
    )
    make_article(
        "Lighthouse keeper retires",
        slug="lighthouse",
        tags=("maritime-heritage",),
        body="After forty years the keeper hands over the lamp.",
    )
    make_article("Secret harbour draft", slug="draft", body="harbour plan", published=False)
    return nadia


def test_exact_title_match_comes_first(client, newsroom):
    assert results(client, "harbour plan") == ["exact", "delayed"]
    assert results(client, "Harbour Plan") == ["exact", "delayed"]
    assert results(client, "harbour plan delayed again") == ["delayed"]


def test_every_field_is_searched(client, newsroom):
    assert results(client, "Saltholme") == ["ferry"]  # summary
    assert results(client, "slipway") == ["ferry"]  # body
    assert results(client, "heritage") == ["lighthouse"]  # tag name
    assert results(client, "okafor") == ["exact"]  # author name
    assert results(client, "ferries") == ["ferry"]  # stemmed: ferries / ferry
    assert results(client, "ferry lighthouse") == []  # every word must match


def test_drafts_never_found(client, newsroom):
    assert "draft" not in results(client, "secret harbour")


def test_unpublished_article_disappears_and_edits_are_followed(app, client, newsroom):
    with app.app_context():
        ferry = db.session.scalars(sa.select(Article).where(Article.slug == "ferry")).one()
        authoring.update_article(ferry, body="The hovercraft service starts on Monday.")
        db.session.commit()
    assert results(client, "slipway") == []
    assert results(client, "hovercraft") == ["ferry"]

    with app.app_context():
        authoring.unpublish_article(db.session.scalars(sa.select(Article).where(Article.slug == "ferry")).one())
        db.session.commit()
    assert results(client, "hovercraft") == []
    assert results(client, "ferry") == []

    with app.app_context():
        article = db.session.scalars(sa.select(Article).where(Article.slug == "ferry")).one()
        authoring.publish_article(article, published_at=article.created_at)
        db.session.commit()
    assert results(client, "hovercraft") == ["ferry"]


def test_author_rename_is_followed(app, client, newsroom):
    with app.app_context():
        db.session.get(User, newsroom).display_name = "Nadia Mensah-Okafor"
        search.sync_author(newsroom)
        db.session.commit()
    assert results(client, "mensah") == ["exact"]


def test_snippets_are_escaped_then_marked(client, make_article):
    make_article(
        'Ferry "fares" <rise> & fall',
        slug="fares",
        body="Fares rise. Use `<script>ferry()</script>` and the **ferry** crossing costs more.",
    )
    response = client.get("/search?q=ferry")
    page = response.get_data(as_text=True)
    assert "<script>ferry" not in page and "&lt;script&gt;<mark>ferry</mark>()&lt;/script&gt;" in page
    doc = lxml_html.fromstring(page)
    (title,) = doc.xpath("//ol[@class='search-results']//h2/a")
    assert title.text_content() == 'Ferry "fares" <rise> & fall'
    assert [m.text for m in title.xpath(".//mark")] == ["Ferry"]
    snippet = doc.xpath("//p[@class='search-snippet']")[0]
    assert {m.text.lower() for m in snippet.xpath(".//mark")} == {"ferry"}


def test_results_are_paginated(app, client, make_article):
    app.config["ARTICLES_PER_PAGE"] = 5
    for n in range(12):
        make_article(f"Regatta report {n}", body="The regatta went well.")
    assert len(results(client, "regatta")) == 5
    last = client.get("/search?q=regatta&page=3")
    doc = lxml_html.fromstring(last.get_data(as_text=True))
    assert len(doc.xpath("//ol[@class='search-results']/li")) == 2
    assert doc.xpath("//a[@rel='prev']/@href") == ["/search?page=2&q=regatta"]
    assert "12 results" in doc.xpath("string(//p[contains(@class,'search-count')])")
    assert client.get("/search?q=regatta&page=4").status_code == 404


def test_empty_and_wordless_queries_are_answered_politely(client, newsroom):
    for q in ("", "   "):
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 200
        assert "search-results" not in response.get_data(as_text=True)
    for q in ("!!!", "🦅", "\x01"):
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 200
        assert "Type one or more words" in response.get_data(as_text=True)
    assert client.get("/search", query_string={"q": "\x00"}).status_code == 400  # a NUL anywhere: test_bad_input
    assert client.get("/search").status_code == 200


def test_over_long_query_is_refused_with_a_message(client, newsroom):
    response = client.get("/search", query_string={"q": "harbour " * 1300})  # ~10 KB
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "too long" in page and "at most 200 characters" in page


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "harbour*",
    "AND OR NOT",
    "harbour AND",
    "NOT harbour",
    "NEAR(",
    "NEAR(harbour plan",
    "harbour NEAR/2 plan",
    "(",
    ")",
    "-harbour",
    "+harbour",
    "title:harbour",
    "^harbour",
    "{harbour}",
    "\\",
    "harbour | plan",
    "harbour & plan",
    "!harbour",
    "harbour:*",
    "<script>alert(1)</script>",
    "%",
    "_",
    "' OR 1=1 --",
    "café",
    "ΑΘΗΝΑ",
    "港口",
    "ﬁsh",
    "e\u0301",
    "\u202eharbour",
    "x" * 200,
    ("a " * 100).strip(),
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(client, newsroom, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page


def test_operators_are_searched_as_words(client, make_article):
    make_article("Near the quay", slug="near", body="Boats moor near the quay.")
    assert results(client, "NEAR(quay") == ["near"]
    assert results(client, '"quay') == ["near"]
    assert results(client, "quay*") == ["near"]


def test_masthead_has_an_accessible_search_box(client):
    doc = lxml_html.fromstring(client.get("/").get_data(as_text=True))
    (form,) = doc.xpath("//header[@class='masthead']//form[@role='search']")
    assert form.get("action") == "/search" and form.get("method") == "get"
    (field,) = form.xpath(".//input[@name='q']")
    assert form.xpath(f".//label[@for='{field.get('id')}']/text()") == ["Search articles"]


def test_rebuild_reindexes_everything(app, runner, client, newsroom):
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM search_articles"))
        db.session.commit()
    assert results(client, "slipway") == []
    result = runner.invoke(args=["blog", "reindex-search"])
    assert result.exit_code == 0, result.output
    assert results(client, "slipway") == ["ferry"]


def test_profile_rename_is_followed_by_search(app, client, newsroom):
    from blog.services.users import ProfileDraft, update_profile

    with app.app_context():
        user = db.session.get(User, newsroom)
        update_profile(user, user, ProfileDraft(display_name="Nadia Quillfeather", bio="", website="", social_links={}))
        db.session.commit()
    assert results(client, "quillfeather") == ["exact"]
    assert results(client, "okafor") == []
