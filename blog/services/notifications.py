"""Mail about comments: replies to a commenter (double opt-in) and held comments to editors.

The address is what is subscribed (``MailSubscription``, one row per address and topic): a commenter who ticked
"Notify me of replies" once and confirmed hears of approved replies to any of their comments — one consent to
keep, to show and to withdraw, rather than one per comment. Editors and admins get the held-comment mail by
their role; their row only remembers an unsubscribe and how they want it delivered.

- ``request_replies`` — the box was ticked: the consent is recorded, and the first time (or again after an
  unsubscribe, or once an earlier link has expired) a confirmation mail goes out. A confirmed address gets
  none; an unconfirmed one gets no mail about replies.
- ``comment_approved`` — every path that approves a comment calls it (a comment approved when posted, the
  desk's approve, single or bulk): a reply tells its parent's author, never the replier themselves, once
  (``MailNotice`` is unique per subscription and comment, so approve → unapprove → approve mails once).
- ``comment_held`` — a comment held for moderation tells the editors, each in their own mail (each carries its
  own unsubscribe link); the commenter's address is not in it: editors see it on the desk.
- Rate limit: an address gets at most ``NOTIFY_RATE_LIMIT`` mails of its own an hour; beyond that, and for
  addresses that chose "one mail a day", notices wait for ``send_digests`` (a daily periodic task).

Every mail carries RFC 8058 one-click unsubscribe (``List-Unsubscribe`` + ``List-Unsubscribe-Post``) and the
link in its text. Links are signed single-purpose tokens (itsdangerous, a salt per purpose) over the row's id
and creation time: a row made again (after erasure, or a new subscription) does not answer to older links.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blog import jobs
from blog.extensions import db
from blog.links import external_url
from blog.models import (
    Article,
    Comment,
    CommentStatus,
    ConsentPurpose,
    Delivery,
    MailNotice,
    MailSubscription,
    Role,
    Topic,
    User,
)
from blog.orm import utcnow
from blog.services import consent, outbox_mail

CONFIRM, UNSUBSCRIBE, MANAGE = "confirm", "unsubscribe", "manage"
EXCERPT_LENGTH = 300


class BadLink(Exception):
    """A link that is damaged, tampered with, expired or no longer valid; ``str()`` says which, for people."""


# --- Signed links ------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    """Signs with ``SECRET_KEY``; also reads links signed under ``SECRET_KEY_FALLBACKS``, so that a key rotation
    leaves the unsubscribe links in mail already sent working while the old key is kept as a fallback."""
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]  # itsdangerous signs with the last
    return URLSafeTimedSerializer(keys, salt=f"mail-subscription-{purpose}")


def _stamp(subscription: MailSubscription) -> int:
    """The row's creation time in microseconds (as both databases store it): a subscription asked for again, even
    within the same second, does not answer to the links of the one before."""
    created = subscription.created_at
    return (created.replace(tzinfo=None) - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def token(subscription: MailSubscription, purpose: str) -> str:
    return _serializer(purpose).dumps([subscription.id, _stamp(subscription)])


def link(subscription: MailSubscription, purpose: str) -> str:
    return external_url(f"subscriptions.{purpose}", token=token(subscription, purpose))


def from_token(signed: str, purpose: str) -> MailSubscription:
    """The subscription a link names. Confirmation links expire (``NOTIFY_CONFIRM_MAX_AGE``); unsubscribe and
    manage links do not: a mail read months later must still let its reader stop the mail."""
    max_age = current_app.config["NOTIFY_CONFIRM_MAX_AGE"] if purpose == CONFIRM else None
    try:
        subscription_id, stamp = _serializer(purpose).loads(signed, max_age=max_age)
    except SignatureExpired:
        raise BadLink("This confirmation link has expired. Tick the box again with your next comment.") from None
    except (BadSignature, TypeError, ValueError):
        raise BadLink("This link is damaged or incomplete. Please copy the whole link from the mail.") from None
    found = db.session.get(MailSubscription, subscription_id) if isinstance(subscription_id, int) else None
    if found is None or _stamp(found) != stamp:
        raise BadLink("This link is no longer valid: the subscription it was made for has ended.")
    return found


# --- Subscribing -------------------------------------------------------------------------------


def _subscription(email: str, topic: Topic) -> MailSubscription | None:
    return db.session.scalar(
        sa.select(MailSubscription).where(MailSubscription.email == email, MailSubscription.topic == topic)
    )


def is_active(subscription: MailSubscription | None) -> bool:
    return subscription is not None and subscription.confirmed_at is not None and subscription.unsubscribed_at is None


def _get_or_create(email: str, topic: Topic, *, now: datetime, confirmed: bool) -> tuple[MailSubscription, bool]:
    """The row, and whether it was made now. Two requests making it at once: the loser reads the winner's."""
    found = _subscription(email, topic)
    if found is not None:
        return found, False
    row = MailSubscription(email=email, topic=topic, created_at=now, confirmed_at=now if confirmed else None)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError:
        found = _subscription(email, topic)
        assert found is not None  # noqa: S101  (the unique constraint just said it exists)
        return found, False
    return row, True


def request_replies(email: str, *, comment_id: int, now: datetime) -> None:
    """The commenter ticked "Notify me of replies by email": record the consent; confirm the address by mail
    the first time, after an unsubscribe, or when the last confirmation link has expired."""
    consent.give(email, ConsentPurpose.REPLY_MAIL, now=now, comment_id=comment_id)
    subscription, new = _get_or_create(email, Topic.REPLIES, now=now, confirmed=False)
    if not new:
        if is_active(subscription):
            return
        expired = now - subscription.created_at > timedelta(seconds=current_app.config["NOTIFY_CONFIRM_MAX_AGE"])
        if subscription.unsubscribed_at is None and not expired:
            return  # a confirmation mail is on its way; nobody gets mail-bombed by comments in their name
        subscription.created_at, subscription.confirmed_at, subscription.unsubscribed_at = now, None, None
        db.session.flush()
    _queue(
        subscription,
        "Please confirm: mail me when someone replies",
        [
            "Someone (we hope you) asked to be told by email when someone replies to comments from this address.",
            "",
            f"To confirm, open this link and press the button: {link(subscription, CONFIRM)}",
            "",
            "If it wasn't you, ignore this mail: without confirmation you get nothing more from us.",
        ],
        unsubscribe=False,
    )


def confirm(subscription: MailSubscription, delivery: Delivery, *, now: datetime) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
    subscription.delivery = delivery


def unsubscribe(subscription: MailSubscription, *, now: datetime) -> None:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now
    if subscription.topic is Topic.REPLIES:
        consent.withdraw(subscription.email, ConsentPurpose.REPLY_MAIL, now=now)


def subscriptions_of(email: str) -> list[MailSubscription]:
    """For the data export."""
    return list(db.session.scalars(sa.select(MailSubscription).where(MailSubscription.email == email)))


def erase(email: str) -> None:
    """For erasure: the address's subscriptions and their notices (cascade) go."""
    db.session.execute(sa.delete(MailNotice).where(MailNotice.subscription_id.in_(_ids_of(email))))
    db.session.execute(sa.delete(MailSubscription).where(MailSubscription.email == email))


def _ids_of(email: str) -> sa.Select[int]:
    return sa.select(MailSubscription.id).where(MailSubscription.email == email)


# --- Telling people ----------------------------------------------------------------------------


def comment_approved(comment: Comment, *, now: datetime) -> None:
    """A comment has just become approved: if it replies to someone who asked, tell them (once)."""
    if comment.parent_id is None:
        return
    parent_email = db.session.scalar(sa.select(Comment.author_email).where(Comment.id == comment.parent_id))
    if parent_email is None or parent_email == comment.author_email:  # nobody to tell about their own reply
        return
    subscription = _subscription(parent_email, Topic.REPLIES)
    if is_active(subscription):
        assert subscription is not None  # noqa: S101  (is_active)
        _notice(subscription, comment, now=now)


def comment_held(comment: Comment, *, now: datetime) -> None:
    """A comment is waiting for moderation: tell each active editor and admin who has not unsubscribed."""
    for email in db.session.scalars(_editors_statement()):
        subscription, _ = _get_or_create(email, Topic.HELD, now=now, confirmed=True)
        if subscription.unsubscribed_at is None:
            _notice(subscription, comment, now=now)


@functools.cache
def _editors_statement() -> sa.Select[str]:
    u = User.__table__.c
    return sa.select(u.email).where(u.is_active, u.role.in_([Role.EDITOR, Role.ADMIN])).order_by(u.id)


def _notice(subscription: MailSubscription, comment: Comment, *, now: datetime) -> None:
    exists = sa.select(MailNotice.id).where(
        MailNotice.subscription_id == subscription.id, MailNotice.comment_id == comment.id
    )
    if db.session.scalar(exists) is not None:
        return
    notice = MailNotice(subscription_id=subscription.id, comment_id=comment.id, created_at=now)
    db.session.add(notice)
    if subscription.delivery is Delivery.IMMEDIATE and _sent_last_hour(subscription, now) < _rate_limit():
        notice.mail_id = _queue(subscription, *_message(subscription.topic, [comment]))
        notice.sent_at = now
    db.session.flush()


def _rate_limit() -> int:
    return int(current_app.config["NOTIFY_RATE_LIMIT"])


def _sent_last_hour(subscription: MailSubscription, now: datetime) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                MailNotice.subscription_id == subscription.id,
                MailNotice.in_digest.is_(False),
                MailNotice.sent_at >= now - timedelta(hours=1),
            )
        )
        or 0
    )


def _message(topic: Topic, comments: Sequence[Comment]) -> tuple[str, list[str]]:
    """Subject and lines for one comment or a digest of several. Only what readers see on the site: the
    public name, the text, the link; never an address."""
    articles = {
        a.id: a for a in db.session.scalars(sa.select(Article).where(Article.id.in_({c.article_id for c in comments})))
    }
    items = []
    for comment in comments:
        article = articles[comment.article_id]
        title = " ".join(article.title.split())
        excerpt = " ".join(comment.body_text.split())
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[: EXCERPT_LENGTH - 1] + "…"
        url = (
            external_url("public.comment_permalink", slug=article.slug, comment_id=comment.id)
            if topic is Topic.REPLIES
            else external_url("moderation.desk", status="pending", article=article.slug)
        )
        items.append((comment.author_name, title, excerpt, url))
    if len(items) == 1:
        name, title, excerpt, url = items[0]
        if topic is Topic.REPLIES:
            return f"{name} replied to your comment on “{title}”"[:255], [
                f"{name} replied to your comment on “{title}”:",
                "",
                excerpt,
                "",
                f"Read it and answer: {url}",
            ]
        return f"[{title[:60]}] New comment awaiting moderation", [
            f"A comment on “{title}” is waiting for moderation.",
            "",
            f"From: {name}",
            f"Held because: {', '.join(comments[0].moderation_reasons) or '-'}",
            "",
            excerpt,
            "",
            f"Moderate it: {url}",
        ]
    what = "replies to your comments" if topic is Topic.REPLIES else "comments awaiting moderation"
    lines = []
    for name, title, excerpt, url in items:
        lines += [f"{name} on “{title}”:", excerpt, url, ""]
    return f"{len(items)} {what}", lines


def _queue(subscription: MailSubscription, subject: str, lines: list[str], *, unsubscribe: bool = True) -> int:
    """Queue the mail; its outbox id."""
    headers = None
    if unsubscribe:
        stop = link(subscription, UNSUBSCRIBE)
        headers = {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        why = "replies to your comments" if subscription.topic is Topic.REPLIES else "comments held for moderation"
        lines = [
            *lines,
            "",
            "--",
            f"You get this mail about {why}.",
            f"Each time, or one mail a day: {link(subscription, MANAGE)}",
            f"Unsubscribe: {stop}",
        ]
    row = outbox_mail.queue_mail([subscription.email], subject, "\n".join(lines), headers=headers)
    assert row is not None  # noqa: S101  (one recipient)
    return row.id


# --- The daily digest --------------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """One mail per subscription with notices waiting (daily delivery, or beyond the rate limit), for those
    still worth telling (a reply still approved, a comment still held); the mails sent."""
    now = now or utcnow()
    waiting = sa.select(MailNotice.subscription_id).where(MailNotice.sent_at.is_(None)).distinct()
    sent = 0
    for subscription_id in db.session.scalars(waiting).all():
        subscription = db.session.get(MailSubscription, subscription_id)
        assert subscription is not None  # noqa: S101
        notices = db.session.execute(
            sa.select(MailNotice, Comment)
            .join(Comment, Comment.id == MailNotice.comment_id)
            .where(MailNotice.subscription_id == subscription_id, MailNotice.sent_at.is_(None))
            .order_by(Comment.created_at, Comment.id)
        ).all()
        wanted = CommentStatus.APPROVED if subscription.topic is Topic.REPLIES else CommentStatus.PENDING
        comments = [comment for _, comment in notices if comment.status is wanted]
        mail_id = None
        if comments and is_active(subscription):
            mail_id = _queue(subscription, *_message(subscription.topic, comments))
            sent += 1
        for notice, comment in notices:
            notice.sent_at, notice.in_digest = now, True
            notice.mail_id = mail_id if comment in comments else None
        db.session.commit()
    return sent


@jobs.periodic(minute="0", hour="6")
def send_daily_digests() -> None:
    send_digests()
