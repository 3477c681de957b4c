"""What a reader's browser remembers about their own comments.

- their pending comments (ids in the signed session cookie), so they alone see them marked
  "awaiting moderation";
- with their consent only, their name, email and website (a signed HttpOnly cookie) to pre-fill
  the form next time. Without consent, any earlier such cookie is removed.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from blog.models import CommentStatus
from blog.public.forms import CommentForm

COOKIE = "blog_commenter"  # our cookies share a prefix (config COOKIE_PREFIX): a proxy keys on it
_PENDING = "pending_comments"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="remember-commenter")


def pending_ids() -> list[int]:
    ids = session.get(_PENDING, [])
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remembered() -> dict[str, str | bool]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {"name": data.get("n"), "email": data.get("e"), "website": data.get("w")}
    return {k: v for k, v in fields.items() if isinstance(v, str)} | {"remember": True}


def signed_in_defaults() -> dict[str, str]:
    """Staff commenting while signed in start from their own name, address and website."""
    if not current_user.is_authenticated:
        return {}
    return {"name": current_user.display_name, "email": current_user.email, "website": current_user.website}


def after_submit(response: Response, comment_id: int, status: CommentStatus, form: CommentForm) -> None:
    config = current_app.config
    if status is CommentStatus.PENDING:
        kept = config["PENDING_COMMENTS_KEPT"]
        session[_PENDING] = [*pending_ids(), comment_id][-kept:]
    if form.remember.data:
        value = _serializer().dumps({"n": form.name.data, "e": form.email.data, "w": form.website.data or ""})
        response.set_cookie(
            COOKIE,
            value,
            max_age=config["COMMENTER_COOKIE_DAYS"] * 86400,
            httponly=True,
            secure=config.get("SESSION_COOKIE_SECURE", False),
            samesite="Lax",
        )
    elif COOKIE in request.cookies:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
