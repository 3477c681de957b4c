"""Links: absolute URLs and permanent ids for what leaves the site (canonical links, feeds,
sitemaps), and the ``url_for`` templates use.

With ``SITE_URL`` set (e.g. ``https://courier.example``) every absolute URL uses it, whatever
host a request came in on, so search engines and feed readers see one address per page. Without
it, the request's own scheme and host are used (development, tests).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for


def external_url(endpoint: str, **values) -> str:
    """The absolute, canonical URL of an endpoint."""
    base = current_app.config.get("SITE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def tag_uri(kind: str, ident: int, created: datetime) -> str:
    """A permanent Atom id (RFC 4151): ``tag:<host>,<creation date>:<kind>/<id>``.

    It names the thing, not its address, so it survives a changed slug; the date is when the
    thing was created, which never changes either.
    """
    base = current_app.config.get("SITE_URL") or request.host_url
    host = urlsplit(base).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:{kind}/{ident}"


PATHS_KEPT = 4096  # per process: a page links some twenty addresses, most of them shared with other pages
_PLAIN = (str, int)  # the values a remembered address may be built from: exactly these (not bool, not float)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = remembering_url_for(app)


def remembering_url_for(app: Flask) -> Callable[..., str]:
    """Flask's ``url_for`` for templates, remembering the paths it built.

    Building an address is ~5 µs (Flask's checks, then Werkzeug's rule lookup and quoting) and an article
    page builds twenty, the same ones on every request: remembered, a lookup is under 1 µs. A path is a
    function of the URL map (fixed once the app serves), the endpoint, the values and the application's
    root (``SCRIPT_NAME``, part of the key), so a remembered one is always the one Flask would build.
    Anything else goes to Flask each time: an absolute URL (``_external``, ``_scheme``: they depend on
    the request's host), ``_method``, a blueprint-relative endpoint, values other than ``str``/``int``,
    a template rendered outside a request (``SERVER_NAME`` decides there), and every call once the app
    has ``url_defaults`` functions (they may add values from the request).
    """
    build = app.url_for

    @functools.lru_cache(maxsize=PATHS_KEPT)
    def remembered(root: str, endpoint: str, items: tuple[tuple[str, str | int], ...]) -> str:
        return build(endpoint, **dict(items))

    def url_for(endpoint: str, /, **values) -> str:
        if endpoint[:1] == "." or any(app.url_default_functions.values()) or not has_request_context():
            return build(endpoint, **values)
        for key, value in values.items():
            if value.__class__ not in _PLAIN or (key[:1] == "_" and key != "_anchor"):
                return build(endpoint, **values)
        return remembered(request.root_path, endpoint, tuple(values.items()))

    url_for.cache_info = remembered.cache_info  # type: ignore[attr-defined]
    return url_for
