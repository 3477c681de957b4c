"""What a reader's browser remembers about their own comments.

- their pending comments (ids in the signed session cookie), so they alone see them marked
  "awaiting moderation" — a comment the block words sent to spam too: what a commenter sees never tells
  them which rule held their comment;
- what became of the comment they just sent (a flash message, category ``comment``, shown above the thread);
- the comments they may still edit or delete (ids in the session, while the edit window lasts): their page shows
  an Edit link under each, so it is their own (``private, no-store``) for those few minutes; ids whose window
  has closed are forgotten on their next page, and the session cookie goes with the last of them;
- with their consent only, their name, email and website (an HttpOnly cookie, encrypted and authenticated
  with Fernet under a key derived from ``SECRET_KEY``: whoever reads the cookie learns no address) to pre-fill
  the form next time. Without consent, any earlier such cookie is removed. A cookie that does not decrypt (an
  older, merely signed one, a forged one, one past its age) is ignored.
"""

from __future__ import annotations

import json
from datetime import datetime

from cryptography.fernet import InvalidToken, MultiFernet
from flask import current_app, flash, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from blog import security
from blog.models import CommentStatus
from blog.public.forms import CommentForm
from blog.services import comment_edits
from blog.services.site import get_settings

COOKIE = "blog_commenter"  # our cookies share a prefix (config COOKIE_PREFIX): a proxy keys on it
_PENDING = "pending_comments"
_EDITABLE = "editable_comments"
EDITABLE_KEPT = 10  # comments a session may edit at once: a window is minutes long
PUBLISHED = "Your comment is published."
AWAITING = "Your comment is awaiting moderation."
WITHDRAWN = "Your comment is deleted."


def _cipher() -> MultiFernet:
    return security.cipher(b"remember-commenter-cookie")


def _ids(key: str) -> list[int]:
    ids = session.get(key, [])
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def pending_ids() -> list[int]:
    return _ids(_PENDING)


def may_edit(comment_id: int) -> bool:
    """This browser sent the comment, and has not been told its edit window closed."""
    return comment_id in _ids(_EDITABLE)


def editable_ids(now: datetime) -> set[int]:
    """The comments this browser may still edit; the others are forgotten."""
    held = _ids(_EDITABLE)
    if not held:
        return set()
    still = comment_edits.still_editable(held, now=now)
    if still != set(held):
        _keep(_EDITABLE, [i for i in held if i in still])
    return still


def _keep(key: str, ids: list[int]) -> None:
    if ids:
        session[key] = ids
    else:
        session.pop(key, None)  # an empty session sets no cookie: the reader is anonymous again


def remembered() -> dict[str, str | bool]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        plain = _cipher().decrypt(raw.encode(), ttl=current_app.config["COMMENTER_COOKIE_DAYS"] * 86400)
        data = json.loads(plain)
    except (InvalidToken, ValueError, UnicodeError):  # an old signed cookie, a forged or expired one
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {"name": data.get("n"), "email": data.get("e"), "website": data.get("w")}
    return {k: v for k, v in fields.items() if isinstance(v, str)} | {"remember": True}


def _remember_value(name: str, email: str, website: str) -> str:
    plain = json.dumps({"n": name, "e": email, "w": website}, separators=(",", ":")).encode()
    return _cipher().encrypt(plain).decode()


def tell(comment_id: int, status: CommentStatus) -> None:
    """What became of the comment they sent or edited."""
    if status is CommentStatus.APPROVED:
        flash(PUBLISHED, "comment")
    else:  # pending, or spam: the commenter is told the same, and sees it the same way (never which rule)
        flash(AWAITING, "comment")
        kept = current_app.config["PENDING_COMMENTS_KEPT"]
        session[_PENDING] = [*(i for i in pending_ids() if i != comment_id), comment_id][-kept:]


def after_withdraw(comment_id: int) -> None:
    flash(WITHDRAWN, "comment")
    for key in (_EDITABLE, _PENDING):
        _keep(key, [i for i in _ids(key) if i != comment_id])


def signed_in_defaults() -> dict[str, str]:
    """Staff commenting while signed in start from their own name, address and website."""
    if not current_user.is_authenticated:
        return {}
    return {"name": current_user.display_name, "email": current_user.email, "website": current_user.website}


def after_submit(response: Response, comment_id: int, status: CommentStatus, form: CommentForm) -> None:
    config = current_app.config
    tell(comment_id, status)
    if get_settings().edit_window_minutes > 0:
        session[_EDITABLE] = [*_ids(_EDITABLE), comment_id][-EDITABLE_KEPT:]
    if form.remember.data:
        value = _remember_value(form.name.data or "", form.email.data or "", form.website.data or "")
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
