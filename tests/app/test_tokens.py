"""Signed tokens made cheaply (blog/security.py): what they say and who reads them must not change.

A new reader of a cached article page costs three signatures (session cookie, CSRF token, form
timestamp); these are made without a zlib attempt and with serializers built once, and must stay
readable by the standard readers: Flask's session, Flask-WTF's ``validate_csrf``, itsdangerous.
"""

import hashlib
import os
import warnings
import zlib
from datetime import UTC, datetime

import flask.sessions
import pytest
from flask import g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode
from itsdangerous.signer import NoneAlgorithm

from blog.security import SMALL_PAYLOAD, SessionInterface, TokenSerializer, csrf_token
from tests.helpers import form_fields


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_790_000_000)
    # A permanent session's Expires comes from datetime.now(): two saves a second boundary apart differed.
    expires = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(flask.sessions.SessionInterface, "get_expiration_time",
                        lambda self, app, session: expires if session.permanent else None)


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


@pytest.mark.parametrize(
    "session_data",
    [
        {"csrf_token": hashlib.sha1(os.urandom(64)).hexdigest()},  # a new reader's: written without tagging
        {"csrf_token": "a", "_user_id": "7", "_fresh": "x", "note": "caf\u00e9 \u2603 <b>"},  # sorted, ASCII
        {" di": "a plain string under a tag's name"},  # looks like a tagged dict: tagged as Flask would
        {"csrf_token": "a", "pending_comments": [12, 13], "_fresh": True, "when": (1, 2), "raw": b"\x00"},
    ],
)
def test_sessions_are_written_as_flask_would(app, frozen_clock, session_data):
    flask_own = SecureCookieSessionInterface().get_signing_serializer(app)
    ours = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        mine, theirs = ours.dumps(session_data), flask_own.dumps(session_data)
        assert json_of(mine) == json_of(theirs)
        assert mine == theirs or theirs.startswith(".")  # identical, unless zlib shortened Flask's
        assert flask_own.loads(mine) == session_data


A_SECRET = hashlib.sha1(os.urandom(64)).hexdigest()
RANDOM_TEXT = os.urandom(3000).hex()  # does not compress


class FlaskSaving(SessionInterface):
    """Our interface with Flask's own ``save_session``: what ours must send, header for header."""

    save_session = SecureCookieSessionInterface.save_session


@pytest.mark.parametrize(
    "settings",
    [
        {},  # as tests run: not Secure
        {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_DOMAIN": "courier.example",
         "SESSION_COOKIE_PATH": "/news", "SESSION_COOKIE_NAME": "courier"},
        {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": None, "SESSION_COOKIE_HTTPONLY": False,
         "SESSION_COOKIE_PARTITIONED": True},
    ],
)
@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(csrf_token=A_SECRET),  # a new reader's session
        lambda s: s.update(csrf_token="a", pending_comments=[12, 13], _fresh=True),
        lambda s: s.update(_flashes=[["message", "Thanks! " * 400]]),  # compressed
        lambda s: s.update(csrf_token="a", note=RANDOM_TEXT),  # too long: werkzeug warns, Flask's way
        lambda s: (s.update(csrf_token="a"), setattr(s, "permanent", True)),  # permanent: Flask's way
        lambda s: s.clear(),  # nothing to keep
    ],
)
def test_a_saved_session_sends_what_flask_would(app, frozen_clock, settings, change):
    app.config.update(settings)

    def sent(interface) -> tuple[list[str], str | None]:
        with app.test_request_context("/"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "the cookie is too large": the same from both
            session = interface.open_session(app, request)
            change(session)
            response = app.response_class("page")
            interface.save_session(app, session, response)
            return response.headers.getlist("Set-Cookie"), response.headers.get("Vary")

    assert sent(app.session_interface) == sent(FlaskSaving())


def json_of(token: str) -> bytes:
    """The JSON a signed token carries (decompressed when itsdangerous compressed it)."""
    payload = token.rsplit(".", 2)[0]
    return zlib.decompress(base64_decode(payload[1:])) if payload.startswith(".") else base64_decode(payload)


def test_signatures_with_another_algorithm_are_still_made_by_it(frozen_clock):
    ours = TokenSerializer("k" * 32, salt="s", signer_kwargs={"digest_method": hashlib.sha512})
    theirs = URLSafeTimedSerializer("k" * 32, salt="s", signer_kwargs={"digest_method": hashlib.sha512})
    assert ours.dumps("x") == theirs.dumps("x") and len(ours.dumps("x")) > 90  # a SHA-512 signature
    plain = TokenSerializer("k" * 32, salt="s", signer_kwargs={"algorithm": NoneAlgorithm()})
    assert plain.dumps("x") == URLSafeTimedSerializer("k" * 32, salt="s", signer_kwargs={"algorithm": NoneAlgorithm()}).dumps("x")


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
