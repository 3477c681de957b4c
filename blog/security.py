"""What the app tells browsers and what it trusts: security headers, proxy headers, the secret key."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re

from flask import Flask, current_app, g, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm
from itsdangerous.url_safe import URLSafeSerializerMixin
from werkzeug.http import dump_cookie
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.config import DEFAULT_SECRET_KEY
from blog.extensions import csrf

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "X-Frame-Options": "DENY",  # for browsers that predate CSP's frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # only ever sent over HTTPS
_PROXY_HEADERS = ("for", "proto", "host", "port", "prefix")


class InsecureSecretKey(RuntimeError):
    """Production refuses to start with the development secret key or none."""


SMALL_PAYLOAD = 128  # bytes of JSON
_COOKIE_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")  # a signed session as itsdangerous writes it: never quoted
_PLACEHOLDER = "PLACEHOLDER7c1b9e"


class _KeyOnceSigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving its signing key once instead of for every signature, and
    signing in one call to OpenSSL (``hmac.digest``) rather than through the pure-Python ``hmac.HMAC``
    that itsdangerous's and Flask's lazy ``sha1`` wrapper leads to. The same signature either way."""

    @functools.cached_property
    def _signing_key(self) -> bytes:
        return super().derive_key()

    @functools.cached_property
    def _digest_name(self) -> str | None:
        """e.g. ``"sha1"`` for an HMAC with a hashlib digest; None for anything else (signed the usual way)."""
        return self.algorithm.digest_method().name if type(self.algorithm) is HMACAlgorithm else None

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return self._signing_key if secret_key is None else super().derive_key(secret_key)

    def get_signature(self, value: str | bytes) -> bytes:
        if self._digest_name is None:
            return super().get_signature(value)
        return base64_encode(hmac.digest(self._signing_key, want_bytes(value), self._digest_name))


class SessionJSON(TaggedJSONSerializer):
    """Flask's session serializer; a session of plain strings (a new reader's holds just the CSRF secret)
    is written without the tagging walk, as the same JSON (Flask's default provider: sorted keys, ASCII)."""

    def dumps(self, value) -> str:
        if type(value) is dict and all(type(k) is str and type(v) is str for k, v in value.items()) and not (
            len(value) == 1 and next(iter(value)) in self.tags  # would be tagged as a dict ({" di": …})
        ):
            return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
        return super().dumps(value)


class TokenSerializer(URLSafeTimedSerializer):
    """itsdangerous's URL-safe timed serializer without the zlib attempt on small payloads.

    Trying zlib costs ~14 µs, most of the cost of signing a session cookie or a form token (a new reader
    of a cached article page needs three), and it cannot pay off on a payload of random token characters:
    for those the standard serializer writes exactly what this one does. Payloads from SMALL_PAYLOAD bytes
    on are compressed as before, and ``loads`` (the standard one) reads both kinds. Its signers are built
    once per salt and derive their key once.
    """

    default_signer = _KeyOnceSigner

    def dump_payload(self, obj) -> bytes:
        json = super(URLSafeSerializerMixin, self).dump_payload(obj)
        return base64_encode(json) if len(json) < SMALL_PAYLOAD else super().dump_payload(obj)

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        """One signer per salt, kept: itsdangerous builds a new one (and derives its key) for every token."""
        signers = self.__dict__.setdefault("_signers", {})
        if salt not in signers:
            signers[salt] = super().make_signer(salt)
        return signers[salt]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key instead of per request
    (most readers get a new session, for their CSRF token) and as a ``TokenSerializer`` with ``SessionJSON``."""

    serializer = SessionJSON()
    _built: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)
    _templates: dict[tuple, tuple[str, str]] = {}

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's, with the commonest write made cheap: a changed session that is not permanent (most
        often a new reader's, holding their CSRF secret) gets ``new_session_cookie``'s header. Anything
        else (a removal, a refresh, a permanent session, a value werkzeug would quote or find too long)
        goes Flask's way."""
        if not (session.modified and session and not session.permanent):
            return super().save_session(app, session, response)
        header = self.new_session_cookie(app, dict(session), response.max_cookie_size)
        if header is None:
            return super().save_session(app, session, response)
        response.headers.add("Set-Cookie", header)
        response.vary.add("Cookie")

    def new_session_cookie(self, app: Flask, data: dict, max_size: int) -> str | None:
        """The ``Set-Cookie`` header for a new, non-permanent session holding ``data``, as Flask would write
        it, or None when werkzeug would write it differently (a value it quotes, or longer than ``max_size``).

        It is werkzeug's own header for these settings, made once with a placeholder value and filled in:
        werkzeug's ``set_cookie`` and the rest of Flask's steps cost a cached page ~20 µs."""
        attributes = (
            self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app),
            self.get_cookie_secure(app), self.get_cookie_partitioned(app), self.get_cookie_samesite(app),
            self.get_cookie_httponly(app),
        )
        value = self.get_signing_serializer(app).dumps(data)
        prefix, suffix = self._template(attributes)
        if _COOKIE_PLAIN.fullmatch(value) and len(prefix) + len(value) + len(suffix) <= max_size:
            return f"{prefix}{value}{suffix}"
        return None

    def _template(self, attributes: tuple) -> tuple[str, str]:
        """What werkzeug writes before and after a cookie's value, for these attributes."""
        if attributes not in self._templates:
            name, domain, path, secure, partitioned, samesite, httponly = attributes
            header = dump_cookie(name, _PLACEHOLDER, domain=domain, path=path, secure=secure, httponly=httponly,
                                 samesite=samesite, partitioned=partitioned)
            prefix, suffix = header.split(_PLACEHOLDER, 1)
            self._templates[attributes] = (prefix, suffix)
        return self._templates[attributes]

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._built[0] != keys:
            flask_own = super().get_signing_serializer(app)
            self._built = (keys, flask_own and TokenSerializer(
                flask_own.secret_keys, salt=flask_own.salt, serializer=flask_own.serializer,
                signer_kwargs=flask_own.signer_kwargs,
            ))
        return self._built[1]


def csrf_token() -> str:
    """Flask-WTF's ``generate_csrf()``, cheaper: the same secret in the session, the same token (its
    ``validate_csrf`` checks it) kept in the same place in ``g`` (so either may be called in a request),
    signed by a serializer built once per key, without zlib."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if field not in g:
        if field not in session:
            session[field] = new_csrf_secret()
        setattr(g, field, sign_csrf_secret(session[field]))
    return g.get(field)


def new_csrf_secret() -> str:
    """A session's CSRF secret, made as Flask-WTF makes it."""
    return hashlib.sha1(os.urandom(64)).hexdigest()


def sign_csrf_secret(secret: str) -> str:
    """The form token for a session's CSRF secret (in an app context)."""
    config = current_app.config
    return _csrf_serializer(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key).dumps(secret)


@functools.lru_cache(maxsize=4)
def _csrf_serializer(secret_key: str) -> TokenSerializer:
    return TokenSerializer(secret_key, salt="wtf-csrf-token")  # Flask-WTF's salt


def check_csrf() -> None:
    """Flask-WTF's CSRF check (with its exemptions) for the methods it covers, ``WTF_CSRF_METHODS``.

    Registered instead of Flask-WTF's own hook (``WTF_CSRF_CHECK_DEFAULT`` is off, as its docs suggest for
    calling ``protect()`` yourself): that one looks up the view's exemptions on every request, GETs
    included, before it finds the method safe: ~8 µs of a cached page's ~220.
    """
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
        csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.wsgi_app = SecurityHeaders(
        app.wsgi_app, {"Content-Security-Policy": app.config["CONTENT_SECURITY_POLICY"], **HEADERS}
    )
    hops = {name: int(app.config[f"PROXY_FIX_X_{name.upper()}"]) for name in _PROXY_HEADERS}
    if any(hops.values()):  # trust X-Forwarded-* only from as many proxies as configured
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{name}": n for name, n in hops.items()})


class SecurityHeaders:
    """WSGI middleware: each of ``headers`` on every response unless the app set its own, and HSTS over HTTPS.

    At the WSGI edge rather than in an ``after_request`` hook: the values are ours and fixed, so they are
    appended to the header list as they are, not parsed and checked one by one into Werkzeug's ``Headers``
    (that cost a cached page ~20 µs); and no response can miss them. Inside ProxyFix, which has set the
    scheme by then.
    """

    def __init__(self, wsgi_app, headers: dict[str, str]) -> None:
        self.wsgi_app = wsgi_app
        self.headers = [(name.lower(), (name, value)) for name, value in headers.items()]
        self.hsts = [*self.headers, ("strict-transport-security", ("Strict-Transport-Security", HSTS))]

    def __call__(self, environ: dict, start_response):
        wanted = self.hsts if environ.get("wsgi.url_scheme") == "https" else self.headers

        def start(status: str, headers: list, exc_info=None):
            present = {name.lower() for name, _ in headers}
            return start_response(
                status, headers + [header for name, header in wanted if name not in present], exc_info
            )

        return self.wsgi_app(environ, start)


def require_secret_key(app: Flask) -> None:
    """Stop a production start (not debug, not testing) that would sign sessions with a known key."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY")
    if not key or not str(key).strip() or key == DEFAULT_SECRET_KEY:
        raise InsecureSecretKey(
            "Refusing to start: SECRET_KEY is "
            + ("empty" if not key or not str(key).strip() else "the development default")
            + ". Set the SECRET_KEY environment variable (or SECRET_KEY in instance/config.py) to a long random "
            "value, e.g. the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
