"""The mail outbox: every mail is a row (``OutboxMail``) written in the transaction that causes it, sent by the
job queue after the commit, and retried from the table until it goes out or is given up on.

- ``queue_mail`` adds the row and, once the transaction commits, queues ``deliver_mail`` with its id;
- ``deliver_mail`` claims the row with a conditional UPDATE (only one worker wins a given attempt), sends it
  over SMTP outside any transaction, then marks it sent, or records the error and when to try again
  (exponential backoff, ``MAIL_RETRY_DELAY`` doubling up to ``MAIL_RETRY_MAX_DELAY``). A mail still failing
  ``MAIL_UNDELIVERABLE_AFTER`` seconds after it was written is marked undeliverable (``failed_at``), and so at
  once is a mail whose recipient the server refused for good (``refused_for_good``: "5.1.1 no such user");
- ``retry_due_mail`` (every minute, in the consumer) and ``flask blog mail send`` deliver whatever is due.

A claimed attempt moves ``next_attempt_at`` past the SMTP timeout, so a worker that dies mid-send leaves a row
that another picks up later: delivery is at least once, and a mail is sent twice only if a worker dies between
the SMTP server's acceptance and the UPDATE that follows it. It keeps its Message-ID across attempts, so the
receiving side can recognise a repeat.
"""

from __future__ import annotations

import enum
import logging
import re
import smtplib
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import NamedTuple
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from blog import jobs, mail
from blog.extensions import db
from blog.models import OutboxMail
from blog.orm import utcnow

log = logging.getLogger(__name__)
DELIVER_BATCH = 100
ERROR_LENGTH = 200


class Outcome(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"  # to be tried again
    UNDELIVERABLE = "undeliverable"  # given up
    SKIPPED = "skipped"  # already sent or given up, not due, or claimed by another worker


class Counts(NamedTuple):
    due: int
    undeliverable: int


def queue_mail(
    recipients: Sequence[str], subject: str, body: str, *, headers: Mapping[str, str] | None = None
) -> OutboxMail | None:
    """Add the mail to the session's transaction; it is queued for sending once that commits. ``headers``:
    extra ones, kept with the row (``List-Unsubscribe`` …)."""
    if not recipients:
        return None
    domain = urlsplit(current_app.config.get("SITE_URL") or "").hostname or "localhost"
    row = OutboxMail(
        recipients=list(recipients),
        subject=subject[:255],
        body=body,
        headers=dict(headers) if headers else None,
        message_id=make_msgid(domain=domain),
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    jobs.after_commit(deliver_mail, row.id)
    return row


def retry_delay(attempt: int) -> timedelta:
    """How long after its ``attempt``-th attempt (1, 2, …) a mail is tried again."""
    config = current_app.config
    seconds = config["MAIL_RETRY_DELAY"] * 2 ** min(attempt - 1, 30)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_DELAY"]))


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None), OutboxMail.next_attempt_at <= now)


@jobs.task
def deliver_mail(mail_id: int, now: datetime | None = None) -> Outcome:
    """Send the mail if it is due and no other worker has it; safe to run any number of times."""
    now = now or utcnow()
    attempts = db.session.scalar(sa.select(OutboxMail.attempts).where(OutboxMail.id == mail_id, _due(now)))
    if attempts is None:
        return Outcome.SKIPPED
    attempt = attempts + 1
    claimed = db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.attempts == attempts, _due(now))
        .values(attempts=attempt, next_attempt_at=now + retry_delay(attempt))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome.SKIPPED
    row = db.session.get(OutboxMail, mail_id)
    if row is None:  # erased since the claim (services.personal_data deletes the mail to or about a person)
        return Outcome.SKIPPED
    try:
        mail.send(
            mail.MailSettings.from_config(current_app.config),
            row.recipients,
            row.subject,
            row.body,
            message_id=row.message_id,
            headers=row.headers,
        )
    except (smtplib.SMTPException, OSError) as error:
        return _failed(row, error, now)
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(sent_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return Outcome.SENT


def _failed(row: OutboxMail, error: Exception, now: datetime) -> Outcome:
    give_up = refused_for_good(error) or (
        now - row.created_at >= timedelta(seconds=current_app.config["MAIL_UNDELIVERABLE_AFTER"])
    )
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == row.id)
        .values(last_error=_describe(error), failed_at=now if give_up else None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if give_up:
        log.error("mail %s undeliverable after %s attempt(s): %s", row.id, row.attempts, _describe(error))
        return Outcome.UNDELIVERABLE
    log.warning("mail %s not sent (attempt %s), will retry: %s", row.id, row.attempts, _describe(error))
    return Outcome.FAILED


def refused_for_good(error: Exception) -> bool:
    """Whether the receiving server refused the recipient permanently (a 5xx reply whose enhanced status says
    the address or mailbox is bad): trying again would only ask again. Any other refusal is retried until
    MAIL_UNDELIVERABLE_AFTER, among them "relaying denied" (5.7.x), which a fix of the site's mail settings
    cures, and replies without an enhanced status code, which say too little to drop a mail on."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    # RFC 3463: 5.1.x a bad address or system ("5.1.1 no such user"), 5.2.x a disabled or over-full mailbox
    return all(
        500 <= code < 600 and _status(reply).startswith(("5.1.", "5.2.")) for code, reply in error.recipients.values()
    )


def _status(reply: bytes | str) -> str:
    """The enhanced status code at the start of an SMTP reply's text ("5.1.1"), or ""."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    found = re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})\b", text)
    return found.group(1) if found else ""


def _describe(error: Exception) -> str:
    """The error in short: its class and the server's reply, without the recipients it may list."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):  # the replies' codes alone: their text names the address
        codes = sorted({f"{code} {_status(reply)}".strip() for code, reply in error.recipients.values()})
        text = f"{len(error.recipients)} recipient(s) refused ({', '.join(codes)})"
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = f"{error.smtp_code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
    else:
        text = str(error)
    return f"{type(error).__name__}: {text}"[:ERROR_LENGTH]


def deliver_due(now: datetime | None = None) -> Counter[Outcome]:
    """Try every mail that is due, once each; the outcomes, counted."""
    now = now or utcnow()
    outcomes: Counter[Outcome] = Counter()
    select_due = sa.select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(DELIVER_BATCH)
    last_id = 0
    while ids := db.session.scalars(select_due.where(OutboxMail.id > last_id)).all():  # one pass, by id
        db.session.rollback()  # end the read before the claims (SQLite: no stale snapshot to write from)
        for mail_id in ids:
            outcomes[deliver_mail(mail_id, now)] += 1
        last_id = ids[-1]
    return outcomes


@jobs.periodic(minute="*")
def retry_due_mail() -> None:
    outcomes = deliver_due()
    if outcomes:
        log.info("mail outbox: %s", ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())))


def counts(now: datetime | None = None) -> Counts:
    """Mail due to be sent now, and mail given up on."""
    now = now or utcnow()
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((_due(now), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((OutboxMail.failed_at.is_not(None), 1), else_=0)), 0),
        )
    ).one()
    return Counts(due=int(row[0]), undeliverable=int(row[1]))
