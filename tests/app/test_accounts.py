"""Signing in and out: passwords, deactivation, rate limits, safe redirects."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import User
from tests.conftest import PASSWORD
from tests.helpers import page_text, parse


@pytest.fixture
def author(make_user):
    return make_user("Nadia Okafor", email="nadia@example.org", password=PASSWORD)


def test_sign_in_and_out(client, author):
    page = parse(client.get("/login"))
    assert page.xpath("//input[@name='email']/@autocomplete") == ["username"]
    response = client.post("/login", data={"email": "Nadia@Example.org", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/editorial/"  # an author lands on their articles
    assert "Nadia Okafor" in page_text(client.get("/account/profile"))
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/account/profile").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, author):
    wrong = client.post("/login", data={"email": "nadia@example.org", "password": "nope"})
    unknown = client.post("/login", data={"email": "who@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    message = "That email and password don't match an active account."
    assert message in page_text(wrong) and message in page_text(unknown)
    assert client.get("/account/profile").status_code == 302


def test_deactivated_user_cannot_sign_in_and_their_session_stops(app, client, author):
    assert client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD}).status_code == 303
    with app.app_context():
        db.session.get(User, author).is_active = False
        db.session.commit()
    response = client.get("/account/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD}).status_code == 422


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/moderation/?status=spam", "/moderation/?status=spam"),
        ("https://evil.example/", "/editorial/"),
        ("//evil.example/x", "/editorial/"),
        ("/\\evil.example", "/editorial/"),
        ("javascript:alert(1)", "/editorial/"),
        ("", "/editorial/"),
    ],
)
def test_only_local_next_redirects(client, author, target, expected):
    response = client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client, make_user):
    make_user("Ed Itor", role="editor", email="ed@example.org", password=PASSWORD)
    response = client.get("/moderation/?status=spam")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    form = parse(client.get(login_url))
    next_value = form.xpath("//input[@name='next']/@value")[0]
    response = client.post("/login", data={"email": "ed@example.org", "password": PASSWORD, "next": next_value})
    assert response.headers["Location"] == "/moderation/?status=spam"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_ACCOUNT="3/minute", LOGIN_RATE_LIMIT_IP="100/minute")
def test_failed_sign_ins_are_rate_limited_per_account(client, author):
    for _ in range(3):
        assert client.post("/login", data={"email": "nadia@example.org", "password": "bad"}).status_code == 422
    response = client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in page_text(response)
    # another account from the same client is not locked out by this one
    assert client.post("/login", data={"email": "other@example.org", "password": "bad"}).status_code == 422


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_ACCOUNT="100/minute", LOGIN_RATE_LIMIT_IP="4/minute")
def test_failed_sign_ins_are_rate_limited_per_ip(client, author):
    for n in range(4):
        assert client.post("/login", data={"email": f"guess{n}@example.org", "password": "bad"}).status_code == 422
    assert client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD}).status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_ACCOUNT="2/minute", LOGIN_RATE_LIMIT_IP="2/minute")
def test_successful_sign_ins_do_not_count(client, author):
    for _ in range(4):
        assert client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD}).status_code == 303
        client.post("/logout")


def test_session_cookie_flags(app, client, author):
    client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD})
    cookie = client.get_cookie("blog_session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_login_and_logout_need_the_csrf_token(client, author):
    assert client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD}).status_code == 400
    token = parse(client.get("/login")).xpath("//input[@name='csrf_token']/@value")[0]
    assert (
        client.post(
            "/login", data={"email": "nadia@example.org", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 303
    )
    assert client.post("/logout").status_code == 400


def test_passwords_are_scrypt_hashes(app, author):
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash)).startswith("scrypt:")
