"""The public pages through the test client, against a real database."""

import pytest
from lxml import html as lxml_html


def parse(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def texts(nodes):
    return [" ".join(n.text_content().split()) for n in nodes]


@pytest.fixture
def story(make_user, make_article, make_comment, add_link):
    """A published article with tags, a bio, Keep Reading links and a short thread."""
    author = make_user("Nadia Okafor", bio="Covers the *harbour* beat. [Site](https://example.org/nadia)")
    other = make_article("The ferry timetable returns", tags=("ferries",), slug="ferry-returns")
    sibling = make_article("Harbour berths to move", tags=("harbour",), slug="berths-move")
    article = make_article(
        "Council backs the harbour plan",
        author_id=author,
        slug="harbour-plan",
        tags=("harbour", "council"),
        summary="Councillors voted 7–2.",
        body="First paragraph.\n\n## What happens next\n\n> “It is a good day,” said the mayor.\n",
    )
    add_link(article, target_id=other)
    add_link(article, url="https://example.org/minutes", title="Council minutes (PDF)")
    first = make_comment(article, name="Sam Reader", body="Great *news*.", website="https://example.com/sam")
    make_comment(article, name="Jo Reply", body="Agreed.", parent_id=first, minutes=5)
    return {"article": article, "author": author, "other": other, "sibling": sibling}


def test_article_page_shows_every_part(client, story):
    response = client.get("/articles/harbour-plan")
    assert response.status_code == 200
    doc = parse(response)

    assert doc.findtext(".//title").startswith("Council backs the harbour plan")
    (article,) = doc.xpath("//main//article[@class='story']")
    assert texts(article.xpath(".//h1")) == ["Council backs the harbour plan"]
    byline = article.xpath(".//p[@class='byline']")[0]
    assert byline.xpath(".//a[@rel='author']/@href") == ["/authors/nadia-okafor"]
    assert byline.xpath(".//time/@datetime")[0].startswith("2026-")
    body = article.xpath(".//div[@class='story-body']")[0]
    assert texts(body.xpath("./h2")) == ["What happens next"]
    assert texts(body.xpath("./blockquote")) == ["“It is a good day,” said the mayor."]
    assert texts(article.xpath(".//ul[@class='tags']/li/a")) == ["Council", "Harbour"]
    assert article.xpath(".//ul[@class='tags']/li/a/@href") == ["/tags/council", "/tags/harbour"]

    (keep,) = doc.xpath("//aside[@class='keep-reading']")
    assert keep.get("aria-label") == "Keep Reading"
    assert texts(keep.xpath("./p[@class='keep-reading-label']")) == ["Keep Reading"]
    assert keep.getparent() is body  # inside the article's text
    links = keep.xpath(".//li/a")
    # curated first in the editor's order, then the newest article sharing a tag
    assert [a.get("href") for a in links] == [
        "/articles/ferry-returns",
        "https://example.org/minutes",
        "/articles/berths-move",
    ]
    assert texts(links)[:2] == ["The ferry timetable returns", "Council minutes (PDF)"]

    (bio,) = doc.xpath("//aside[@class='author-box']")
    assert bio.xpath(".//h2/a/@href") == ["/authors/nadia-okafor"]
    assert bio.xpath(".//div[@class='author-box-bio']//em/text()") == ["harbour"]

    comments = doc.xpath("//section[@id='comments']//li[contains(@class, 'comment')]")
    assert [c.get("class") for c in comments] == ["comment depth-0", "comment depth-1"]
    assert comments[0].xpath(".//a[@rel='nofollow ugc noopener']/@href") == ["https://example.com/sam"]
    assert comments[0].xpath(".//div[@class='comment-body']//em/text()") == ["news"]


def test_keep_reading_hidden_when_empty(client, make_article):
    make_article("Alone on its topic", slug="alone", tags=("unique-topic",))
    doc = parse(client.get("/articles/alone"))
    assert doc.xpath("//aside[@class='keep-reading']") == []


def test_keep_reading_skips_unpublished_targets(client, make_article, add_link):
    draft = make_article("Draft target", published=False)
    article = make_article("Has a draft link", slug="has-draft-link")
    add_link(article, target_id=draft)
    doc = parse(client.get("/articles/has-draft-link"))
    assert doc.xpath("//aside[@class='keep-reading']") == []


def test_only_approved_comments_are_public(client, make_article, make_comment):
    from blog.models import CommentStatus

    article = make_article("Comment statuses", slug="statuses")
    make_comment(article, name="Visible Person", body="approved one")
    for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH):
        make_comment(article, name=f"Hidden {status}", body=f"{status} body", status=status)
    page = client.get("/articles/statuses").get_data(as_text=True)
    assert "approved one" in page
    for status in ("pending", "spam", "trash"):
        assert f"{status} body" not in page
    doc = parse(client.get("/"))
    assert "1 comment" in texts(doc.xpath("//p[@class='byline']"))[0]


@pytest.mark.parametrize("url", ["/articles/a-draft", "/articles/no-such-article", "/authors/nobody", "/tags/nothing"])
def test_missing_and_draft_pages_are_404_pages(client, make_article, url):
    make_article("A draft", slug="a-draft", published=False)
    response = client.get(url)
    assert response.status_code == 404
    doc = parse(response)
    assert texts(doc.xpath("//h1")) == ["We couldn't find that page"]
    assert doc.xpath("//a[@href='/']")


def test_lists_show_only_published_articles(client, make_user, make_article):
    author = make_user("Ruth Calloway")
    make_article("Published one", author_id=author, tags=("schools",))
    make_article("Secret draft", author_id=author, tags=("schools",), published=False)
    for url in ("/", "/authors/ruth-calloway", "/tags/schools"):
        page = client.get(url).get_data(as_text=True)
        assert "Published one" in page, url
        assert "Secret draft" not in page, url


def test_author_page_has_bio_and_paginated_articles(app, client, make_user, make_article):
    app.config["ARTICLES_PER_PAGE"] = 2
    author = make_user("Farid Mensah", bio="Sports and *sailing*.")
    for n in range(5):
        make_article(f"Match report {n}", author_id=author)
    doc = parse(client.get("/authors/farid-mensah"))
    assert texts(doc.xpath("//h1")) == ["Farid Mensah"]
    assert doc.xpath("//div[@class='profile-bio']//em/text()") == ["sailing"]
    assert len(doc.xpath("//article[contains(@class,'teaser')]")) == 2
    last = parse(client.get("/authors/farid-mensah?page=3"))
    assert texts(last.xpath("//article//h3")) == ["Match report 4"]
    assert last.xpath("//a[@rel='prev']/@href") == ["/authors/farid-mensah?page=2"]


def test_home_is_newest_first_and_paginated(app, client, make_article):
    app.config["ARTICLES_PER_PAGE"] = 3
    for n in range(7):  # article n is n hours old
        make_article(f"Story {n}")
    first = parse(client.get("/"))
    assert texts(first.xpath("//article//*[@class='teaser-title']")) == ["Story 0", "Story 1", "Story 2"]
    assert first.xpath("//a[@rel='next']/@href") == ["/?page=2"]
    third = parse(client.get("/?page=3"))
    assert texts(third.xpath("//article//*[@class='teaser-title']")) == ["Story 6"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("abc", 400),
        ("", 200),
        ("-1", 400),
        ("1.5", 400),
        ("0", 400),
        ("2", 404),
        ("10001", 404),
        ("99999999999999999999", 400),
        ("%00", 400),
        ("1e3", 400),
    ],
)
def test_bad_page_numbers_never_500(client, make_article, query, status):
    make_article("Only story")
    response = client.get(f"/?page={query}")
    assert response.status_code == status
    assert client.get(f"/tags/none?page={query}").status_code == (400 if query == "%00" else 404)  # NUL: refused first


def test_empty_site_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.get_data(as_text=True)


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "queue": "ok",
        "queue_pending": 0,
        "mail_due": 0,
        "mail_undeliverable": 0,
    }


def test_healthz_reports_a_broken_database(tmp_path):
    from blog import create_app

    broken = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"},
        instance_path=str(tmp_path),
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_sanitised_body_only_is_rendered(client, make_article):
    make_article("Hostile body", slug="hostile", body='<script>alert("x")</script><p onclick="x()">Safe text</p>')
    page = client.get("/articles/hostile").get_data(as_text=True)
    assert "alert(" not in page
    assert "onclick" not in page
    assert "Safe text" in page


def test_title_is_escaped(client, make_article):
    make_article('Quotes "and" <b>tags</b> & more', slug="escaped")
    page = client.get("/articles/escaped").get_data(as_text=True)
    assert "<b>tags</b>" not in page
    assert "&lt;b&gt;tags&lt;/b&gt;" in page
