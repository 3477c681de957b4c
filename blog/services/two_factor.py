"""Two-factor sign-in: enrolment, checking a code or a recovery code, turning it off (rules: ``core.two_factor``).

A code is accepted once, also when two nodes get it at the same moment: the last accepted time step moves
forward in one conditional UPDATE, and a recovery code is marked used the same way; whoever changes no row
lost the race and is refused. The functions flush; the view commits.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import current_app

from blog.core import two_factor as rules
from blog.extensions import db
from blog.models import RecoveryCode, Role, TwoFactor, User
from blog.security import cipher

_PURPOSE = b"two-factor-secret"


class Outcome(enum.Enum):
    CODE = "code"  # a code from the app
    RECOVERY_CODE = "recovery code"  # one of the recovery codes, now used up
    REPLAYED = "replayed"  # a code already used
    WRONG = "wrong"


def record_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    record = record_of(user)
    return record is not None and record.confirmed_at is not None


def required_for(user: User, *, require_for_admins: bool) -> bool:
    """Whether ``user`` must set up two-factor sign-in before doing anything else (the site's setting)."""
    return require_for_admins and user.role is Role.ADMIN and not is_enabled(user)


def pending_enrolment(user: User) -> TwoFactor | None:
    """An enrolment waiting for its first code, with a secret that can still be read."""
    record = record_of(user)
    if record is None or record.confirmed_at is not None or secret_of(record) is None:
        return None
    return record


def start_enrolment(user: User, *, now: datetime) -> TwoFactor:
    """A new secret waiting for its first code; an enrolment already waiting keeps its secret (the person may
    have scanned it already). Refused (ValueError) when two-factor sign-in is already on."""
    record = record_of(user)
    if record is not None and record.confirmed_at is not None:
        raise ValueError("Two-factor sign-in is already on.")
    if record is None:
        record = TwoFactor(user_id=user.id, secret_encrypted=_seal(rules.new_secret()), created_at=now)
        db.session.add(record)
    elif secret_of(record) is None:  # sealed under a secret key since dropped: start afresh
        record.secret_encrypted = _seal(rules.new_secret())
    db.session.flush()
    return record


def secret_of(record: TwoFactor) -> str | None:
    """The shared secret in clear; None when it was sealed under a ``SECRET_KEY`` that is neither the current
    one nor in ``SECRET_KEY_FALLBACKS`` (then only the recovery codes still sign that person in)."""
    try:
        return cipher(_PURPOSE).decrypt(record.secret_encrypted.encode()).decode()
    except InvalidToken:
        current_app.logger.warning("two-factor secret of user %s cannot be decrypted with SECRET_KEY", record.user_id)
        return None


def provisioning_uri(user: User, secret: str, *, issuer: str) -> str:
    return rules.provisioning_uri(secret, account=user.email, issuer=issuer)


def confirm(user: User, typed: str, *, now: datetime) -> list[str] | None:
    """Switch two-factor sign-in on with the first code from the app; returns the new recovery codes (to show
    once), or None when the code is wrong."""
    record = pending_enrolment(user)
    secret = secret_of(record) if record is not None else None
    if record is None or secret is None:
        return None
    check = rules.check_code(secret, typed, now=now, last_step=record.last_step)
    if check.verdict is not rules.Verdict.ACCEPTED:
        return None
    record.confirmed_at = now
    record.last_step = check.step
    return regenerate_recovery_codes(user)


def verify(user: User, typed: str, *, now: datetime) -> Outcome:
    """A second factor at sign-in (or to confirm a change): a code from the app, or an unused recovery code."""
    record = record_of(user)
    if record is None or record.confirmed_at is None:
        return Outcome.WRONG
    if rules.looks_like_code(typed):
        secret = secret_of(record)
        if secret is None:
            return Outcome.WRONG
        check = rules.check_code(secret, typed, now=now, last_step=record.last_step)
        if check.verdict is rules.Verdict.WRONG:
            return Outcome.WRONG
        resealed = cipher(_PURPOSE).rotate(record.secret_encrypted.encode()).decode()
        if check.verdict is rules.Verdict.REPLAYED or not _advance(user, check.step, resealed):
            return Outcome.REPLAYED
        return Outcome.CODE
    digest = rules.recovery_code_digest(current_app.config["HASH_KEY"], typed)
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.digest == digest, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return Outcome.RECOVERY_CODE if used.rowcount == 1 else Outcome.WRONG  # type: ignore[attr-defined]  # a CursorResult


def _advance(user: User, step: int | None, resealed: str) -> bool:
    """Store ``step`` as the last one used, if it is later than the stored one (atomically: a replay racing
    the first use changes no row); and the secret sealed under the current ``SECRET_KEY``, so a rotated key
    can leave ``SECRET_KEY_FALLBACKS`` once everyone has signed in again."""
    moved = db.session.execute(
        sa.update(TwoFactor)
        .where(TwoFactor.user_id == user.id, sa.or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
        .values(last_step=step, secret_encrypted=resealed)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes in place of the old ones (used or not); returns them in clear, to show once."""
    codes = rules.new_recovery_codes()
    key = current_app.config["HASH_KEY"]
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, digest=rules.recovery_code_digest(key, c)) for c in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def disable(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.expire_all()


def _seal(secret: str) -> str:
    return cipher(_PURPOSE).encrypt(secret.encode()).decode()
