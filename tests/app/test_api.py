"""The JSON API's public reads: articles, authors, tags and approved comments; problem details, ETags, CORS."""

import re

import pytest

from blog.models import CommentStatus

API = "/api/v1"


@pytest.fixture
def story(make_user, make_article, make_comment, add_link):
    writer = make_user("Rosa Tide", bio="Covers the *harbour*.", email="rosa@example.org")
    other = make_article("Ferry timetable", slug="ferry", tags=("harbour",))
    article = make_article("Harbour vote", slug="harbour-vote", author_id=writer, tags=("harbour", "council"))
    add_link(article, target_id=other)
    first = make_comment(article, name="Ann Reader", email="ann@example.net", body="First!")
    make_comment(article, name="Bo Reply", email="bo@example.net", body="A reply", parent_id=first, minutes=1)
    make_comment(article, name="Held Back", email="held@example.net", status=CommentStatus.PENDING, minutes=2)
    make_comment(article, name="Spam Bot", email="spam@example.net", status=CommentStatus.SPAM, minutes=3)
    return article


def test_the_articles_list_is_paged_newest_first(client, make_article):
    for n in range(12):
        make_article(f"Story {n}", slug=f"story-{n}")
    first = client.get(f"{API}/articles").get_json()
    assert [a["slug"] for a in first["items"]][:2] == ["story-0", "story-1"]
    assert first["paging"] == {
        "page": 1,
        "per_page": 10,
        "total": 12,
        "total_exact": True,
        "next": f"{API}/articles?page=2",
    }
    second = client.get(first["paging"]["next"]).get_json()
    assert [a["slug"] for a in second["items"]] == ["story-10", "story-11"] and second["paging"]["next"] is None


def test_an_article_has_its_bio_keep_reading_and_approved_comments_only(client, story):
    response = client.get(f"{API}/articles/harbour-vote")
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    assert body["title"] == "Harbour vote" and body["url"] == "/articles/harbour-vote"
    assert body["author"]["name"] == "Rosa Tide" and "<em>harbour</em>" in body["author"]["bio_html"]
    assert [t["slug"] for t in body["tags"]] == ["council", "harbour"]
    assert body["keep_reading"][0] == {"title": "Ferry timetable", "url": "/articles/ferry", "article_slug": "ferry"}
    names = [(c["author_name"], c["depth"]) for c in body["comments"]["items"]]
    assert names == [("Ann Reader", 0), ("Bo Reply", 1)]  # threaded; pending and spam never shown
    assert body["comments"]["items"][1]["parent_id"] == body["comments"]["items"][0]["id"]
    assert body["comment_count"] == 2 and body["comments_open"] and body["comment_form_token"]
    text = response.get_data(as_text=True)
    assert "example.net" not in text and "email" not in text


def test_comments_are_paged_with_keyset_cursors(app, client, make_article, make_comment):
    from tests.helpers import set_settings

    set_settings(app, comments_per_page=2)
    article = make_article("Busy thread", slug="busy")
    ids = [make_comment(article, name=f"Reader {n}", body=f"Comment {n}", minutes=n) for n in range(5)]
    seen, url = [], f"{API}/articles/busy/comments"
    while url:
        page = client.get(url).get_json()
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
    assert seen == ids
    newest = client.get(f"{API}/articles/busy/comments?order=newest").get_json()
    assert [c["id"] for c in newest["items"]] == ids[:-3:-1]
    assert "order=newest" in newest["next"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/articles/nowhere", 404),
        ("/articles/nowhere/comments", 404),
        ("/authors/nobody", 404),
        ("/tags/nothing/articles", 404),
        ("/articles?page=0", 422),
        ("/articles?page=ten", 422),
        ("/articles/harbour-vote/comments?after=yesterday", 422),
        ("/articles/harbour-vote/comments?order=random", 422),
        ("/no-such-route", 404),
    ],
)
def test_errors_are_problem_details(client, story, url, status):
    response = client.get(API + url)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["instance"] == API + url.partition("?")[0]


def test_a_wrong_method_is_a_problem_with_allow(client, story):
    response = client.delete(f"{API}/articles/harbour-vote")
    assert response.status_code == 405 and response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_authors_and_tags_list_only_what_readers_can_see(client, story, make_user, make_article):
    make_user("Never Published", role="editor")
    make_article("Draft", slug="draft", tags=("secret-plans",), published=False)
    authors = client.get(f"{API}/authors").get_json()
    assert "Never Published" not in [a["name"] for a in authors["items"]]
    assert "Rosa Tide" in [a["name"] for a in authors["items"]]
    assert "email" not in str(authors)
    tags = [t["slug"] for t in client.get(f"{API}/tags").get_json()["items"]]
    assert tags == ["council", "harbour"]
    harbour = client.get(f"{API}/tags/harbour/articles").get_json()
    assert {a["slug"] for a in harbour["items"]} == {"ferry", "harbour-vote"}
    rosa = client.get(f"{API}/authors/rosa-tide/articles").get_json()
    assert [a["slug"] for a in rosa["items"]] == ["harbour-vote"]
    assert client.get(f"{API}/authors/never-published").status_code == 404


def test_gets_carry_an_etag_and_answer_304(client, story):
    first = client.get(f"{API}/articles/harbour-vote/comments")
    etag = first.headers["ETag"]
    assert etag and "public" in first.headers["Cache-Control"]
    again = client.get(f"{API}/articles/harbour-vote/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.app_config(API_CORS_ORIGINS=["https://app.example"])
def test_cors_for_the_configured_origins_on_public_reads(client, story):
    ours = client.get(f"{API}/articles", headers={"Origin": "https://app.example"})
    assert ours.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in ours.headers["Vary"]
    other = client.get(f"{API}/articles", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        f"{API}/articles/harbour-vote",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_no_cors_by_default(client, story):
    response = client.get(f"{API}/articles", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_openapi_document_describes_every_api_route(app, client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {path for path in document["paths"]}
    routes = {
        re.sub(r"<(?:[^>:]*:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi", "api.docs")
    }
    assert routes == documented
    problem = document["paths"]["/api/v1/articles/{slug}"]["get"]["responses"]["404"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_docs_page_is_our_own_and_loads_no_outside_script(client):
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script src="/static/api-docs.js"' in html and "cdn" not in html.lower()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/static/api-docs.js")
    script.close()
    assert script.status_code == 200


def test_the_api_ignores_the_session_cookie(client, sign_in, story):
    sign_in("admin")
    body = client.get(f"{API}/articles/harbour-vote").get_json()
    assert [c["author_name"] for c in body["comments"]["items"]] == ["Ann Reader", "Bo Reply"]


# --- comment submission -----------------------------------------------------------------------------------------


def api_comment(client, slug: str = "harbour-vote", headers: dict | None = None, **fields):
    token = client.get(f"{API}/articles/{slug}").get_json()["comment_form_token"]
    body = {"name": "Pat Reader", "email": "pat@example.net", "body": "Nice piece.", "ts": token, **fields}
    return client.post(f"{API}/articles/{slug}/comments", json=body, headers=headers or {})


def stored_comments(app) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    from blog.extensions import db
    from blog.models import Comment

    with app.app_context():
        return [(c.author_name, c.status.value) for c in db.session.scalars(sa.select(Comment).order_by(Comment.id))]


def test_a_comment_posted_as_json_goes_through_moderation(app, client, story):
    response = api_comment(client, body="A first comment, held for moderation.")
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "pending" and answer["comment"] is None
    assert response.headers["Location"].endswith(f"/comments/{answer['id']}")
    assert stored_comments(app)[-1] == ("Pat Reader", "pending")
    shown = client.get(f"{API}/articles/harbour-vote/comments").get_json()
    assert "Pat Reader" not in [c["author_name"] for c in shown["items"]]


def test_a_known_commenters_reply_is_published_at_once(app, client, story):
    thread = client.get(f"{API}/articles/harbour-vote/comments").get_json()["items"]
    response = api_comment(
        client, name="Ann Reader", email="ann@example.net", body="Me again", parent_id=thread[0]["id"]
    )
    answer = response.get_json()
    assert response.status_code == 201 and answer["status"] == "approved"
    assert answer["comment"]["parent_id"] == thread[0]["id"] and answer["comment"]["depth"] == 1
    assert "email" not in str(answer)


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"name": ""}, 422, "name"),  # the schema
        ({"name": "pat@example.net"}, 422, "name"),  # the form's rules: a name that is an address
        ({"website": "javascript:alert(1)"}, 422, "website"),
        ({"ts": "forged"}, 422, "ts"),
        ({"url": "http://spam.example"}, 422, "url"),  # the honeypot
        ({"parent_id": 999999}, 422, "parent_id"),
        ({"body": "x" * 5001}, 422, "body"),
    ],
)
def test_a_refused_comment_says_which_field(app, client, story, fields, status, field):
    response = api_comment(client, **fields)
    assert response.status_code == status and response.content_type == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert len(stored_comments(app)) == 4  # the story's own


def test_the_same_comment_twice_is_a_conflict(client, story):
    assert api_comment(client, body="Only once").status_code == 201
    again = api_comment(client, body="Only once")
    assert again.status_code == 409 and "Duplicate" in again.get_json()["detail"]


def test_comment_submission_needs_json(app, client, story):
    form = client.post(f"{API}/articles/harbour-vote/comments", data={"name": "Pat", "body": "Hi"})
    assert form.status_code == 415 and form.content_type == "application/problem+json"
    broken = client.post(
        f"{API}/articles/harbour-vote/comments", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert client.post(f"{API}/articles/nowhere/comments", json={}).status_code in (404, 422)
    assert len(stored_comments(app)) == 4


def test_comments_closed_is_a_403(app, client, story):
    from blog.extensions import db
    from blog.models import Article

    token = client.get(f"{API}/articles/harbour-vote").get_json()["comment_form_token"]
    with app.app_context():
        db.session.get(Article, story).comments_open = False
        db.session.commit()
    assert client.get(f"{API}/articles/harbour-vote").get_json()["comment_form_token"] is None
    body = {"name": "Pat Reader", "email": "pat@example.net", "body": "Too late", "ts": token}
    response = client.post(f"{API}/articles/harbour-vote/comments", json=body)
    assert response.status_code == 403 and response.get_json()["detail"] == "Comments are closed."


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2/minute")
def test_the_form_and_the_api_share_one_rate_limit(client, story, post_comment):
    assert post_comment("harbour-vote", body="From the form").status_code == 303
    assert api_comment(client, body="From the API").status_code == 201
    third = api_comment(client, body="One too many")
    assert third.status_code == 429 and third.content_type == "application/problem+json"


def test_an_articles_body_has_no_keep_reading_marker(client, make_article):
    body = "First paragraph.\n\n[keep-reading]\n\nSecond paragraph."
    make_article("Marked story", slug="marked", body=body)
    html = client.get(f"{API}/articles/marked").get_json()["body_html"]
    assert "<p>First paragraph.</p>" in html and "<p>Second paragraph.</p>" in html
    assert "keep-reading" not in html
