"""Personal access tokens for the staff API: made and revoked on one's profile page, both recorded in the security
log; the API finds a token's person by the hash of the secret the client sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blog.core import api_scopes
from blog.core.api_scopes import Scope
from blog.extensions import db
from blog.models import ApiToken, SecurityEvent, User
from blog.services import security_log

LAST_USED_STEP = timedelta(minutes=10)  # "last used" is written at most this often (a write per request is waste)


class TokenRefused(ValueError):
    """The token cannot be made or revoked; the message is for the person."""


def list_tokens(user: User) -> list[ApiToken]:
    """One's tokens not revoked (expired ones included, to be seen and revoked), newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def create_token(
    user: User, *, name: str, scopes: frozenset[Scope], now: datetime, lifetime: timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once, never stored); it stops working after ``lifetime`` (None: never).
    Flushes; the caller commits."""
    if refusal := api_scopes.scopes_refusal(user.role.value, scopes):
        raise TokenRefused(refusal)
    live = [t for t in list_tokens(user) if t.expires_at is None or t.expires_at > now]
    if len(live) >= current_app.config["API_TOKEN_LIMIT"]:
        raise TokenRefused("You have as many tokens as one person may; revoke one you no longer use first.")
    secret = api_scopes.new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name.strip() or "API token",
        token_hash=api_scopes.hash_secret(secret),
        prefix=secret[:12],
        scopes=api_scopes.format_scopes(scopes),
        created_at=now,
        expires_at=None if lifetime is None else now + lifetime,
    )
    db.session.add(token)
    db.session.flush()
    security_log.record(SecurityEvent.API_TOKEN_CREATED, user=user, actor=user, detail=f"Token: {token.name}")
    return token, secret


def revoke_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise TokenRefused("There is no such token of yours (it may have been revoked already).")
    token.revoked_at = now
    db.session.flush()
    security_log.record(SecurityEvent.API_TOKEN_REVOKED, user=user, actor=user)
    return token


@dataclass(frozen=True)
class Bearer:
    user: User
    scopes: frozenset[Scope]
    token_id: int


def authenticate(secret: str, *, now: datetime) -> Bearer | None:
    """The live token with this secret (not revoked, not expired) and its active person, or None. Notes when it
    was last used (flushes: the caller commits)."""
    if not secret.startswith(api_scopes.TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = db.session.execute(
        sa.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == api_scopes.hash_secret(secret),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    ).one_or_none()
    if row is None or not row.User.is_active:
        return None
    token: ApiToken = row.ApiToken
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        token.last_used_at = now
        db.session.flush()
    return Bearer(row.User, api_scopes.parse_scopes(token.scopes), token.id)
