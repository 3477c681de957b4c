"""The moderation desk: tabs, filters, search, one-click and bulk actions, a comment's history, the site-wide log."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from blog import inputs, policy
from blog.accounts.forms import safe_next
from blog.core import audit
from blog.extensions import db
from blog.inputs import parse_id
from blog.models import Article, BanKind, Comment, CommentStatus
from blog.orm import utcnow
from blog.services import audit_log, comment_edits, commenters, desk_edits, moderation, paging, retention
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


IP_FILTER = re.compile(r"[0-9a-f]{6,64}")
BAD_IP_FILTER = "“ip” must be an IP hash as the desk shows it: 6 to 64 characters from 0-9 and a-f."


def _desk_query(args: MultiDict[str, str]) -> tuple[moderation.DeskQuery, Article | None]:
    ip = args.get("ip", "").strip().lower()
    if ip and not IP_FILTER.fullmatch(ip):
        abort(400, BAD_IP_FILTER)
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
        ip=ip,
        before=paging.Cursor.parse(args.get("before")),
        after=paging.Cursor.parse(args.get("after")),
        per_page=current_app.config["DESK_PER_PAGE"],
    )
    return query, article


@bp.get("/")
def desk():
    if request.args.get("status") == REPORTED:
        return _reported_page()
    undo = session.pop("desk_undo", None)  # the last one-click action, to undo without the script
    return _desk_page(request.args, here=request.full_path.rstrip("?"), undo=undo)


def _desk_page(
    args: MultiDict[str, str],
    *,
    here: str,
    refusal: str = "",
    selected: frozenset[str] = frozenset(),
    chosen: str = "",
    undo: list | None = None,
) -> str:
    """The desk for these filters; after a refused action, with why beside the bulk bar and the selection kept."""
    query, article = _desk_query(args)
    page = moderation.desk_page(query)
    filters = {
        k: v
        for k, v in {
            "status": query.status.value,
            "article": article.slug if article else None,
            "q": query.q or None,
            "ip": query.ip or None,
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
        here=here,
        shown_count=moderation.shown_count,
        fates=retention.fates(page.comments, utcnow()),
        refusal=refusal,
        selected=selected,
        chosen=chosen,
        reported_count=commenters.reported_count(),
        bans=commenters.bans_of(page.comments),
        undo=undo,
        label_for=lambda action: (
            "Not spam" if action == "restore" and query.status is CommentStatus.SPAM else action.title()
        ),
    )


def _refused(message: str, status: int, *, action: str = ""):
    """A refused desk action: the desk the request came from again, the message beside the bulk bar, what was
    ticked still ticked (instead of a bare error page)."""
    db.session.rollback()
    here = safe_next(request.form.get("next")) or url_for("moderation.desk")
    detail = request.view_args.get("comment_id") if request.view_args else None
    if detail is not None and urlsplit(here).path == url_for("moderation.comment", comment_id=detail):
        return _comment_page(detail, refusal=message), status  # refused on the comment's own page
    args = MultiDict(parse_qsl(urlsplit(here).query))
    selected = frozenset(request.form.getlist("ids"))
    return _desk_page(args, here=here, refusal=message, selected=selected, chosen=action), status


# Which buttons each tab offers (one-click on a row, and in the bulk menu).
ACTIONS_FOR = {
    CommentStatus.PENDING: ("approve", "spam", "trash"),
    CommentStatus.APPROVED: ("unapprove", "spam", "trash"),
    CommentStatus.SPAM: ("approve", "restore", "delete"),
    CommentStatus.TRASH: ("restore", "spam", "delete"),
}


def _back():
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.desk"), code=303)


def _wants_json() -> bool:
    """The desk's script asks for JSON (``Accept: application/json``): the row changes in place. Without the
    script the forms get the redirect they always had."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _answer(message: str, *, comment_id: int, action: str, changed: bool, status: int = 200, **extra: object):
    """The JSON a fetch request gets: what happened, and the tab counts and the staff bar's badge to show now."""
    here = urlsplit(safe_next(request.form.get("next")) or url_for("moderation.desk"))
    article = None
    if slug := dict(parse_qsl(here.query)).get("article"):
        article = db.session.scalar(sa.select(Article.id).where(Article.slug == slug))
    counts = moderation.count_by_status(article)
    capped = article is None
    pending = counts[CommentStatus.PENDING] if capped else moderation.count_pending()
    if "undo" in extra:  # an undo of the action's own (a ban's: lifting it)
        undo_link = extra.pop("undo")
    else:
        undo = _undo_for(comment_id, action) if changed else None
        undo_link = undo and {"action": undo, "url": url_for("moderation.act", comment_id=comment_id, action=undo)}
    body = {
        "id": comment_id,
        "action": action,
        "changed": changed,
        "message": message,
        "status": extra.pop("new_status", None),
        "undo": undo_link,
        "counts": {s.value: moderation.shown_count(n) if capped else str(n) for s, n in counts.items()},
        "pending": moderation.shown_count(pending),
        **extra,
    }
    return jsonify(body), status


def _refused_json(message: str, status: int):
    db.session.rollback()
    return jsonify({"error": message}), status


@bp.post("/comments/<int:comment_id>/<action>")
def act(comment_id: int, action: str):
    if action not in moderation.TRANSITIONS:
        abort(400, f"Unknown action “{action}”. Use one of: {', '.join(moderation.TRANSITIONS)}.")
    refuse = _refused_json if _wants_json() else _refused
    comment = db.session.get(Comment, comment_id)
    if comment is None and action == "delete":  # deleted already (another editor, a second click): done
        message = f"Comment {comment_id} was already deleted."
        if _wants_json():
            return _answer(message, comment_id=comment_id, action=action, changed=False)
        flash(message, "success")
        return _back()
    if comment is None:
        return refuse("There is no such comment (it may have been deleted).", 404)
    if action == "delete" and not _confirmed() and comment.status in moderation.TRANSITIONS["delete"][0]:
        if _wants_json():
            return refuse("Confirm the permanent delete first.", 409)
        return _confirm(
            title=f"Delete comment {comment_id} for good?",
            message=f"The comment by {comment.author_name} will be deleted permanently; this cannot be undone.",
            action=url_for("moderation.act", comment_id=comment_id, action="delete"),
            button="Delete permanently",
        )
    try:
        changed = moderation.moderate(comment, action, actor=current_user, now=utcnow())
    except moderation.CommentGone as error:
        return refuse(str(error), 404)
    except ModerationError as error:
        return refuse(str(error), 409)
    db.session.commit()
    message = f"Comment {comment_id} {'' if changed else 'was already '}{DONE[action]}."
    if _wants_json():
        new_status = None if action == "delete" else comment.status.value
        return _answer(message, comment_id=comment_id, action=action, changed=changed, new_status=new_status)
    flash(message, "success")
    if changed and (undo := _undo_for(comment_id, action)):  # without the script: an Undo on the next desk page
        session["desk_undo"] = [comment_id, undo]
    return _back()


def _undo_for(comment_id: int, action: str) -> str | None:
    if action == "delete":
        return None
    before, after = moderation.last_change(comment_id)
    return None if before is None else moderation.undo_action(before, after)


@bp.post("/bulk")
def bulk():
    action = request.form.get("action", "")
    if action not in moderation.TRANSITIONS:
        return _refused("Choose what to do with the selected comments.", 400)
    try:
        ids = moderation.parse_ids(request.form.getlist("ids"))
        if action == "delete" and not _confirmed():
            moderation.check_many(ids, action)
            return _confirm(
                title=f"Delete {len(ids)} comment{'' if len(ids) == 1 else 's'} for good?",
                message="The selected comments will be deleted permanently; this cannot be undone.",
                action=url_for("moderation.bulk"),
                button="Delete permanently",
                fields=[("action", "delete"), *(("ids", str(i)) for i in ids)],
            )
        done = moderation.moderate_many(ids, action, actor=current_user, now=utcnow())
    except ModerationError as error:
        return _refused(str(error), 400, action=action)
    db.session.commit()
    already = len(ids) - done
    note = f" ({already} already {'were' if already > 1 else 'was'})" if already else ""
    flash(f"{done} comment{'' if done == 1 else 's'} {DONE[action]}{note}.", "success")
    return _back()


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id: int):
    """Reply from the desk: published as the editor; a pending comment replied to is approved first."""
    refuse = _refused_json if _wants_json() else _refused
    parent = db.session.get(Comment, comment_id)
    if parent is None:
        return refuse("There is no such comment (it may have been deleted).", 404)
    try:
        made = desk_edits.reply(parent, request.form.get("body", ""), editor=current_user, now=utcnow())
    except desk_edits.EditRefused as error:
        return refuse(str(error), 422)
    except ModerationError as error:
        return refuse(str(error), 409)
    db.session.commit()
    message = f"Your reply to comment {comment_id} is published."
    if _wants_json():
        return _answer(
            message,
            comment_id=comment_id,
            action="reply",
            changed=True,
            new_status=parent.status.value,
            reply_id=made.id,
            reply_url=url_for(
                "public.article",
                slug=db.session.scalar(sa.select(Article.slug).where(Article.id == parent.article_id)),
                _anchor=f"comment-{made.id}",
            ),
        )
    flash(message, "success")
    return _back()


@bp.post("/comments/<int:comment_id>/edit")
def edit(comment_id: int):
    """An editor's edit of the comment's text, name or website; the earlier values are kept as a revision."""
    found = db.session.get(Comment, comment_id)
    if found is None:
        abort(404, "There is no such comment (it may have been deleted).")
    form = request.form
    try:
        changed = desk_edits.edit(
            found,
            body=form.get("body", ""),
            name=form.get("name", ""),
            website=form.get("website", ""),
            editor=current_user,
            now=utcnow(),
        )
    except desk_edits.EditRefused as error:
        db.session.rollback()
        return _comment_page(comment_id, refusal=str(error), typed=form), 422
    db.session.commit()
    flash(f"Comment {comment_id} {'saved; the earlier version is kept' if changed else 'unchanged'}.", "success")
    return redirect(url_for("moderation.comment", comment_id=comment_id), code=303)


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def _confirm(*, title: str, message: str, action: str, button: str, fields: list[tuple[str, str]] | None = None):
    """Ask first (a page of its own, so it works without JavaScript): nothing is changed until the form it
    shows is sent, with ``confirm=yes``."""
    back = safe_next(request.form.get("next")) or url_for("moderation.desk")
    return render_template(
        "moderation/confirm.html",
        title=title,
        message=message,
        action=action,
        button=button,
        fields=[*(fields or []), ("next", back)],
        back=back,
    )


@bp.post("/empty/<status>")
def empty(status: str):
    """Empty Spam / Empty Trash: asks first with the count, then deletes those comments for good."""
    target = moderation.EMPTIABLE.get(status) or abort(404, "Only the spam and the trash can be emptied.")
    count, upto = moderation.emptying(target)
    back = url_for("moderation.desk", status=status)
    if not _confirmed():
        if not count:
            flash(f"The {status} is empty already.", "success")
            return redirect(back, code=303)
        return _confirm(
            title=f"Empty the {status}?",
            message=f"{count} {status} comment{'' if count == 1 else 's'} will be deleted permanently; "
            "this cannot be undone.",
            action=url_for("moderation.empty", status=status),
            button=f"Delete {count} comment{'' if count == 1 else 's'} permanently",
            fields=[("upto", str(upto))],
        )
    upto_seen = inputs.int_arg("upto", source=request.form, message="The confirmation is incomplete; try again.")
    if upto_seen is None:
        abort(400, "The confirmation is incomplete; try again.")
    done = moderation.empty(target, upto=upto_seen, actor=current_user, now=utcnow())
    db.session.commit()
    flash(f"{done} {status} comment{'' if done == 1 else 's'} deleted permanently.", "success")
    return redirect(back, code=303)


@bp.get("/comments/<int:comment_id>")
def comment(comment_id: int):
    return _comment_page(comment_id)


def _comment_page(comment_id: int, *, refusal: str = "", typed: MultiDict[str, str] | None = None) -> str:
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
        actor_text=audit.actor_text,
        actions=ACTIONS_FOR[found.status],
        fate=retention.fates([found], utcnow())[found.id],
        refusal=refusal,
        typed=typed,
    )


# --- Commenters: one commenter's comments, bans, readers' reports ---------------------------------------------------

REPORTED = "reported"  # ?status=reported: the Reported tab (not a status: a reported comment is still published)
COMMENTER_KEY = re.compile(r"[0-9a-f]{64}")


@bp.get("/commenters/<key>")
def commenter(key: str):
    """Every comment from one address, named by its keyed hash (never the address itself in a URL), a page of
    ``COMMENTER_LIMIT`` at a time (``?before=`` / ``?after=``, the desk's cursor)."""
    if not COMMENTER_KEY.fullmatch(key):
        abort(404, "There is no such commenter.")
    total = commenters.count_of(key)
    if not total:
        abort(404, "There is no such commenter (their comments may have been deleted).")
    before = paging.Cursor.parse(request.args.get("before"))
    after = paging.Cursor.parse(request.args.get("after"))
    page = commenters.comments_of(key, before=before, after=after)
    first_page = before is None and after is None and page.items
    latest = page.items[0] if first_page else commenters.latest_of(key)
    if latest is None:  # deleted since they were counted
        abort(404, "There is no such commenter (their comments may have been deleted).")
    return render_template(
        "moderation/commenter.html",
        key=key,
        page=page,
        comments=page.items,
        total=total,
        latest=latest,
        banned=commenters.banned_kinds(key),
        row_bans=commenters.bans_of(page.items),
        limit=commenters.COMMENTER_LIMIT,
        here=request.full_path.rstrip("?"),
    )


BAN_WHAT = {BanKind.ADDRESS: "address", BanKind.NETWORK: "network (IPv4 /24 or IPv6 /64)"}


@bp.post("/bans")
def ban():
    """Ban the address, or the network, a comment came from: their next comments go to spam; with
    ``spam_pending=yes`` ("also move their pending comments to Spam") the pending ones the ban matches go now.
    Asks first unless ``confirm=yes`` (a page of its own without the desk's script; the script asks with a second
    click and gets JSON). Never shows the address or the IP: a ban is named by its keyed hash."""
    as_json = _wants_json()

    def refuse(message: str, status: int):
        if as_json:
            return _refused_json(message, status)
        db.session.rollback()
        abort(status, message)

    try:
        kind = BanKind(request.form.get("kind", ""))
    except ValueError:
        return refuse("Choose what to ban: “address” or “network”.", 400)
    comment_id = parse_id(request.form.get("comment_id"))
    if comment_id is None:
        return refuse("Say which comment's writer to ban.", 400)
    found = db.session.get(Comment, comment_id)
    if found is None:
        return refuse("There is no such comment (it may have been deleted).", 404)
    spam_pending = request.form.get("spam_pending") == "yes"
    try:
        key = commenters.ban_key(found, kind)
    except commenters.CommenterError as error:
        return refuse(str(error), 409)
    if not _confirmed():
        if as_json:
            return refuse("Confirm the ban first.", 409)
        return _confirm_ban(found, kind, key, spam_pending=spam_pending)
    try:
        done = commenters.ban(found, kind, actor=current_user, now=utcnow(), spam_pending=spam_pending)
    except commenters.CommenterError as error:
        return refuse(str(error), 409)
    db.session.commit()
    what = BAN_WHAT[kind]
    message = (
        f"Banned the {what} of comment {comment_id}: their next comments go to spam."
        if done.new
        else f"Banned already: the {what} of comment {comment_id}; their next comments go to spam."
    )
    if done.moved:
        message += f" {len(done.moved)} pending comment{'' if len(done.moved) == 1 else 's'} moved to spam."
    if done.later:
        message += f" The other {done.later:,} are being moved in the background: reload the desk in a minute."
    if as_json:
        lift = None
        if done.new and policy.may(current_user, policy.rule_for("editorial.revoke_ban") or policy.Need.ADMIN):
            lift = {
                "action": "lift",
                "url": url_for("editorial.revoke_ban", ban_id=done.ban.id),
                # the Undo lifts the ban; the row's own comment, if the ban moved it, stays in spam until restored
                "then": url_for("moderation.act", comment_id=comment_id, action="restore")
                if comment_id in done.moved
                else None,
            }
        return _answer(
            message,
            comment_id=comment_id,
            action="ban",
            changed=done.new,
            new_status=found.status.value,
            undo=lift,
            kind=kind.value,
            moved=done.moved,
        )
    flash(message, "success")
    return _back()


def _confirm_ban(found: Comment, kind: BanKind, key: str, *, spam_pending: bool):
    """The page that asks before a ban: what it matches (by keyed hash: never the address or the IP), and what
    happens to the pending comments it matches."""
    pending = commenters.pending_count(kind, key)
    plural = "" if pending == 1 else "s"
    if kind is BanKind.ADDRESS:
        whom = f"Comments from this address (commenter #{key[:12]}) will go to spam from now on."
    else:
        whom = (
            f"Comments from this network (#{key[:12]}: the IPv4 /24 or IPv6 /64 comment {found.id} came from) will "
            "go to spam from now on, whoever writes them."
        )
    if spam_pending and pending:
        then = f" The {pending} pending comment{plural} from it will be moved to spam now."
    elif pending:
        then = f" The {pending} pending comment{plural} from it will stay pending."
    else:
        then = ""
    fields = [("kind", kind.value), ("comment_id", str(found.id))]
    if spam_pending:
        fields.append(("spam_pending", "yes"))
    return _confirm(
        title=f"Ban the {'address' if kind is BanKind.ADDRESS else 'network'} of comment {found.id}?",
        message=f"{whom}{then} Admins can lift a ban in the settings.",
        action=url_for("moderation.ban"),
        button=f"Ban this {'address' if kind is BanKind.ADDRESS else 'network'}",
        fields=fields,
    )


def _reported_page() -> str:
    page = commenters.reported(
        before=paging.Cursor.parse(request.args.get("before")),
        after=paging.Cursor.parse(request.args.get("after")),
    )
    return render_template(
        "moderation/reported.html",
        rows=page.items,
        page=page,
        counts=moderation.count_by_status(),
        shown_count=moderation.shown_count,
        reported_count=commenters.reported_count(),
        bans=commenters.bans_of([c for c, _ in page.items]),
        actions=ACTIONS_FOR,
        here=request.full_path.rstrip("?"),
    )


@bp.post("/comments/<int:comment_id>/reports/keep")
def keep(comment_id: int):
    """The editor read the reports and keeps the comment published; reports never unpublish it again."""
    found = db.session.get(Comment, comment_id) or abort(404, "There is no such comment (it may have been deleted).")
    try:
        commenters.keep(found, actor=current_user, now=utcnow())
    except commenters.CommenterError as error:
        db.session.rollback()
        abort(409, str(error))
    db.session.commit()
    flash(f"Comment {comment_id} kept published; its reports are dealt with.", "success")
    return _back()


# --- The site-wide moderation log (admins) -------------------------------------------------------


def _log_query() -> audit_log.LogQuery:
    actor = request.args.get("actor", "")
    if actor and actor not in audit_log.ACTOR_CHOICES and inputs.parse_id(actor) is None:
        abort(400, f"“actor” must be a user's number, “cli” or “none”, not “{actor[:40]}”.")
    days = {}
    for name in ("since", "until"):
        try:
            days[name] = audit_log.parse_day(request.args.get(name, "").strip())
        except ValueError:
            abort(400, f"“{name}” must be a day written YYYY-MM-DD (like 2026-11-30).")
    return audit_log.LogQuery(
        actor=actor,
        action=request.args.get("action", "").strip()[:32],
        since=days["since"],
        until=days["until"],
        before=inputs.int_arg("before"),
    )


@bp.get("/log")
def log():
    query = _log_query()
    return render_template(
        "moderation/log.html",
        log=audit_log.page(query),
        query=query,
        actors=audit_log.actors(),
        actor_choices=audit_log.ACTOR_CHOICES,
        actions=audit_log.actions(),
        filters={k: v for k, v in request.args.items() if k != "before" and v},
    )


@bp.get("/log.csv")
def log_csv():
    query = _log_query()
    response = Response(stream_with_context(audit_log.csv_lines(query)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="moderation-log.csv"'
    return response
