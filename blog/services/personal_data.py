"""A person's own data, found, exported and erased by their email address: the one module that knows every table
and field that holds it (docs/architecture.md, "Your own data").

What we hold under an address, and what each erasure does to it:

- ``comments`` (by ``author_email``; for a staff account also by ``user_id``): name, address, website, keyed IP
  hash, user agent, avatar colour, the text. *Anonymise* (WordPress's eraser) keeps the text and its place in the
  thread, names it "Anonymous", gives it an address of its own that reaches nobody (``erased-<id>@invalid``: one
  per comment, so that no two erased comments make each other's writer a "previously approved commenter") and
  drops the rest. *Delete* removes the comments; their replies move up to the nearest remaining ancestor
  (WordPress's "move children up a level"), so the thread reads on around the gap.
- ``outbox_mails``: mails to the address, and mails about it (the held-comment notice to editors quotes the
  commenter), are deleted, sent or not: the comment they concerned is erased anyway.
- ``users`` (staff accounts, admins and the command line only): the account is deactivated and stripped (address,
  name, slug, bio, website, links, avatar, password); its articles stay, bylined "Former contributor".
- ``security_events`` (a staff account's security log: sign-ins, password and role changes, with keyed IP hashes
  and no address): exported with the account; erasing the account deletes the entries about it. Entries where
  it acted on someone else (an admin's role change) stay in that person's log, naming the erased account.
- ``privacy_requests``: the audit trail of this module itself, which names an address only by a keyed hash.
- ``comment_revisions``: a comment's earlier texts, exported with it, kept by *anonymise* like the text itself,
  deleted with the comment by *delete* (``ON DELETE CASCADE``).
- ``mail_subscriptions`` (and their ``mail_notices``) and ``consent_records``, keyed by address: exported, and
  deleted by either erasure. The mails a notice names (a reply notification to someone else, an editors' notice,
  quoting the comment) are deleted with the rest of ``outbox_mails``.
"""

from __future__ import annotations

import enum
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import current_app

from blog import cache, security
from blog.core import privacy
from blog.extensions import db
from blog.links import external_url
from blog.models import (
    Article,
    Comment,
    CommentRevision,
    CommentStatus,
    ConsentRecord,
    MailNotice,
    MailSubscription,
    OutboxMail,
    PrivacyRequest,
    User,
)
from blog.orm import utcnow
from blog.services import consent, media, notifications, outbox_mail, security_log, two_factor, users
from blog.services.comments import refresh_comment_count

ANONYMOUS = "Anonymous"
FORMER_STAFF = "Former contributor"
FORMAT = "personal-data/1"
_LINK_PURPOSE = b"your-data-link"

# The words a commenter reads for each status, in the list and in the export: spam reads like trash, so that nobody
# learns which rule held a comment (the same promise as the notice under a new comment).
STATUS_WORDS = {
    CommentStatus.APPROVED: "published",
    CommentStatus.PENDING: "awaiting moderation",
    CommentStatus.SPAM: "not published",
    CommentStatus.TRASH: "not published",
}

README = f"""Your comments and data ({FORMAT})

your-data.json holds everything this site stores under your email address:

  email            the address this export is for
  generated_at     when it was made (UTC, ISO 8601)
  comments         every comment from that address, oldest first:
    id             the comment's number
    article        the title and address of the article it is on
    parent_id      the number of the comment it answers (null: none)
    status         published, awaiting moderation, or not published
    url            its lasting address (published comments only)
    name, email, website   as you gave them
    body_text      the text, as you wrote it
    created_at     when it was sent (UTC)
    ip_hash        a keyed hash of the network address it came from (the address itself is never stored)
    network_hash   a keyed hash of the network (IPv4 /24, IPv6 /64) that address is in, which a ban may name
    user_agent     the browser that sent it, as it named itself
    edited_at      when you last edited it (null: never)
    revisions      its earlier texts, oldest first: edited_at, body_text, by ("you" or "staff")
  account          a staff account with that address (null: none), with security_events: its security log,
                   oldest first (event, by: null or "an admin", ip_hash, created_at)
  subscriptions    mail we send that address: topic (replies to your comments; held comments, for staff),
                   delivery (immediate or daily), created_at (when asked), confirmed_at, unsubscribed_at
  consents         what you agreed to, and when: purpose (remember-me, reply-mail), given_at, withdrawn_at,
                   comment_id (the comment sent with it)
"""


class Mode(enum.StrEnum):
    ANONYMISE = "anonymise"  # keep the text and the thread, drop who wrote it
    DELETE = "delete"  # the text too


class LinkError(ValueError):
    """A personal-data link that cannot be used; the message is for people."""


@dataclass(frozen=True)
class Holdings:
    email: str
    comments: list[Comment]  # oldest first, each with its article (id, title, slug)
    user: User | None = None  # a staff account, when asked for
    subscriptions: list[MailSubscription] = field(default_factory=list)
    consents: list[ConsentRecord] = field(default_factory=list)


# --- The mailed link ------------------------------------------------------------------------------


def make_token(email: str, now: datetime | None = None) -> str:
    """The token of a personal-data link: the address sealed (encrypted and authenticated) for this purpose
    alone, so the link, in a mailbox, a history or a log, reveals no address. It works for ``DATA_LINK_MAX_AGE``
    seconds from ``now``."""
    plain = privacy.normalise_email(email).encode()
    return security.cipher(_LINK_PURPOSE).encrypt_at_time(plain, int((now or utcnow()).timestamp())).decode()


def read_token(token: str) -> str:
    """The address a link was made for; ``LinkError`` for a link that is damaged or too old."""
    box = security.cipher(_LINK_PURPOSE)
    try:
        return box.decrypt(token.encode(), ttl=current_app.config["DATA_LINK_MAX_AGE"]).decode()
    except (InvalidToken, UnicodeError):
        pass
    try:
        box.decrypt(token.encode())  # authentic without the age limit, so only too old
    except (InvalidToken, UnicodeError):
        raise LinkError(
            "This link is damaged or incomplete. Copy the whole link from the mail, or ask for a new one."
        ) from None
    hours = current_app.config["DATA_LINK_MAX_AGE"] // 3600
    raise LinkError(f"This link has expired (links work for {hours} hours). Please ask for a new one.")


def send_link(email: str) -> bool:
    """Mail the address a link to its data, if we hold any; the caller answers the same either way (nobody may
    learn whether an address commented here) and commits."""
    email = privacy.normalise_email(email)
    if not has_data(email):
        return False
    url = external_url("public.your_data_list", token=make_token(email))
    hours = current_app.config["DATA_LINK_MAX_AGE"] // 3600
    body = "\n".join(
        [
            "Someone (we hope you) asked to see the comments sent from this address.",
            "",
            f"This link shows them, and lets you download or erase them, for {hours} hours:",
            url,
            "",
            "If you did not ask, you can ignore this mail: nothing changes unless the link is used.",
        ]
    )
    outbox_mail.queue_mail([email], "Your comments and data", body)
    return True


# --- Finding ------------------------------------------------------------------------------------------


def has_data(email: str) -> bool:
    email = privacy.normalise_email(email)
    return bool(
        db.session.scalar(sa.select(sa.exists().where(Comment.author_email == email)))
        or db.session.scalar(sa.select(sa.exists().where(MailSubscription.email == email)))
        or db.session.scalar(sa.select(sa.exists().where(ConsentRecord.email == email)))
    )


def find(email: str, *, staff: bool = False) -> Holdings:
    """What we hold under ``email``; with ``staff``, a staff account with that address and its comments too
    (admins and the command line only: the mailed link never reaches an account)."""
    email = privacy.normalise_email(email)
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email)) if staff else None
    mine = Comment.author_email == email
    if user is not None:
        mine = sa.or_(mine, Comment.user_id == user.id)
    comments = db.session.scalars(
        sa.select(Comment)
        .where(mine)
        .options(sa.orm.joinedload(Comment.article).load_only(Article.id, Article.title, Article.slug, raiseload=True))
        .order_by(Comment.created_at, Comment.id)
    )
    return Holdings(email, list(comments), user, notifications.subscriptions_of(email), consent.records_of(email))


def comment_url(comment: Comment) -> str | None:
    """A published comment's lasting address; None for one no reader sees."""
    if comment.status is not CommentStatus.APPROVED:
        return None
    return external_url("public.comment_permalink", slug=comment.article.slug, comment_id=comment.id)


# --- Export -------------------------------------------------------------------------------------------


def export(email: str, *, via: str, now: datetime, actor: User | None = None, staff: bool = False) -> dict[str, Any]:
    """Everything held under ``email`` as plain JSON values (``README`` documents the keys), and an audit event."""
    held = find(email, staff=staff)
    revisions: dict[int, list[CommentRevision]] = {}
    for revision in db.session.scalars(
        sa.select(CommentRevision)
        .where(CommentRevision.comment_id.in_([c.id for c in held.comments]))
        .order_by(CommentRevision.edited_at, CommentRevision.id)
    ):
        revisions.setdefault(revision.comment_id, []).append(revision)
    data = {
        "format": FORMAT,
        "email": held.email,
        "generated_at": now.isoformat(),
        "comments": [_comment(c, revisions.get(c.id, [])) for c in held.comments],
        "account": None if held.user is None else _account(held.user),
        "subscriptions": [
            {
                "topic": s.topic.value,
                "delivery": s.delivery.value,
                "created_at": s.created_at.isoformat(),
                "confirmed_at": _iso(s.confirmed_at),
                "unsubscribed_at": _iso(s.unsubscribed_at),
            }
            for s in held.subscriptions
        ],
        "consents": [
            {
                "purpose": r.purpose.value,
                "given_at": r.given_at.isoformat(),
                "withdrawn_at": _iso(r.withdrawn_at),
                "comment_id": r.comment_id,
            }
            for r in held.consents
        ],
    }
    _record(held.email, "export", _counts(held), via=via, actor=actor, now=now)
    return data


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _comment(c: Comment, revisions: list[CommentRevision]) -> dict[str, Any]:
    # Only this person's own fields: the parent is named by its number, never by its writer.
    return {
        "id": c.id,
        "article": {"title": c.article.title, "url": external_url("public.article", slug=c.article.slug)},
        "parent_id": c.parent_id,
        "status": STATUS_WORDS[c.status],
        "url": comment_url(c),
        "name": c.author_name,
        "email": c.author_email,
        "website": c.author_website,
        "body_text": c.body_text,
        "created_at": c.created_at.isoformat(),
        "ip_hash": c.ip_hash,
        "network_hash": c.network_hash,
        "user_agent": c.user_agent,
        "edited_at": _iso(c.edited_at),
        "revisions": [  # who else edited it is named only as "staff"
            {
                "edited_at": r.edited_at.isoformat(),
                "body_text": r.body_text,
                "by": "you" if r.editor_id is None else "staff",
            }
            for r in revisions
        ],
    }


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "slug": user.slug,
        "role": user.role.value,
        "bio_markdown": user.bio_markdown,
        "website": user.website,
        "social_links": user.social_links,
        "has_avatar": user.avatar_path is not None,
        "is_active": user.is_active,
        "created_at": user.created_at.isoformat(),
        "security_events": security_log.export_for(user),
    }


def export_zip(data: dict[str, Any]) -> bytes:
    """The export as a download: ``your-data.json`` and a README that explains its keys."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", README)
    return buffer.getvalue()


# --- Erasure ------------------------------------------------------------------------------------------


class ErasureRefused(ValueError):
    """The erasure would leave the site without an admin, or is an admin's own; the message is for people."""


def erase(
    email: str, mode: Mode, *, via: str, now: datetime, actor: User | None = None, staff: bool = False
) -> dict[str, int]:
    """Erase what is held under ``email`` (see the module's docstring); flushes, the caller commits. The counts
    of what was touched, also recorded in the audit event."""
    held = find(email, staff=staff)
    counts = _counts(held)
    if held.user is not None:
        _erase_account(held.user, actor)
    counts["outbox_mails"] = _erase_mail(held.email, [c.id for c in held.comments])  # before the comments go
    notifications.erase(held.email)
    consent.erase(held.email)
    if mode is Mode.DELETE:  # their revisions go with them (ON DELETE CASCADE)
        _delete_comments(held.comments)
    else:
        for comment in held.comments:
            _anonymise(comment)
    db.session.flush()
    _record(held.email, mode.value, counts, via=via, actor=actor, now=now)
    return counts


def _anonymise(comment: Comment) -> None:
    comment.author_name = ANONYMOUS
    comment.author_email = f"erased-{comment.id}@invalid"  # reaches nobody, and matches no other comment
    comment.author_website = ""
    comment.avatar_colour = 0  # the colour came from the address
    comment.ip_hash = ""
    comment.network_hash = ""
    comment.author_key = ""  # no longer anyone's: the commenter view and bans must not find it
    comment.user_agent = ""
    comment.user_id = None
    comment.spam_reason = ""  # its words may be the name's or the website's


def _delete_comments(doomed_list: list[Comment]) -> None:
    doomed = {c.id: c for c in doomed_list}
    if not doomed:
        return

    def survivor(parent_id: int | None) -> int | None:
        while parent_id in doomed:
            parent_id = doomed[parent_id].parent_id
        return parent_id

    replies = list(
        db.session.scalars(sa.select(Comment).where(Comment.parent_id.in_(doomed), Comment.id.not_in(doomed)))
    )
    for reply in replies:
        reply.parent_id = survivor(reply.parent_id)
        parent = None if reply.parent_id is None else db.session.get(Comment, reply.parent_id)
        reply.depth = 0 if parent is None else parent.depth + 1
    _renumber_depths(replies, set(doomed))
    db.session.flush()  # the replies point past the doomed comments before those go
    by_article: dict[int, list[int]] = {}
    for comment in doomed_list:
        by_article.setdefault(comment.article_id, []).append(comment.id)
    for article_id, ids in sorted(by_article.items()):
        db.session.execute(  # a statement: the ORM would load each comment's parent to delete it
            sa.delete(Comment).where(Comment.id.in_(ids)).execution_options(**{cache.ARTICLE_SCOPE: article_id})
        )
        refresh_comment_count(article_id)


def _renumber_depths(level: list[Comment], skip: set[int]) -> None:
    """Each moved reply's descendants are one level (or more) nearer the top now."""
    while level:
        depth_of = {c.id: c.depth for c in level}
        level = list(
            db.session.scalars(sa.select(Comment).where(Comment.parent_id.in_(depth_of), Comment.id.not_in(skip)))
        )
        for comment in level:
            assert comment.parent_id is not None  # noqa: S101  (selected by it)
            comment.depth = depth_of[comment.parent_id] + 1


def _erase_mail(email: str, comment_ids: list[int]) -> int:
    """Delete the mails to ``email``, quoting it, or telling someone about one of its comments (a reply
    notification, an editors' held-comment mail: they quote the name and the text); their number."""
    about = sa.select(MailNotice.mail_id).where(MailNotice.comment_id.in_(comment_ids), MailNotice.mail_id.is_not(None))
    told = db.session.execute(
        sa.delete(OutboxMail).where(OutboxMail.id.in_(about)).execution_options(synchronize_session="fetch")
    )
    recipient = json.dumps(email)[1:-1]  # as the JSON column holds it
    candidates = db.session.scalars(
        sa.select(OutboxMail).where(
            sa.or_(
                sa.func.lower(sa.cast(OutboxMail.recipients, sa.Text)).contains(recipient, autoescape=True),
                sa.func.lower(OutboxMail.body).contains(email, autoescape=True),
            )
        )
    )
    erased = int(told.rowcount)  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
    for row in candidates:  # exactly, not as the database's LIKE folds case
        if email in (r.lower() for r in row.recipients) or email in row.body.lower():
            db.session.delete(row)
            erased += 1
    return erased


def _erase_account(user: User, actor: User | None) -> None:
    if actor is not None and actor.id == user.id:
        raise ErasureRefused("You cannot erase your own account: ask another admin.")
    try:  # the last active admin stays (the rule does not depend on who acts)
        users.set_role_and_status(actor, user, role=user.role, is_active=False)
    except users.UserError as error:
        raise ErasureRefused(str(error)) from None
    media.remove_avatar(user)
    user.email = f"erased-{user.id}@invalid"
    user.display_name = FORMER_STAFF
    user.slug = f"former-contributor-{user.id}"
    user.bio_markdown = user.bio_html = user.website = ""
    user.social_links = {}
    user.password_hash = None
    two_factor.disable(user)  # the authenticator's secret and the recovery codes go with the password
    security_log.erase_for(user)


# --- The audit trail ------------------------------------------------------------------------------


def _counts(held: Holdings) -> Counter[str]:
    return Counter(
        comments=len(held.comments),
        account=int(held.user is not None),
        subscriptions=len(held.subscriptions),
        consents=len(held.consents),
    )


def _record(email: str, action: str, counts: Counter[str], *, via: str, actor: User | None, now: datetime) -> None:
    db.session.add(
        PrivacyRequest(
            person_hash=privacy.person_key(current_app.config["HASH_KEY"], email),
            action=action,
            via=via,
            actor_id=None if actor is None else actor.id,
            counts=dict(counts),
            created_at=now,
        )
    )
    db.session.flush()


def recent_requests(limit: int = 50) -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            sa.select(PrivacyRequest).order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc()).limit(limit)
        )
    )
