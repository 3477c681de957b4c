"""The security log: sign-ins, failed sign-ins, sessions ended everywhere, password changes and resets, role changes
and deactivations — whose account, who acted, when, and from which network address (a keyed hash of it, as for
comments: ``core.privacy.ip_hash``). The affected person is mailed (through the outbox) when their password or
role changes, so that a change they did not make does not go unnoticed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from blog.core import privacy
from blog.extensions import db
from blog.links import external_url
from blog.models import SecurityEvent, SecurityLogEntry, User
from blog.orm import utcnow
from blog.services import outbox_mail
from blog.services.site import get_settings

PER_PAGE = 50

DESCRIPTIONS = {  # as the log page and the mails say it
    SecurityEvent.SIGNED_IN: "signed in",
    SecurityEvent.SIGN_IN_FAILED: "sign-in failed (wrong password)",
    SecurityEvent.SIGNED_OUT_EVERYWHERE: "signed out everywhere",
    SecurityEvent.PASSWORD_CHANGED: "password changed",
    SecurityEvent.PASSWORD_RESET_REQUESTED: "password reset link sent",
    SecurityEvent.PASSWORD_RESET: "password reset with a mailed link",
    SecurityEvent.ROLE_CHANGED: "role changed",
    SecurityEvent.DEACTIVATED: "account deactivated",
    SecurityEvent.REACTIVATED: "account reactivated",
    SecurityEvent.TWO_FACTOR_ENABLED: "two-factor sign-in turned on",
    SecurityEvent.TWO_FACTOR_DISABLED: "two-factor sign-in turned off",
    SecurityEvent.RECOVERY_CODES_RENEWED: "new recovery codes made",
    SecurityEvent.RECOVERY_CODE_USED: "signed in with a recovery code",
    SecurityEvent.TWO_FACTOR_REFUSED: "two-factor code refused",
    SecurityEvent.API_TOKEN_CREATED: "API token made",
    SecurityEvent.API_TOKEN_REVOKED: "API token revoked",
}
_MAILED = {
    SecurityEvent.PASSWORD_CHANGED: "Your password was changed",
    SecurityEvent.PASSWORD_RESET: "Your password was reset",
    SecurityEvent.ROLE_CHANGED: "Your role was changed",
    SecurityEvent.TWO_FACTOR_ENABLED: "Two-factor sign-in was turned on for your account",
    SecurityEvent.TWO_FACTOR_DISABLED: "Two-factor sign-in was turned off for your account",
    SecurityEvent.RECOVERY_CODES_RENEWED: "New recovery codes were made for your account",
    SecurityEvent.API_TOKEN_CREATED: "A personal access token for the API was made for your account",
}


def record(event: str, *, user: User, actor: User | None = None, detail: str = "", via: str = "") -> None:
    """Add an entry to the log (flushes; the caller commits), from the current request's address if there is one,
    and mail the person for a password or role change. ``detail``: a line for that mail (the new role); ``via``:
    who acted when no account did (``cli.command_line()``), shown in the log's "By" column."""
    kind = SecurityEvent(event)
    ip = request.remote_addr if has_request_context() else None
    db.session.add(
        SecurityLogEntry(
            user_id=user.id,
            actor_id=None if actor is None or actor.id == user.id else actor.id,
            actor_label=via,
            event=kind.value,
            ip_hash=privacy.ip_hash(current_app.config["HASH_KEY"], ip) if ip else "",
            created_at=utcnow(),
        )
    )
    db.session.flush()
    if kind in _MAILED and user.is_active:
        _mail(user, kind, actor, detail, via)


def _mail(user: User, kind: SecurityEvent, actor: User | None, detail: str, via: str) -> None:
    site = get_settings().site_title or current_app.config["SITE_NAME"]
    if via:
        by = "the server's command line"
    elif actor is not None and actor.id != user.id:
        by = "an admin"
    else:
        by = "you (or someone signed in as you)"
    lines = [
        f"Hello {user.display_name},",
        "",
        f"{_MAILED[kind]} on {site} at {utcnow():%Y-%m-%d %H:%M} UTC, by {by}.",
    ]
    if detail:
        lines.append(detail)
    lines += [
        "",
        "If this wasn't you, choose a new password now and tell an admin:",
        external_url("accounts.forgot_password"),
    ]
    outbox_mail.queue_mail([user.email], _MAILED[kind], "\n".join(lines))


@dataclass(frozen=True)
class Page:
    entries: Sequence[SecurityLogEntry]
    names: dict[int, str]  # user id -> display name, for the people the entries name
    older: int | None  # the ``before`` of the next page, None on the last


def page(*, user_id: int | None = None, before: int | None = None) -> Page:
    """Newest first, ``PER_PAGE`` at a time (keyset: entries with an id below ``before``), for one user or all."""
    stmt = sa.select(SecurityLogEntry).order_by(SecurityLogEntry.id.desc()).limit(PER_PAGE + 1)
    if user_id is not None:
        stmt = stmt.where(SecurityLogEntry.user_id == user_id)
    if before is not None:
        stmt = stmt.where(SecurityLogEntry.id < before)
    rows = list(db.session.scalars(stmt))
    entries = rows[:PER_PAGE]
    ids = {e.user_id for e in entries} | {e.actor_id for e in entries if e.actor_id is not None}
    rows_named = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    names = {row.id: row.display_name for row in rows_named}
    return Page(entries, names, entries[-1].id if len(rows) > PER_PAGE else None)


def people() -> list[tuple[int, str]]:
    """Everyone who can have entries, for the page's filter."""
    rows = db.session.execute(sa.select(User.id, User.display_name).order_by(User.display_name))
    return [(row.id, row.display_name) for row in rows]


def erase_for(user: User) -> int:
    """Delete the entries about ``user`` (their sign-ins, the addresses they came from); entries where they acted
    on someone else stay, for that person's record, naming the (erased, renamed) account. Flushes; the count."""
    result = db.session.execute(sa.delete(SecurityLogEntry).where(SecurityLogEntry.user_id == user.id))
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult


def export_for(user: User) -> list[dict[str, str | None]]:
    rows = db.session.scalars(
        sa.select(SecurityLogEntry).where(SecurityLogEntry.user_id == user.id).order_by(SecurityLogEntry.id)
    )
    return [
        {
            "event": e.event,
            "by": e.actor_label or (None if e.actor_id is None else "an admin"),
            "ip_hash": e.ip_hash or None,
            "created_at": e.created_at.isoformat(),
        }
        for e in rows
    ]
