"""Signed tokens made cheaply (blog/security.py): what they say and who reads them must not change.

A new reader of a cached article page costs three signatures (session cookie, CSRF token, form
timestamp); these are made without a zlib attempt and with serializers built once, and must stay
readable by the standard readers: Flask's session, Flask-WTF's ``validate_csrf``, itsdangerous.
"""

import hashlib
import os

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.security import SMALL_PAYLOAD, TokenSerializer, csrf_token
from tests.helpers import form_fields


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_790_000_000)


@pytest.mark.parametrize(
    "payload",
    [
        hashlib.sha1(os.urandom(64)).hexdigest(),  # a CSRF secret
        {"csrf_token": hashlib.sha1(os.urandom(64)).hexdigest()},  # a new reader's session
        {"csrf_token": hashlib.sha1(os.urandom(64)).hexdigest(), "pending_comments": [12, 13]},
        4711,  # an article id (the comment form's timestamp token)
    ],
)
def test_small_payloads_are_signed_exactly_as_itsdangerous_would(frozen_clock, payload):
    ours = TokenSerializer("k" * 32, salt="s").dumps(payload)
    assert ours == URLSafeTimedSerializer("k" * 32, salt="s").dumps(payload)
    assert URLSafeTimedSerializer("k" * 32, salt="s").loads(ours) == payload


def test_large_payloads_are_still_compressed_and_read_by_the_standard_reader():
    payload = {"_flashes": [["message", "Your comment is awaiting moderation. " * 6]]}
    assert len(str(payload)) > SMALL_PAYLOAD
    token = TokenSerializer("k" * 32, salt="s").dumps(payload)
    assert token.startswith(".")  # itsdangerous's mark of a compressed payload
    assert URLSafeTimedSerializer("k" * 32, salt="s").loads(token) == payload


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_csrf_token_is_flask_wtfs_own(app):
    with app.test_request_context("/"):
        token = csrf_token()
        assert session["csrf_token"] and g.csrf_token == token
        assert generate_csrf() == token  # one token per request, whichever is asked
        validate_csrf(token)  # raises when Flask-WTF would refuse it
    with app.test_request_context("/"):
        theirs = generate_csrf()
        assert csrf_token() == theirs


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_cached_page_token_is_accepted_by_the_comment_form(app, make_article):
    make_article("Token story", slug="token-story")
    reader = app.test_client()
    page = reader.get("/articles/token-story").get_data(as_text=True)
    fields = form_fields(page)
    response = reader.post("/articles/token-story/comments", data={
        **fields, "name": "Reader", "email": "reader@example.org", "body": "Tokens made cheaply still work.",
    })
    assert response.status_code == 303
    other = app.test_client()  # another reader's session does not accept this reader's token
    other.get("/articles/token-story")
    refused = other.post("/articles/token-story/comments", data={
        **fields, "name": "Other", "email": "other@example.org", "body": "Borrowed token.",
    })
    assert refused.status_code == 400
