"""What the app tells browsers and what it trusts: security headers, proxy headers, the secret key."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from blog.config import DEFAULT_SECRET_KEY

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


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key instead of per request
    (3 % of a cached article page's time: most readers get a new session, for their CSRF token)."""

    _built: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._built[0] != keys:
            self._built = (keys, super().get_signing_serializer(app))
        return self._built[1]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.after_request(_add_headers)
    hops = {name: int(app.config[f"PROXY_FIX_X_{name.upper()}"]) for name in _PROXY_HEADERS}
    if any(hops.values()):  # trust X-Forwarded-* only from as many proxies as configured
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{name}": n for name, n in hops.items()})


def _add_headers(response: Response) -> Response:
    """Each header unless the view set its own (one pass over the response's headers, not one per header)."""
    present = {key.lower() for key in response.headers.keys()}
    wanted = [("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"]), *HEADERS.items()]
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", HSTS))
    response.headers.extend((name, value) for name, value in wanted if name.lower() not in present)
    return response


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
