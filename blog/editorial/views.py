"""The newsroom's pages: articles (authors their own: drafts, preview, review, comments, revisions; editors all,
with publishing and Keep Reading links); users and settings (admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3's; its stubs (3.2) lack it

from blog.accounts.views import edit_profile
from blog.core import dates, placement
from blog.editorial.forms import (
    ArticleForm,
    CorrectionForm,
    ExternalLinkForm,
    ImportForm,
    NewUserForm,
    PersonalDataEraseForm,
    PersonalDataForm,
    SendBackForm,
    SettingsForm,
    UserForm,
)
from blog.extensions import db
from blog.inputs import int_arg
from blog.models import Article, Role, User
from blog.orm import utcnow
from blog.public.your_data import download
from blog.services import articles as public_articles
from blog.services import commenters, editorial, media, users
from blog.services import personal_data as held_data
from blog.services import revisions as article_revisions
from blog.services import security_log as security_events
from blog.services.editorial import ArticleDraft, EditorialError, NotAllowed
from blog.services.site import get_settings

bp = Blueprint("editorial", __name__, url_prefix="/editorial")

from blog.editorial import media_views

# --- Articles ------------------------------------------------------------------------------------


def _authors() -> list[SelectChoice]:
    people = db.session.execute(sa.select(User.id, User.display_name).order_by(User.display_name))
    return [SelectChoice(row.id, row.display_name) for row in people]


def _draft(form: ArticleForm) -> ArticleDraft:
    return ArticleDraft(
        title=form.title.data or "",
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        tags=form.tags.data or "",
        author_id=form.author_id.data if "author_id" in form else None,
        comments_open=form.comments_open.data,
        section=form.section.data or "",
    )


def _form(obj=None) -> ArticleForm:
    """The article form: an editor's whole, an author's without the choices they may not make."""
    form = ArticleForm(obj=obj) if request.method == "GET" else ArticleForm()
    if not editorial.is_editor(current_user):
        return form.for_author()
    form.author_id.choices = _authors()
    form.publish_at.label.text = f"Publish at ({_zone_name()} time)"
    return form


def _zone_name() -> str:
    """The site's time zone: the publish time is typed and shown in it, stored in UTC."""
    return str(get_settings().time_zone)


def _publish_at(form: ArticleForm) -> datetime | None:
    when = form.publish_at.data if "publish_at" in form else None
    return None if when is None else when.replace(tzinfo=dates.zone(_zone_name())).astimezone(UTC)


def _own_article(article_id: int) -> Article:
    """The article, if the signed-in person may open it: 404 when there is none, 403 for another's (authors)."""
    try:
        found = editorial.article_for(current_user, article_id)
    except NotAllowed as refusal:
        abort(403, str(refusal))
    return found or abort(404, "There is no such article.")


@bp.get("/")
def articles():
    q = request.args.get("q", "").strip()[:200]
    editor = editorial.is_editor(current_user)
    found = editorial.list_articles(q=q, author_id=None if editor else current_user.id)
    return render_template(
        "editorial/articles.html",
        articles=found,
        q=q,
        editor=editor,
        review=editorial.ready_for_review() if editor else [],
        pending=editorial.pending_counts([a.id for a in found]),
    )


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article():
    form = _form()
    if request.method == "GET" and "author_id" in form:
        form.author_id.data = current_user.id
    lead_form = media_views.lead_form_for(None)
    if request.method == "POST" and form.validate() and request.form.get("action") != "preview":
        try:
            article = editorial.create_from_draft(_draft(form), actor=current_user)
        except EditorialError as error:
            db.session.rollback()
            form[error.field or "title"].errors = [str(error)]
        else:
            if media_views.attach_lead(article, lead_form):
                db.session.commit()
                then = "publish it" if editorial.is_editor(current_user) else "submit it for review"
                flash(f"Draft “{article.title}” created. Preview it, then {then}.", "success")
                return redirect(url_for("editorial.article", article_id=article.id), code=303)
            db.session.rollback()
    return _article_page(form, None, lead_form=lead_form)


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
def article(article_id: int):
    found = _own_article(article_id)
    form = _form(found)
    if request.method == "GET":
        _fill(form, found)
    lead_form = media_views.lead_form_for(found)
    action = request.form.get("action", "save")
    if request.method == "POST" and form.validate() and action != "preview":
        try:
            editorial.update_from_draft(found, _draft(form), actor=current_user, now=utcnow())
            if action in ("publish", "unpublish"):
                editorial.set_published(
                    found, action == "publish", actor=current_user, now=utcnow(), at=_publish_at(form)
                )
            elif action == "submit":
                editorial.submit_for_review(found, actor=current_user)
        except NotAllowed as refusal:
            db.session.rollback()
            abort(403, str(refusal))
        except EditorialError as error:
            db.session.rollback()
            form[error.field or "title"].errors = [str(error)]
        else:
            if not media_views.attach_lead(found, lead_form):
                db.session.rollback()
                return _article_page(form, editorial.get_article(article_id), lead_form=lead_form)
            db.session.commit()
            flash(_done(action, found), "success")
            return redirect(url_for("editorial.article", article_id=found.id), code=303)
    return _article_page(form, found, lead_form=lead_form)


def _fill(form: ArticleForm, article: Article) -> None:
    """What ``obj=`` does not fill: the tags as text, the Markdown source, the section label, a scheduled time."""
    form.tags.data = ", ".join(t.name for t in article.tags)
    form.body.data = article.body_markdown
    form.section.data = article.section.name if article.section_tag_id and article.section else ""
    if "publish_at" in form and article.is_scheduled and article.published_at is not None:
        form.publish_at.data = dates.local(article.published_at, _zone_name()).replace(tzinfo=None)


def _done(action: str, article: Article) -> str:
    if action == "publish" and article.is_scheduled:
        assert article.published_at is not None  # noqa: S101  (is_scheduled)
        return f"Scheduled for {dates.format_datetime(article.published_at, _zone_name())}: hidden until then."
    return {
        "publish": "Published.",
        "unpublish": "Unpublished: the article is now a draft.",
        "submit": "Submitted for review: an editor will publish it or send it back with a note.",
    }.get(action, "Saved.")


def _article_page(
    form: ArticleForm,
    article: Article | None,
    *,
    send_back_form: SendBackForm | None = None,
    link_form: ExternalLinkForm | None = None,
    link_refusal: str = "",
    correction_form: CorrectionForm | None = None,
    lead_form=None,
):
    preview = None
    if request.method == "POST" and request.form.get("action") == "preview":
        preview = media.render_article(form.body.data or "")
    refused = (
        form.errors
        or (send_back_form is not None and send_back_form.errors)
        or link_refusal
        or (link_form is not None and link_form.errors)
        or (lead_form is not None and lead_form.errors)
    )
    status = 422 if request.method == "POST" and refused else 200
    editor = editorial.is_editor(current_user)
    context: dict[str, Any] = {"form": form, "article": article, "preview": preview, "editor": editor}
    context |= {
        "lead_form": lead_form or media_views.lead_form_for(article, sent=False),
        "lead": media_views.lead_picture(article),
        "library": [media.picture(m) for m in media.list_library(12)],
    }
    if article is not None:
        context["may_edit"] = editorial.may_edit(current_user, article)
        if editor:
            q = request.args.get("q", "").strip()[:200]
            context |= {
                "corrections": editorial.corrections_of(article.id),
                "links": editorial.curated_links(article),
                "link_form": link_form or ExternalLinkForm(formdata=None),
                "link_refusal": link_refusal,
                "correction_form": correction_form or CorrectionForm(formdata=None),
                "q": q,
                "candidates": editorial.find_link_targets(article, q),
                "automatic": editorial.keep_reading_report(article, size=current_app.config["KEEP_READING_SIZE"]),
                "send_back_form": send_back_form or SendBackForm(formdata=None),
            }
    return render_template("editorial/article.html", **context), status


@bp.get("/articles/<int:article_id>/preview")
def preview(article_id: int):
    """The article as readers will see it, for its author and the editors: never cached, never indexed."""
    found = _own_article(article_id)
    author = db.session.get(User, found.author_id)
    cut = placement.split(found.body_html, enabled=found.keep_reading_shown)  # where Keep Reading will go
    response = make_response(render_template("editorial/preview.html", article=found, author=author, cut=cut))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.post("/articles/<int:article_id>/send-back")
def send_back(article_id: int):
    found = _own_article(article_id)
    form = SendBackForm()
    if form.validate():
        try:
            editorial.send_back(found, form.note.data or "", actor=current_user)
        except NotAllowed as refusal:
            db.session.rollback()
            abort(403, str(refusal))
        except EditorialError as error:
            db.session.rollback()
            form.note.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"Sent back to its author with your note: “{found.title}” is a draft again.", "success")
            return redirect(url_for("editorial.articles"), code=303)
    # The article page again: the note's error beside it, the note kept.
    return _article_page(_form_of(found), found, send_back_form=form)


# --- Authors: the comments on their stories, and every article's revisions ---------------------------------


@bp.get("/articles/<int:article_id>/comments")
def article_comments(article_id: int):
    """The approved comments, as readers see them (the public projection: no addresses, no IP hashes), and how
    many wait for moderation. Read-only: moderating is the editors' desk."""
    found = _own_article(article_id)
    thread = public_articles.visible_comments(found, [], after=request.args.get("after"))
    return render_template(
        "editorial/comments.html",
        article=found,
        thread=thread,
        pending=editorial.pending_counts([found.id]).get(found.id, 0),
    )


@bp.get("/articles/<int:article_id>/revisions")
def revisions(article_id: int):
    found = _own_article(article_id)
    return render_template(
        "editorial/revisions.html",
        article=found,
        history=article_revisions.history(found.id),
        may_edit=editorial.may_edit(current_user, found),
    )


@bp.get("/articles/<int:article_id>/revisions/diff")
def revision_diff(article_id: int):
    """What changed between two versions, line by line: ``from`` and ``to`` are revision ids, ``to`` empty is
    the current text."""
    found = _own_article(article_id)
    old = article_revisions.version(found, int_arg("from", message="Choose the older version to compare."))
    new = article_revisions.version(found, int_arg("to", message="Choose the newer version to compare."))
    if old is None or new is None:
        abort(404, "This article has no such revision.")
    if old.revision_id is None:
        abort(400, "Choose an earlier revision to compare with.")
    return render_template(
        "editorial/revision_diff.html",
        article=found,
        old=old,
        new=new,
        fields=article_revisions.compare(old, new),
    )


@bp.post("/articles/<int:article_id>/revisions/<int:revision_id>/restore")
def restore_revision(article_id: int, revision_id: int):
    found = _own_article(article_id)
    try:
        editorial.restore_revision(found, revision_id, actor=current_user, now=utcnow())
    except NotAllowed as refusal:
        db.session.rollback()
        abort(403, str(refusal))
    except EditorialError as error:
        db.session.rollback()
        abort(404, str(error))
    db.session.commit()
    flash("Revision restored: the text it replaced is kept as a revision too.", "success")
    return redirect(url_for("editorial.article", article_id=found.id), code=303)


@bp.post("/articles/<int:article_id>/links")
def add_link(article_id: int):
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    form = ExternalLinkForm()
    try:
        target = int_arg("target_id", source=request.form, message="Choose an article from the search results.")
        if target is not None:
            editorial.add_internal_link(found, target)
        elif not form.validate():
            return _link_refused(found, form, "")
        else:
            editorial.add_external_link(found, form.url.data or "", form.title.data or "")
    except EditorialError as error:
        return _link_refused(found, form, str(error))
    db.session.commit()
    flash("Link added to Keep Reading.", "success")
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="keep-reading"), code=303)


@bp.post("/articles/<int:article_id>/links/<int:link_id>/<action>")
def change_link(article_id: int, link_id: int, action: str):
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    try:
        editorial.change_link(found, link_id, action)
    except EditorialError as error:
        return _link_refused(found, ExternalLinkForm(formdata=None), str(error), 400)
    db.session.commit()
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="keep-reading"), code=303)


@bp.post("/articles/<int:article_id>/keep-reading")
def keep_reading_options(article_id: int):
    """The article's Keep Reading switches: the box shown at all, and the section fill."""
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    editorial.set_keep_reading(found, shown=bool(request.form.get("shown")), fill=bool(request.form.get("fill")))
    db.session.commit()
    flash("Keep Reading settings saved.", "success")
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="keep-reading"), code=303)


@bp.post("/articles/<int:article_id>/corrections")
def add_correction(article_id: int):
    """A dated correction note at the end of the article; a refusal shows the article's page with the text kept."""
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    correction_form = CorrectionForm()
    if not correction_form.validate():
        form = _form_of(found)
        html, _ = _article_page(form, found, correction_form=correction_form)
        return html, 422
    editorial.add_correction(found, correction_form.text.data or "", editor=current_user, now=utcnow())
    db.session.commit()
    flash("Correction added at the end of the article.", "success")
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="corrections"), code=303)


def _form_of(article) -> ArticleForm:
    """The article form as the stored article fills it (for pages shown after another form's refusal)."""
    form = ArticleForm(formdata=None, obj=article)
    form.author_id.choices = _authors()
    _fill(form, article)
    return form


def _link_refused(article, link_form: ExternalLinkForm, refusal: str, status: int = 422):
    """A Keep Reading change that cannot be made: the article's page again, the reason in the Keep Reading
    section, the external link as typed (a refusal is never a bare error page)."""
    db.session.rollback()
    html, _ = _article_page(
        _form_of(article), article, link_form=link_form, link_refusal=refusal or "Check the link below."
    )
    return html, status


# --- Users (admins) ------------------------------------------------------------------------------


@bp.get("/users", endpoint="users")
def users_list():
    return _users_page()


def _users_page(problems: dict[int, str] | None = None, *, refused: tuple[int, str, UserForm] | None = None) -> str:
    """The users page; after a refusal, the message in that person's row: ``problems`` for the account buttons
    (user id -> message), ``refused`` for the role form (whose, why, the form as sent: its choices kept)."""
    people = db.session.scalars(sa.select(User).order_by(User.is_active.desc(), User.display_name)).all()
    # formdata=None: re-rendered after another form's POST, the rows still show what is stored
    forms = {u.id: UserForm(formdata=None, obj=u, role=u.role.value) for u in people}
    errors = {}
    if refused is not None:
        user_id, message, sent = refused
        forms[user_id], errors[user_id] = sent, message
    return render_template("editorial/users.html", people=people, forms=forms, errors=errors, problems=problems or {})


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(
                email=form.email.data or "", name=form.name.data or "", role=form.role.data, password=form.password.data
            )
        except users.UserError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"{user.display_name} can now sign in as {user.role}.", "success")
            return redirect(url_for("editorial.users"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("editorial/new_user.html", form=form), status


@bp.post("/users/<int:user_id>")
def user(user_id: int):
    person = db.session.get(User, user_id) or abort(404, "There is no such user.")
    form = UserForm()
    if not form.validate():
        return _users_page(refused=(user_id, "Choose a valid role.", form)), 422
    try:
        users.set_role_and_status(current_user, person, role=Role(form.role.data), is_active=form.is_active.data)
    except users.UserError as error:
        db.session.rollback()
        return _users_page(refused=(user_id, str(error), form)), 409
    db.session.commit()
    flash(f"{person.display_name}: {person.role}, {'active' if person.is_active else 'deactivated'}.", "success")
    return redirect(url_for("editorial.users"), code=303)


@bp.post("/users/<int:user_id>/reset-link")
def send_reset_link(user_id: int):
    person = db.session.get(User, user_id) or abort(404, "There is no such user.")
    if not users.send_reset_link(person, actor=current_user):
        return _users_page({person.id: "This account is deactivated: reactivate it first."}), 409
    db.session.commit()
    flash(f"A link to choose a new password is on its way to {person.display_name}.", "success")
    return redirect(url_for("editorial.users"), code=303)


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    person = db.session.get(User, user_id) or abort(404, "There is no such user.")
    try:
        users.set_active(current_user, person, active=active)
    except users.UserError as error:
        db.session.rollback()
        return _users_page({user_id: str(error)}), 409
    db.session.commit()
    done = "reactivated: they can sign in again" if active else "deactivated and signed out everywhere"
    flash(f"{person.display_name}: {done}.", "success")
    return redirect(url_for("editorial.users"), code=303)


@bp.get("/security-log")
def security_log():
    user_id = int_arg("user")
    entries = security_events.page(user_id=user_id, before=int_arg("before"))
    return render_template(
        "editorial/security_log.html",
        log=entries,
        people=security_events.people(),
        user_id=user_id,
        describe=security_events.DESCRIPTIONS,
    )


@bp.route("/users/<int:user_id>/profile", methods=["GET", "POST"])
def user_profile(user_id: int):
    person = db.session.get(User, user_id) or abort(404, "There is no such user.")
    return edit_profile(person, "editorial.user_profile", user_id=user_id)


# --- Settings (admins) ---------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm(obj=get_settings())
    if form.validate_on_submit():
        changes = editorial.update_settings(
            {name: form[name].data for name in editorial.SETTING_FIELDS}, actor=current_user, now=utcnow()
        )
        db.session.commit()
        flash("Settings saved; they apply from the next comment." if changes else "Nothing changed.", "success")
        return redirect(url_for("editorial.settings"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "editorial/settings.html", form=form, history=editorial.recent_settings_changes(), bans=commenters.bans()
    ), status


@bp.post("/settings/bans/<int:ban_id>/revoke")
def revoke_ban(ban_id: int):
    """Lift a commenter ban (listed in the settings): their next comments go through the rules again."""
    lifted = commenters.revoke(ban_id, actor=current_user, now=utcnow())
    db.session.commit()
    message = "Ban lifted." if lifted else "That ban had already been lifted."
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify({"id": ban_id, "action": "lift", "changed": lifted, "message": message})  # the desk's Undo
    flash(message, "success")
    return redirect(url_for("editorial.settings", _anchor="bans-title"), code=303)


# --- Import and export (admins) -------------------------------------------------------------------------------


@bp.get("/data")
def data():
    return _data_page(ImportForm())


def _data_page(form, status: int = 200, error: str | None = None):
    from blog.services import wxr_import

    now = utcnow()
    runs = wxr_import.recent_runs()
    stopped = {run.id for run in runs if wxr_import.is_stopped(run, now)}
    active = any(run.state.value in ("queued", "running") and run.id not in stopped for run in runs)
    page = render_template(
        "editorial/data.html", form=form, runs=runs, active=active, stopped=stopped, now=now, error=error
    )
    return page, status


@bp.post("/data/import")
def start_import():
    import os

    from blog.services import wxr_import

    form = ImportForm()
    upload = form.export.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        return _data_page(form, 422, "Choose a WordPress export file (.xml) to import.")
    try:
        wxr_import.start_run(
            upload.save,
            upload.filename,
            folder=os.path.join(current_app.instance_path, "imports"),
            actor_id=current_user.id,
        )
    except wxr_import.ImportBusy as busy:
        return _data_page(form, 409, str(busy))
    db.session.commit()  # the job starts now (immediate mode: it has run when this returns)
    flash("The import has started: this page shows its progress.", "success")
    return redirect(url_for("editorial.data"), code=303)


EXPORTS = {
    "wxr": ("application/rss+xml; charset=utf-8", "xml"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
}


@bp.get("/data/export/<kind>")
def export_file(kind: str):
    from flask import Response, stream_with_context

    from blog.services import transfer, wxr_export

    if kind not in EXPORTS:
        abort(404, "There is no such export: choose wxr or jsonl.")
    mimetype, suffix = EXPORTS[kind]
    chunks = wxr_export.chunks() if kind == "wxr" else transfer.json_lines()
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="site-{utcnow():%Y%m%d}.{suffix}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Personal data (admins): any address's, a staff account's too ----------------------------------------
# The address travels in POST bodies only, never in a URL (which request logs and histories keep).


@bp.route("/personal-data", methods=["GET", "POST"])
def personal_data():
    form = PersonalDataForm()
    if request.method == "POST" and not form.validate():
        return _personal_data_page(form, None), 422
    held = held_data.find(form.email.data or "", staff=True) if request.method == "POST" else None
    return _personal_data_page(form, held)


def _personal_data_page(form: PersonalDataForm, held: held_data.Holdings | None, erase_form=None) -> str:
    if held is not None and erase_form is None:
        erase_form = PersonalDataEraseForm(formdata=None, email=held.email)
    return render_template(
        "editorial/personal_data.html",
        form=form,
        held=held,
        erase_form=erase_form,
        comment_url=held_data.comment_url,
        history=held_data.recent_requests(),
    )


@bp.post("/personal-data/export")
def personal_data_export():
    form = PersonalDataForm()
    if not form.validate():
        return _personal_data_page(form, None), 422
    data = held_data.export(form.email.data or "", via="admin", actor=current_user, now=utcnow(), staff=True)
    db.session.commit()
    return download(data)


@bp.post("/personal-data/erase")
def personal_data_erase():
    form = PersonalDataEraseForm()
    if not form.validate():
        held = held_data.find(form.email.data or "", staff=True)
        return _personal_data_page(PersonalDataForm(formdata=None, email=form.email.data), held, form), 422
    mode = held_data.Mode(form.mode.data)
    try:
        counts = held_data.erase(form.email.data or "", mode, via="admin", actor=current_user, now=utcnow(), staff=True)
    except held_data.ErasureRefused as refusal:
        db.session.rollback()
        form.confirm.errors = [str(refusal)]  # beside the confirmation, the address and choice kept
        held = held_data.find(form.email.data or "", staff=True)
        return _personal_data_page(PersonalDataForm(formdata=None, email=form.email.data), held, form), 409
    db.session.commit()
    done = "deleted" if mode is held_data.Mode.DELETE else "anonymised"
    flash(
        f"Erased: {counts['comments']} comment(s) {done}, {counts['account']} staff account(s), "
        f"{counts['outbox_mails']} mail(s).",
        "success",
    )
    return redirect(url_for("editorial.personal_data"), code=303)
