"""Stored pictures, by content: ``/media/<sha256>.webp``, cached for good (a changed picture is a new name)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, flash, redirect, request

from blog.services import media

bp = Blueprint("media", __name__)
_KEY = re.compile(r"[0-9a-f]{64}")


@bp.get("/media/<key>.webp")
def file(key: str):
    """From the database, or read from the S3 store and passed on (one origin: the CSP stays ``img-src 'self'``)."""
    if not _KEY.fullmatch(key):
        abort(404, "There is no such picture.")
    if request.if_none_match.contains(key):  # the bytes of a name never change: no need to read them
        response = Response(status=304)
    else:
        data = media.read(key)
        if data is None:
            abort(404, "There is no such picture.")
        response = Response(data, mimetype=media.MIME)
    response.set_etag(key)
    response.headers["Cache-Control"] = media.IMMUTABLE
    return response


# Forms that carry a picture: their own request size limit (MEDIA_REQUEST_MAX_BYTES, above the site's
# MAX_CONTENT_LENGTH), so that a picture over MEDIA_MAX_UPLOAD_BYTES is refused by the form, which shows the
# page again with everything typed kept. A request too large even for that cannot be read at all (a 413 throws
# the body away): the form is shown again, empty, with a message saying why nothing was saved.
UPLOAD_ENDPOINTS = frozenset(
    {
        "accounts.profile",
        "editorial.user_profile",
        "editorial.new_article",
        "editorial.article",
        "editorial.media_library",
    }
)


def limit_upload_requests():
    """A ``before_request`` hook, registered before the forgery check reads the form."""
    if request.endpoint not in UPLOAD_ENDPOINTS:
        return None
    limit = current_app.config["MEDIA_REQUEST_MAX_BYTES"]
    request.max_content_length = limit
    size = request.content_length or 0
    if request.method == "POST" and size > limit:
        flash(
            f"That upload was {size / 1_048_576:.1f} MB, more than we accept at once "
            f"({limit / 1_048_576:.0f} MB), so nothing was saved. Please choose a picture of at most "
            f"{current_app.config['MEDIA_MAX_UPLOAD_BYTES'] / 1_048_576:.0f} MB and send the form again.",
            "error",
        )
        return redirect(request.url, code=303)
    return None
