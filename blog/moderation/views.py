"""The moderation desk: tabs, filters, search, one-click and bulk actions, a comment's history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blog.accounts.forms import safe_next
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.orm import utcnow
from blog.services import comment_edits, moderation, retention
from blog.services.moderation import ModerationError

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

DONE = {
    "approve": "approved",
    "unapprove": "unapproved",
    "spam": "marked as spam",
    "trash": "moved to the trash",
    "restore": "restored",
    "delete": "deleted permanently",
}


def _desk_query() -> tuple[moderation.DeskQuery, Article | None]:
    args = request.args
    try:
        status = CommentStatus(args.get("status", "pending"))
    except ValueError:
        abort(404)
    article = None
    if slug := args.get("article"):
        article = db.session.scalar(sa.select(Article).where(Article.slug == slug)) or abort(404)
    query = moderation.DeskQuery(
        status=status,
        article_id=article.id if article else None,
        q=args.get("q", "").strip()[:200],
        before=moderation.Cursor.parse(args.get("before")),
        after=moderation.Cursor.parse(args.get("after")),
        per_page=current_app.config["DESK_PER_PAGE"],
    )
    return query, article


@bp.get("/")
def desk():
    query, article = _desk_query()
    page = moderation.desk_page(query)
    filters = {
        k: v
        for k, v in {
            "status": query.status.value,
            "article": article.slug if article else None,
            "q": query.q or None,
        }.items()
        if v
    }
    return render_template(
        "moderation/desk.html",
        page=page,
        query=query,
        article=article,
        filters=filters,
        actions=ACTIONS_FOR[query.status],
        here=request.full_path.rstrip("?"),
        shown_count=moderation.shown_count,
        fates=retention.fates(page.comments, utcnow()),
    )


# Which buttons each tab offers (one-click on a row, and in the bulk menu).
ACTIONS_FOR = {
    CommentStatus.PENDING: ("approve", "spam", "trash"),
    CommentStatus.APPROVED: ("unapprove", "spam", "trash"),
    CommentStatus.SPAM: ("approve", "restore", "delete"),
    CommentStatus.TRASH: ("restore", "spam", "delete"),
}


def _commit_or_abort(change, status: int):
    """Run a moderation change and commit it; on a ModerationError nothing is kept and the reader gets why."""
    try:
        result = change()
    except ModerationError as error:
        db.session.rollback()
        abort(status, str(error))
    db.session.commit()
    return result


def _back():
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.desk"), code=303)


@bp.post("/comments/<int:comment_id>/<action>")
def act(comment_id: int, action: str):
    if action not in moderation.TRANSITIONS:
        abort(400, f"Unknown action “{action}”. Use one of: {', '.join(moderation.TRANSITIONS)}.")
    comment = db.session.get(Comment, comment_id) or abort(404, "There is no such comment (it may have been deleted).")
    _commit_or_abort(lambda: moderation.moderate(comment, action, actor=current_user, now=utcnow()), 409)
    flash(f"Comment {comment_id} {DONE[action]}.", "success")
    return _back()


@bp.post("/bulk")
def bulk():
    action = request.form.get("action", "")
    if action not in moderation.TRANSITIONS:
        abort(400, "Choose what to do with the selected comments.")
    ids = request.form.getlist("ids")
    done = _commit_or_abort(
        lambda: moderation.moderate_many(moderation.parse_ids(ids), action, actor=current_user, now=utcnow()), 400
    )
    flash(f"{done} comment{'' if done == 1 else 's'} {DONE[action]}.", "success")
    return _back()


@bp.get("/comments/<int:comment_id>")
def comment(comment_id: int):
    found = db.session.scalar(
        sa.select(Comment)
        .where(Comment.id == comment_id)
        .options(sa.orm.joinedload(Comment.article), sa.orm.joinedload(Comment.parent))
    ) or abort(404, "There is no such comment (it may have been deleted).")
    return render_template(
        "moderation/comment.html",
        comment=found,
        history=moderation.comment_history(comment_id),
        revisions=comment_edits.revisions(comment_id),
        actions=ACTIONS_FOR[found.status],
        fate=retention.fates([found], utcnow())[found.id],
    )
