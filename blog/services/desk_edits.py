"""Reply and edit from the moderation desk (issue 22): an editor's reply is published as them and approves the
comment it answers if that was pending (as WordPress does); an editor's edit of a comment's text, name or
website keeps what it replaced in ``comment_revisions`` with who and when (the public page then says "edited")."""

from __future__ import annotations

from datetime import datetime

from blog.core import moderation as rules
from blog.core import sanitize
from blog.core.privacy import contains_email_address
from blog.extensions import db
from blog.inputs import is_web_address
from blog.models import Article, Comment, CommentRevision, CommentStatus, User
from blog.services import notifications
from blog.services.comments import record_comment
from blog.services.moderation import ModerationError, moderate
from blog.services.site import get_settings

MAX_BODY = 5000


class EditRefused(ModerationError):
    """The reply or edit is not acceptable as typed; the message says why (for the form)."""


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise EditRefused("Write something first.")
    if len(body) > MAX_BODY:
        raise EditRefused(f"A comment can be at most {MAX_BODY:,} characters long.")
    return body


def reply(parent: Comment, body: str, *, editor: User, now: datetime) -> Comment:
    """Publish the editor's reply to ``parent``; a pending parent is approved first. Flushes; the caller commits.
    Raises ``EditRefused`` (empty or too long, spam or trash parent, thread too deep)."""
    body = _body(body)
    if parent.status in (CommentStatus.SPAM, CommentStatus.TRASH):
        raise EditRefused(f"Comment {parent.id} is {parent.status}: approve it before replying to it.")
    if parent.status is CommentStatus.PENDING:
        moderate(parent, "approve", actor=editor, now=now)
    refusal = rules.reply_refusal(
        parent_article_id=parent.article_id,
        parent_status=parent.status,
        parent_depth=parent.depth,
        article_id=parent.article_id,
        max_depth=get_settings().thread_depth,
    )
    if refusal:
        raise EditRefused(refusal)
    article = db.session.get(Article, parent.article_id)
    assert article is not None  # noqa: S101  (a comment's article is deleted with it)
    comment = record_comment(
        article,
        name=editor.display_name,
        email=editor.email,
        website=editor.website or "",
        body=body,
        parent=parent,
        status=CommentStatus.APPROVED,
        created_at=now,
        reasons=["editor"],
        user=editor,
    )
    notifications.comment_approved(comment, now=now)
    return comment


def edit(comment: Comment, *, body: str, name: str, website: str, editor: User, now: datetime) -> bool:
    """Change the comment's text, name or website as the editor typed them, keeping the earlier values in a
    revision with who and when. False when nothing changed (no revision). Flushes; the caller commits."""
    body = _body(body)
    name, website = name.strip(), website.strip()
    if not name or len(name) > 80:
        raise EditRefused("The name must be 1 to 80 characters long.")
    if contains_email_address(name):
        raise EditRefused("The name is published: it must not contain an email address.")
    if website and (len(website) > 200 or not is_web_address(website)):
        raise EditRefused("The website must be an http:// or https:// address of at most 200 characters.")
    if (body, name, website) == (comment.body_text, comment.author_name, comment.author_website):
        return False
    db.session.add(
        CommentRevision(
            comment_id=comment.id,
            body_text=comment.body_text,
            author_name=comment.author_name if name != comment.author_name else None,
            author_website=comment.author_website if website != comment.author_website else None,
            edited_at=now,
            editor_id=editor.id,
        )
    )
    if body != comment.body_text:
        comment.body_text = body
        comment.body_html = sanitize.render_comment(body)
    comment.author_name = name
    comment.author_website = website
    comment.edited_at = now
    db.session.flush()
    return True
