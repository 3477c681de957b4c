"""RFC 9457 problem details: every error the API answers is ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from blog.api.schemas import FieldError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"  # our own problem types; "about:blank" for plain HTTP statuses

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
GENERIC = {
    401: "Send a personal access token: Authorization: Bearer <token> (made on your profile page).",
    404: "There is nothing at this address.",
    405: "This address does not take that method.",
    429: "Too many requests in a short time. Please wait a minute, then try again.",
    500: "Something went wrong on our side. It has been logged; please try again in a moment.",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(error: HTTPException) -> Response:
    """A Werkzeug/Flask error (404, 405, a 400 from ``blog.inputs``, 429 from the limiter, 500) as a problem."""
    code = error.code or 500
    generic = error.description == type(error).description
    detail = GENERIC.get(code, error.description or "") if generic else (error.description or "")
    headers = {}
    if error.response is None:
        for name, value in error.get_headers():
            if name.lower() in ("allow", "retry-after", "www-authenticate"):
                headers[name] = value
    if code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem(code, detail, headers=headers)
