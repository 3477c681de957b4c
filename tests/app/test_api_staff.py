"""The staff API: personal access tokens (made and revoked on the profile page, hashed, logged, scoped) for the
moderation queue and its actions and for articles."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import ApiToken, Article, Comment, CommentStatus, OutboxMail, SecurityLogEntry
from blog.orm import utcnow
from tests.helpers import form_fields, parse

API = "/api/v1"


@pytest.fixture
def make_token(client):
    """``make_token("read", "moderate")`` as the signed-in person, through the profile page; returns the secret."""

    def make(*scopes: str, name: str = "desk script") -> str:
        page = client.get("/account/profile").get_data(as_text=True)
        fields = form_fields(page, "//form[@action='/account/tokens']")
        fields.pop("scope_read", None)
        data = {**fields, "name": name, **{f"scope_{scope}": "y" for scope in scopes}}
        response = client.post("/account/tokens", data=data)
        assert response.status_code == 201, response.get_data(as_text=True)[:500]
        assert "private" in response.headers["Cache-Control"]
        html = response.get_data(as_text=True)
        secret = html.split('class="token-secret">')[1].split("<")[0]
        client._cookies.clear()  # sign out: the API calls that follow carry the token alone
        return secret

    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_made_shown_once_stored_hashed_and_logged(app, client, sign_in, make_token):
    user_id = sign_in("editor")
    secret = make_token("read", "moderate")
    assert secret.startswith("cbt_") and len(secret) > 40
    with app.app_context():
        token = db.session.scalars(sa.select(ApiToken)).one()
        assert token.user_id == user_id and token.scopes == "read moderate"
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in repr(token.__dict__)
        events = db.session.scalars(sa.select(SecurityLogEntry.event)).all()
        assert "api-token-created" in events
    assert client.get(f"{API}/moderation/comments", headers=bearer(secret)).status_code == 200


def test_a_revoked_token_stops_working_and_is_logged(app, client, sign_in, make_token):
    sign_in("editor")
    secret = make_token("moderate")
    assert client.get(f"{API}/moderation/comments", headers=bearer(secret)).status_code == 200
    sign_in("editor", email="second@example.org")  # another editor may not revoke it
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    page = client.get("/account/profile").get_data(as_text=True)
    csrf = form_fields(page, "//form[@action='/account/tokens']").get("csrf_token", "")
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"{API}/moderation/comments", headers=bearer(secret)).status_code == 200


def test_the_owner_revokes_a_token(app, client, sign_in, make_token):
    sign_in("editor", email="owner@example.org")
    secret = make_token("moderate")
    from tests.conftest import PASSWORD

    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    profile = client.get("/account/profile").get_data(as_text=True)
    assert "desk script" in profile and secret not in profile  # shown once only
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    csrf = form_fields(profile, "//form[@action='/account/tokens']").get("csrf_token", "")
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303
    refused = client.get(f"{API}/moderation/comments", headers=bearer(secret))
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"
    assert "invalid_token" in refused.headers["WWW-Authenticate"]
    with app.app_context():
        assert "api-token-revoked" in db.session.scalars(sa.select(SecurityLogEntry.event)).all()


def test_an_author_cannot_make_a_moderate_token(client, sign_in):
    sign_in("author")
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'name="scope_moderate"' not in page
    fields = form_fields(page, "//form[@action='/account/tokens']")
    response = client.post("/account/tokens", data={**fields, "name": "sneaky", "scope_moderate": "y"})
    assert response.status_code == 422 and "may not hold the scope moderate" in response.get_data(as_text=True)


def test_the_session_cookie_is_no_authority_on_the_staff_api(client, sign_in):
    sign_in("admin")
    response = client.get(f"{API}/moderation/comments")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer cbt_not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "cbt_abc"])
def test_a_bad_token_is_a_401(client, header):
    response = client.get(f"{API}/staff/articles", headers={"Authorization": header})
    assert response.status_code == 401 and response.content_type == "application/problem+json"


def test_the_moderation_queue_and_actions(app, client, sign_in, make_token, make_article, make_comment):
    article = make_article("Harbour vote", slug="harbour-vote")
    held = make_comment(article, name="Held Back", email="held@example.net", status=CommentStatus.PENDING)
    sign_in("editor")
    secret = make_token("moderate")
    queue = client.get(f"{API}/moderation/comments", headers=bearer(secret))
    body = queue.get_json()
    assert [c["author_email"] for c in body["items"]] == ["held@example.net"]  # staff see the address
    assert body["counts"]["pending"] == 1 and "private" in queue.headers["Cache-Control"]
    done = client.post(f"{API}/moderation/comments/{held}/approve", headers=bearer(secret))
    assert done.status_code == 200
    assert done.get_json() == {"id": held, "action": "approve", "status": "approved", "changed": True}
    again = client.post(f"{API}/moderation/comments/{held}/approve", headers=bearer(secret))  # idempotent
    assert again.status_code == 200 and again.get_json()["changed"] is False
    trash_from_approved = client.post(f"{API}/moderation/comments/{held}/delete", headers=bearer(secret))
    assert trash_from_approved.status_code == 409  # only spam or trash is deleted for good
    with app.app_context():
        assert db.session.get(Comment, held).status is CommentStatus.APPROVED
    public = client.get(f"{API}/articles/harbour-vote/comments").get_json()
    assert [c["author_name"] for c in public["items"]] == ["Held Back"]


def test_a_token_without_the_scope_is_refused(client, sign_in, make_token):
    sign_in("editor")
    secret = make_token("read")
    response = client.get(f"{API}/moderation/comments", headers=bearer(secret))
    assert response.status_code == 403 and "insufficient_scope" in response.headers["WWW-Authenticate"]


def test_a_lowered_role_lowers_the_token(app, client, sign_in, make_token):
    from blog.models import Role, User

    user_id = sign_in("editor")
    secret = make_token("moderate")
    with app.app_context():
        db.session.get(User, user_id).role = Role.AUTHOR
        db.session.commit()
    assert client.get(f"{API}/moderation/comments", headers=bearer(secret)).status_code == 403


def test_articles_authors_write_drafts_editors_publish(app, client, sign_in, make_token):
    sign_in("author", name="Ada Author")
    author = make_token("read", "write")
    made = client.post(
        f"{API}/staff/articles",
        json={"title": "Tide tables", "body": "High *water*.", "tags": ["Harbour"]},
        headers=bearer(author),
    )
    assert made.status_code == 201, made.get_json()
    article = made.get_json()
    assert article["status"] == "draft" and article["author_name"] == "Ada Author" and article["url"] is None
    refused = client.post(f"{API}/staff/articles/{article['id']}/publish", headers=bearer(author))
    assert refused.status_code == 403
    listed = client.get(f"{API}/staff/articles", headers=bearer(author)).get_json()
    assert [a["slug"] for a in listed["items"]] == ["tide-tables"]
    sign_in("editor")
    editor = make_token("write")
    published = client.post(f"{API}/staff/articles/{article['id']}/publish", json={}, headers=bearer(editor))
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert client.get(f"{API}/articles/tide-tables").status_code == 200
    duplicate = client.post(
        f"{API}/staff/articles", json={"title": "Again", "slug": "tide-tables"}, headers=bearer(editor)
    )
    assert duplicate.status_code == 409


def test_an_author_reads_only_their_own_articles(client, sign_in, make_token, make_article):
    other = make_article("Someone else's", slug="elsewhere", published=False)
    sign_in("author")
    secret = make_token("read")
    response = client.get(f"{API}/staff/articles/{other}", headers=bearer(secret))
    assert response.status_code == 403
    assert client.get(f"{API}/staff/articles/999999", headers=bearer(secret)).status_code in (403, 404)


def test_an_author_updates_their_draft_but_not_once_published(client, sign_in, make_token):
    sign_in("author")
    author = make_token("read", "write")
    made = client.post(f"{API}/staff/articles", json={"title": "Ferry fares"}, headers=bearer(author)).get_json()
    changed = client.put(
        f"{API}/staff/articles/{made['id']}",
        json={"title": "Ferry fares rise", "body": "By a *tenth*.", "tags": ["Ferries"]},
        headers=bearer(author),
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["title"] == "Ferry fares rise" and changed.get_json()["tags"] == ["Ferries"]
    sign_in("editor")
    editor = make_token("write")
    assert client.post(f"{API}/staff/articles/{made['id']}/publish", headers=bearer(editor)).status_code == 200
    refused = client.put(f"{API}/staff/articles/{made['id']}", json={"title": "Sneaky"}, headers=bearer(author))
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"


def test_the_review_round_trip_and_unpublishing_through_the_api(app, client, sign_in, make_token):
    """An author submits their draft; an editor sends it back with a note (mailed to the author), publishes it once
    resubmitted, and takes it down again: each step the editorial pages offer, with the same rules."""
    sign_in("author", name="Ada Author", email="ada@example.org")
    author = make_token("read", "write")
    draft = client.post(f"{API}/staff/articles", json={"title": "Tide tables"}, headers=bearer(author)).get_json()
    steps = f"{API}/staff/articles/{draft['id']}"
    submitted = client.post(f"{steps}/submit", headers=bearer(author))
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "review"
    again = client.post(f"{steps}/submit", headers=bearer(author))
    assert again.status_code == 409 and "Only a draft" in again.get_json()["detail"]
    assert client.post(f"{steps}/unpublish", headers=bearer(author)).status_code == 403
    refused = client.post(f"{steps}/send-back", json={"note": "Add a source."}, headers=bearer(author))
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"

    sign_in("editor")
    editor = make_token("write")
    assert client.post(f"{steps}/send-back", json={"note": "   "}, headers=bearer(editor)).status_code == 422
    assert client.post(f"{steps}/send-back", data="note=x", headers=bearer(editor)).status_code == 415
    sent = client.post(f"{steps}/send-back", json={"note": "Add a source for the low water."}, headers=bearer(editor))
    assert sent.status_code == 200 and sent.get_json()["status"] == "draft"
    with app.app_context():
        article = db.session.get(Article, draft["id"])
        assert article.review_note == "Add a source for the low water."
        mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.subject.startswith("Your article"))).all()
        assert [(m.recipients, m.subject) for m in mails] == [
            (["ada@example.org"], "Your article was sent back: Tide tables")
        ]
    assert client.post(f"{steps}/send-back", json={"note": "Again?"}, headers=bearer(editor)).status_code == 409

    assert client.post(f"{steps}/submit", headers=bearer(author)).get_json()["status"] == "review"
    assert client.post(f"{steps}/publish", json={}, headers=bearer(editor)).get_json()["status"] == "published"
    assert client.get(f"{API}/articles/tide-tables").status_code == 200
    down = client.post(f"{steps}/unpublish", headers=bearer(editor))
    assert down.status_code == 200 and down.get_json()["status"] == "draft" and down.get_json()["url"] is None
    assert client.get(f"{API}/articles/tide-tables").status_code == 404
    assert client.get("/articles/tide-tables").status_code == 404


def test_a_token_expires_when_its_owner_said_and_the_profile_says_so(app, client, sign_in, make_token):
    sign_in("editor", email="expiring@example.org")
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'name="expires"' in page and "in 90 days" in page
    fields = form_fields(page, "//form[@action='/account/tokens']")
    made = client.post("/account/tokens", data={**fields, "name": "month", "scope_read": "y", "expires": "30"})
    assert made.status_code == 201
    secret = made.get_data(as_text=True).split('class="token-secret">')[1].split("<")[0]
    assert client.get(f"{API}/staff/articles", headers=bearer(secret)).status_code == 200
    with app.app_context():
        token = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "month")).one()
        assert 29 < (token.expires_at - token.created_at).days <= 30
        token.expires_at = utcnow() - timedelta(minutes=1)  # a month later
        db.session.commit()
    refused = client.get(f"{API}/staff/articles", headers=bearer(secret))
    assert refused.status_code == 401 and "expired" in refused.get_json()["detail"]
    listed = parse(client.get("/account/profile"))
    assert "expired" in listed.xpath("string(//table[@class='token-list']//tr[td='month'])")
    never = client.post("/account/tokens", data={**fields, "name": "forever", "scope_read": "y", "expires": "never"})
    assert never.status_code == 201
    bad = client.post("/account/tokens", data={**fields, "name": "odd", "scope_read": "y", "expires": "7"})
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.expires_at).where(ApiToken.name == "forever")) is None
        assert db.session.scalar(sa.select(sa.func.count()).where(ApiToken.name == "odd")) == 0
