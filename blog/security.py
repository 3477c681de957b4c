"""What the app tells browsers and what it trusts: security headers, proxy headers, the production settings it
refuses to start without, and the origin check that protects anonymous forms from cross-site forgery.

Forgery protection comes in four classes, one rule each (docs/architecture.md, "Cross-site forgery"):
pages of signed-in people carry Flask-WTF's session token; anonymous public POSTs pass ``origin_check``;
signed single-purpose links are protected by their signature; the staff API takes bearer tokens only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, MultiFernet
from flask import Flask, abort, current_app, request
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


class InsecureSettings(RuntimeError):
    """Production refuses to start with the development secret key, or without the site's address."""


def content_security_policy(policy: str, media_origin: str | None) -> str:
    """The CSP, with pictures also allowed from ``MEDIA_ORIGIN`` (a CDN serving our /media/ files) when set."""
    origin = _origin(media_origin or "")
    if origin is None:
        return policy
    scheme, host, port = origin
    default_port = 443 if scheme == "https" else 80
    source = f"{scheme}://{host}" + ("" if port == default_port else f":{port}")
    return policy.replace("img-src 'self'", f"img-src 'self' {source}", 1)


def init_app(app: Flask) -> None:
    policy = content_security_policy(app.config["CONTENT_SECURITY_POLICY"], app.config.get("MEDIA_ORIGIN"))
    headers = {"Content-Security-Policy": policy, **HEADERS}

    @app.after_request
    def add_security_headers(response):
        present = {name.lower() for name, _ in response.headers}  # a view that set its own keeps it
        response.headers.extend([(name, value) for name, value in headers.items() if name.lower() not in present])
        if request.is_secure and "strict-transport-security" not in present:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    hops = {name: int(app.config[f"PROXY_FIX_X_{name.upper()}"]) for name in _PROXY_HEADERS}
    if any(hops.values()):  # trust X-Forwarded-* only from as many proxies as configured
        proxied = ProxyFix(app.wsgi_app, **{f"x_{name}": n for name, n in hops.items()})
        app.wsgi_app = proxied  # type: ignore[method-assign]  # Flask's documented way to wrap the app in a middleware


CROSS_SITE = (
    "This form was sent from another site, so it was refused and nothing was stored. "
    "If you meant to send it, open the page on this site and send it from there."
)


def origin_check() -> None:
    """Refuse (403) a POST that a browser sent from another site; for anonymous forms, which carry no token.

    A browser says where a request comes from: ``Sec-Fetch-Site`` (same-origin, or none for one the person
    typed) or, lacking it, ``Origin`` / ``Referer``, which must be this site's own origin as ``SITE_URL``
    names it — never the ``Host`` header, which the sender chooses, and behind a TLS proxy the request's own
    URL may say ``http://``. A sibling subdomain is ``same-site``, not ours. A request with none of the three
    comes from a program, not a browser: it cannot carry a victim's cookies, so it is let through.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in ("same-origin", "none"):
            abort(403, CROSS_SITE)
        return
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if claimed is None:
        return
    theirs = _origin(claimed)  # None for "Origin: null" (a sandboxed frame, a redirect): refused too
    if theirs is None or theirs != _origin(current_app.config.get("SITE_URL") or ""):
        abort(403, CROSS_SITE)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a malformed port or bracketed host
        return None
    if scheme not in ("http", "https") or not host:
        return None
    return scheme, host, port or (443 if scheme == "https" else 80)


def require_production_settings(app: Flask) -> None:
    """Stop a production start (not debug, not testing) that would sign sessions with a known key, or build
    its links from whatever ``Host`` a request names."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY")
    if not key or not str(key).strip() or key == DEFAULT_SECRET_KEY:
        raise InsecureSettings(
            "Refusing to start: SECRET_KEY is "
            + ("empty" if not key or not str(key).strip() else "the development default")
            + ". Set the SECRET_KEY environment variable (or SECRET_KEY in instance/config.py) to a long random "
            "value, e.g. the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if not app.config.get("SITE_URL"):
        raise InsecureSettings(
            "Refusing to start: BLOG_SITE_URL is not set. Set it (or SITE_URL in instance/config.py) to the "
            "address readers use, e.g. BLOG_SITE_URL=https://news.example.org: canonical links, feeds and mail "
            "are built from it, and requests for any other host name are refused."
        )


def cipher(purpose: bytes) -> MultiFernet:
    """Authenticated encryption for one purpose (a cookie, a mailed link): what it seals is unreadable to whoever
    holds it, and carries its creation time for ``decrypt(ttl=…)``. The key is derived one way from
    ``SECRET_KEY`` and ``purpose``, so a value sealed for one purpose never opens for another; values sealed
    under ``SECRET_KEY_FALLBACKS`` still open during a key rotation."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([Fernet(_fernet_key(key, purpose)) for key in keys])


def _fernet_key(secret_key: str | bytes, purpose: bytes) -> bytes:
    """A Fernet key (32 bytes, URL-safe base64) derived one way from a secret key, for one purpose only."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return base64.urlsafe_b64encode(hmac.new(secret, purpose, hashlib.sha256).digest())
