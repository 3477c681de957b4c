"""Cross-site forgery, by class (docs/architecture.md): signed-in people's forms carry Flask-WTF's session token;
anonymous comment posts pass the origin check instead, so the page they come from can be shared by everyone."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment
from tests.helpers import form_fields, page_text

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)
SITE = "http://localhost"  # SITE_URL in the tests' settings: the test client's own host


@pytest.fixture
def article(make_article) -> str:
    make_article("Harbour plan", slug="harbour")
    return "harbour"


def send(client, headers: dict, base_url: str = SITE, **fields):
    page = client.get("/articles/harbour", base_url=base_url)
    data = {
        **form_fields(page.get_data(as_text=True)),
        "name": "Pat Reader",
        "email": "pat@example.net",
        "body": "Nice piece.",
        **fields,
    }
    return client.post("/articles/harbour/comments", data=data, headers=headers, base_url=base_url)


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the person
        {"Origin": SITE},
        {"Origin": "http://localhost:80"},
        {"Referer": f"{SITE}/articles/harbour"},  # an older browser that sends no Origin
        {},  # no browser at all (a script, a feed reader): it cannot carry anyone's cookies
    ],
    ids=["same-origin", "none", "origin", "origin-default-port", "referer", "no-headers"],
)
def test_an_anonymous_comment_from_our_own_pages_needs_no_token(app, client, article, headers):
    response = send(client, headers)
    assert response.status_code == 303, page_text(response)[:300]
    assert stored(app) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://blog.localhost"},  # a sibling subdomain
        {"Sec-Fetch-Site": "cross-site", "Origin": SITE},  # the fetch metadata wins
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": "https://localhost"},  # another scheme is another origin
        {"Referer": "https://evil.example/page"},
    ],
    ids=["cross-site", "same-site", "fetch-metadata-wins", "origin", "null", "scheme", "referer"],
)
def test_a_cross_site_comment_is_refused_and_nothing_is_stored(app, client, article, headers):
    response = send(client, headers)
    assert response.status_code == 403
    assert "sent from another site" in page_text(response)
    assert stored(app) == 0


def test_the_host_a_request_names_is_not_our_origin(app, client, article):
    """A page fetched under another Host and posted back to it: the origin is compared with SITE_URL only."""
    response = send(client, {"Origin": "http://evil.example"}, base_url="http://evil.example")
    assert response.status_code == 403 and stored(app) == 0


def test_a_signed_in_commenter_needs_their_sessions_token(app, client, article, sign_in):
    sign_in("editor")
    assert send(client, {"Sec-Fetch-Site": "same-origin"}, csrf_token="").status_code == 400
    assert send(client, {"Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert stored(app) == 1


def test_staff_forms_need_the_token_even_from_our_own_origin(app, client, article, sign_in, make_comment):
    sign_in("editor")
    with app.app_context():
        article_id = db.session.scalar(sa.text("SELECT id FROM articles"))
    comment_id = make_comment(article_id, status=__import__("blog").models.CommentStatus.PENDING)
    refused = client.post(f"/moderation/comments/{comment_id}/approve", headers={"Sec-Fetch-Site": "same-origin"})
    assert refused.status_code == 400


def test_the_desks_new_forms_need_the_token(app, client, article, sign_in, make_comment):
    """Empty Spam / Empty Trash, a confirmed delete, reply and edit from the desk (issue 22): refused without the
    session's token."""
    from blog.models import CommentStatus

    sign_in("admin")
    with app.app_context():
        article_id = db.session.scalar(sa.text("SELECT id FROM articles"))
    spam = make_comment(article_id, status=CommentStatus.SPAM)
    headers = {"Sec-Fetch-Site": "same-origin"}
    pending = make_comment(article_id, status=CommentStatus.PENDING, body="Waiting")
    for url, data in [
        ("/moderation/empty/spam", {"confirm": "yes", "upto": str(spam)}),
        (f"/moderation/comments/{spam}/delete", {"confirm": "yes"}),
        (f"/moderation/comments/{pending}/reply", {"body": "A forged reply"}),
        (f"/moderation/comments/{pending}/edit", {"body": "Forged", "name": "Forger"}),
    ]:
        assert client.post(url, data=data, headers=headers).status_code == 400, url
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM comments")) == 2
        assert db.session.scalar(sa.text("SELECT count(*) FROM comment_revisions")) == 0
        assert db.session.scalar(sa.text("SELECT status FROM comments WHERE body_text = 'Waiting'")) == "pending"


# --- the JSON API's comment route: the origin check, and JSON only (a cross-site form cannot send JSON) ----------


def api_send(client, headers: dict, **kwargs):
    token = client.get("/api/v1/articles/harbour").get_json()["comment_form_token"]
    body = {"name": "Pat Reader", "email": "pat@example.net", "body": "Nice piece.", "ts": token}
    return client.post("/api/v1/articles/harbour/comments", headers=headers, **({"json": body} | kwargs))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://blog.localhost"},
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
    ],
    ids=["cross-site", "same-site", "origin", "referer"],
)
def test_the_apis_comment_route_refuses_other_sites(app, client, article, headers):
    response = api_send(client, headers)
    assert response.status_code == 403 and response.content_type == "application/problem+json"
    assert stored(app) == 0


def test_the_apis_comment_route_takes_json_only(app, client, article):
    form = api_send(client, {"Sec-Fetch-Site": "same-origin"}, json=None, data={"name": "Pat", "body": "Hi"})
    plain = api_send(client, {}, json=None, data='{"name": "Pat"}', content_type="text/plain")
    assert (form.status_code, plain.status_code) == (415, 415)
    assert api_send(client, {"Sec-Fetch-Site": "same-origin"}).status_code == 201
    assert stored(app) == 1


def test_the_apis_comment_route_ignores_a_signed_in_session(app, client, article, sign_in):
    sign_in("editor")  # its session cookie proves nothing here: no CSRF token needed, no editor's rights either
    response = api_send(client, {"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201 and response.get_json()["status"] == "pending"


# --- Readers' reports of comments (an anonymous public POST) and the staff's commenter actions ----------------------


@pytest.fixture
def published_comment(app, article, make_comment) -> int:
    with app.app_context():
        article_id = db.session.scalar(sa.text("SELECT id FROM articles"))
    return make_comment(article_id)


def reports(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("SELECT count(*) FROM comment_reports"))


@pytest.mark.parametrize(
    ("headers", "answer", "counted"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, 200, 1),
        ({"Origin": SITE}, 200, 1),
        ({}, 200, 1),  # a program, not a browser
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403, 0),
        ({"Sec-Fetch-Site": "same-site", "Origin": "http://blog.localhost"}, 403, 0),
        ({"Origin": "null"}, 403, 0),
        ({"Referer": "https://evil.example/page"}, 403, 0),
    ],
    ids=["same-origin", "origin", "no-headers", "cross-site", "same-site", "null", "referer"],
)
def test_an_anonymous_report_passes_the_origin_check(app, client, published_comment, headers, answer, counted):
    response = client.post(f"/articles/harbour/comments/{published_comment}/report", headers=headers)
    assert response.status_code == answer
    assert reports(app) == counted


def test_a_signed_in_readers_report_needs_their_sessions_token(app, client, published_comment, sign_in):
    sign_in("editor")
    url = f"/articles/harbour/comments/{published_comment}/report"
    assert client.post(url, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 400
    token = form_fields(client.get(url).get_data(as_text=True), "//main//form[@method='post']")["csrf_token"]
    assert client.post(url, data={"csrf_token": token}, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert reports(app) == 1


def test_banning_keeping_and_lifting_need_the_staff_token(app, client, published_comment, sign_in):
    sign_in("admin")
    token = form_fields(client.get("/editorial/settings").get_data(as_text=True), "//main//form")["csrf_token"]
    same = {"Sec-Fetch-Site": "same-origin"}
    ban = {"comment_id": str(published_comment), "kind": "address", "confirm": "yes"}
    assert client.post("/moderation/bans", data=ban, headers=same).status_code == 400
    assert client.post("/moderation/bans", data={**ban, "csrf_token": token}, headers=same).status_code == 303
    keep = f"/moderation/comments/{published_comment}/reports/keep"
    assert client.post(keep, headers=same).status_code == 400
    assert client.post(keep, data={"csrf_token": token}, headers=same).status_code == 303
    with app.app_context():
        ban_id = db.session.scalar(sa.text("SELECT id FROM commenter_bans"))
    lift = f"/editorial/settings/bans/{ban_id}/revoke"
    assert client.post(lift, headers=same).status_code == 400
    assert client.post(lift, data={"csrf_token": token}, headers=same).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM commenter_bans")) == 0
