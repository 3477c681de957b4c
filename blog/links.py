"""Absolute URLs and permanent ids for what leaves the site: canonical links, feeds, sitemaps, mail.

Every absolute URL is built from ``SITE_URL`` (e.g. ``https://courier.example``), never from the host a
request names: a page kept by a shared cache, a feed or a mail must not carry an address an outsider chose.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlsplit

from flask import current_app

FALLBACK_SITE_URL = "http://localhost"  # only a command run without the setting gets here (production requires it)


def site_url() -> str:
    return current_app.config.get("SITE_URL") or FALLBACK_SITE_URL


def external_url(endpoint: str, **values) -> str:
    """The absolute, canonical URL of an endpoint (in a request or not); ``_anchor`` as in ``url_for``."""
    base = urlsplit(site_url())
    anchor = values.pop("_anchor", None)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    return url if anchor is None else f"{url}#{quote(anchor, safe='')}"


def tag_uri(kind: str, ident: int, created: datetime) -> str:
    """A permanent Atom id (RFC 4151): ``tag:<host>,<creation date>:<kind>/<id>``.

    It names the thing, not its address, so it survives a changed slug; the date is when the
    thing was created, which never changes either.
    """
    host = urlsplit(site_url()).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:{kind}/{ident}"
