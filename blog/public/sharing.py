"""Which responses every reader may share, and the headers that tell a cache in front of us so.

A reader who sends none of our cookies (every cookie of ours starts with ``COOKIE_PREFIX``: the session, the
sign-in and the remembered-commenter cookies) is anonymous: not signed in, no comment awaiting moderation,
no remembered name, no flash message. Every such reader gets the same bytes for a page, which set no cookie,
so a shared cache may keep them for ``SHARED_CACHE_SECONDS`` and serve them stale while it revalidates
(a strong ETag: a revisit is a 304). A proxy tells the two kinds of request apart before it asks us, by the
cookie names alone (deploy/nginx.conf). Anyone else gets ``private, no-store``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, current_app, make_response, request
from werkzeug.http import generate_etag


def is_anonymous() -> bool:
    prefix = current_app.config["COOKIE_PREFIX"]
    return not any(name.startswith(prefix) for name in request.cookies)


def etag_of(body: bytes) -> str:
    return generate_etag(body)


def shared(response: Response, etag: str | None = None) -> Response:
    """``response`` as every anonymous reader may have it: cacheable by a proxy, validated by a strong ETag."""
    config = current_app.config
    response.headers["Cache-Control"] = (
        f"public, max-age=0, s-maxage={config['SHARED_CACHE_SECONDS']}, "
        f"stale-while-revalidate={config['SHARED_CACHE_STALE_SECONDS']}"
    )
    response.set_etag(etag or etag_of(response.get_data()))
    response.make_conditional(request)  # in place (it returns the response itself)
    return response


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"  # may hold the reader's own name and address
    return response


def shareable(view: Callable) -> Callable:
    """For a view whose page is the same for every anonymous reader: shared headers for them, private for
    anyone else. Decided before the view runs (it may consume a flash message from the session)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        anonymous = is_anonymous()
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        return shared(response) if anonymous else private(response)

    return wrapper
