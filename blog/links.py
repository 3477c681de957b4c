"""Absolute URLs and permanent ids for what leaves the site: canonical links, feeds, sitemaps.

With ``SITE_URL`` set (e.g. ``https://courier.example``) every absolute URL uses it, whatever
host a request came in on, so search engines and feed readers see one address per page. Without
it, the request's own scheme and host are used (development, tests).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, request, url_for


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
