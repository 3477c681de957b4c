"""Consents a commenter gives, each recorded with a time: "remember me" (the form's cookie) and reply mail.

A record says who (the address), for what, when it was given and when withdrawn, and with which comment. The
data export lists ``records_of(email)``; erasure calls ``erase(email)``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from blog.extensions import db
from blog.models import ConsentPurpose, ConsentRecord


def give(email: str, purpose: ConsentPurpose, *, now: datetime, comment_id: int | None = None) -> None:
    """Record the consent, unless this address's earlier one still stands (then that one says when)."""
    if db.session.scalar(_standing(email, purpose).exists().select()):
        return
    db.session.add(ConsentRecord(email=email, purpose=purpose, given_at=now, comment_id=comment_id))


def _standing(email: str, purpose: ConsentPurpose) -> sa.Select[int]:
    return sa.select(ConsentRecord.id).where(
        ConsentRecord.email == email, ConsentRecord.purpose == purpose, ConsentRecord.withdrawn_at.is_(None)
    )


def withdraw(email: str, purpose: ConsentPurpose, *, now: datetime) -> None:
    """Every standing consent of this address for ``purpose`` ends now."""
    db.session.execute(
        sa.update(ConsentRecord)
        .where(ConsentRecord.id.in_(_standing(email, purpose)))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )


def records_of(email: str) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            sa.select(ConsentRecord).where(ConsentRecord.email == email).order_by(ConsentRecord.given_at)
        )
    )


def erase(email: str) -> None:
    db.session.execute(sa.delete(ConsentRecord).where(ConsentRecord.email == email))
