"""The newsroom's pages: articles and their Keep Reading links (editors); users and settings (admins)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3's; its stubs (3.2) lack it

from blog.accounts.views import edit_profile
from blog.editorial.forms import (
    ArticleForm,
    ExternalLinkForm,
    NewUserForm,
    PersonalDataEraseForm,
    PersonalDataForm,
    SettingsForm,
    UserForm,
)
from blog.extensions import db
from blog.inputs import int_arg
from blog.models import Role, User
from blog.orm import utcnow
from blog.public.your_data import download
from blog.services import editorial, media, users
from blog.services import personal_data as held_data
from blog.services.editorial import ArticleDraft, EditorialError
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
        author_id=form.author_id.data,
        comments_open=form.comments_open.data,
    )


@bp.get("/")
def articles():
    q = request.args.get("q", "").strip()[:200]
    return render_template("editorial/articles.html", articles=editorial.list_articles(q=q), q=q)


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article():
    form = ArticleForm(author_id=current_user.id)
    form.author_id.choices = _authors()
    lead_form = media_views.lead_form_for(None)
    if request.method == "POST" and form.validate() and request.form.get("action") != "preview":
        try:
            article = editorial.create_from_draft(_draft(form))
        except EditorialError as error:
            db.session.rollback()
            form[error.field or "title"].errors = [str(error)]
        else:
            if media_views.attach_lead(article, lead_form):
                db.session.commit()
                flash(f"Draft “{article.title}” created. Publish it when it is ready.", "success")
                return redirect(url_for("editorial.article", article_id=article.id), code=303)
            db.session.rollback()
    return _article_page(form, None, lead_form)


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
def article(article_id: int):
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    form = ArticleForm(obj=found) if request.method == "GET" else ArticleForm()
    if request.method == "GET":
        form.tags.data = ", ".join(t.name for t in found.tags)
        form.body.data = found.body_markdown
    form.author_id.choices = _authors()
    lead_form = media_views.lead_form_for(found)
    action = request.form.get("action", "save")
    if request.method == "POST" and form.validate() and action != "preview":
        try:
            editorial.update_from_draft(found, _draft(form))
            if action in ("publish", "unpublish"):
                editorial.set_published(found, action == "publish", now=utcnow())
        except EditorialError as error:
            db.session.rollback()
            form[error.field or "title"].errors = [str(error)]
        else:
            if not media_views.attach_lead(found, lead_form):
                db.session.rollback()
                return _article_page(form, editorial.get_article(article_id), lead_form)
            db.session.commit()
            flash(
                {"publish": "Published.", "unpublish": "Unpublished: the article is now a draft."}.get(
                    action, "Saved."
                ),
                "success",
            )
            return redirect(url_for("editorial.article", article_id=found.id), code=303)
    return _article_page(form, found, lead_form)


def _article_page(form: ArticleForm, article, lead_form=None):
    preview = None
    if request.method == "POST" and request.form.get("action") == "preview":
        preview = media.render_article(form.body.data or "")
    status = 422 if request.method == "POST" and (form.errors or (lead_form and lead_form.errors)) else 200
    context = {"form": form, "article": article, "preview": preview}
    context |= {
        "lead_form": lead_form,
        "lead": media_views.lead_picture(article),
        "library": [media.picture(m) for m in media.list_library(12)],
    }
    if article is not None:
        q = request.args.get("q", "").strip()[:200]
        context |= {
            "links": editorial.curated_links(article),
            "link_form": ExternalLinkForm(),
            "q": q,
            "candidates": editorial.find_link_targets(article, q),
        }
    return render_template("editorial/article.html", **context), status


@bp.post("/articles/<int:article_id>/links")
def add_link(article_id: int):
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    try:
        target = int_arg("target_id", source=request.form, message="Choose an article from the search results.")
        if target is not None:
            editorial.add_internal_link(found, target)
        else:
            form = ExternalLinkForm()
            if not form.validate():
                abort(422, " ".join(m for errors in form.errors.values() for m in errors))
            editorial.add_external_link(found, form.url.data or "", form.title.data or "")
    except EditorialError as error:
        db.session.rollback()
        abort(422, str(error))
    db.session.commit()
    flash("Link added to Keep Reading.", "success")
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="keep-reading"), code=303)


@bp.post("/articles/<int:article_id>/links/<int:link_id>/<action>")
def change_link(article_id: int, link_id: int, action: str):
    found = editorial.get_article(article_id) or abort(404, "There is no such article.")
    try:
        editorial.change_link(found, link_id, action)
    except EditorialError as error:
        db.session.rollback()
        abort(400, str(error))
    db.session.commit()
    return redirect(url_for("editorial.article", article_id=article_id, _anchor="keep-reading"), code=303)


# --- Users (admins) ------------------------------------------------------------------------------


@bp.get("/users", endpoint="users")
def users_list():
    people = db.session.scalars(sa.select(User).order_by(User.is_active.desc(), User.display_name)).all()
    return render_template(
        "editorial/users.html", people=people, forms={u.id: UserForm(obj=u, role=u.role.value) for u in people}
    )


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
        abort(422, "Choose a valid role.")
    try:
        users.set_role_and_status(current_user, person, role=Role(form.role.data), is_active=form.is_active.data)
    except users.UserError as error:
        db.session.rollback()
        abort(409, str(error))
    db.session.commit()
    flash(f"{person.display_name}: {person.role}, {'active' if person.is_active else 'deactivated'}.", "success")
    return redirect(url_for("editorial.users"), code=303)


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
    return render_template("editorial/settings.html", form=form, history=editorial.recent_settings_changes()), status


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
        abort(422, "Enter an email address.")
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
        abort(409, str(refusal))
    db.session.commit()
    done = "deleted" if mode is held_data.Mode.DELETE else "anonymised"
    flash(
        f"Erased: {counts['comments']} comment(s) {done}, {counts['account']} staff account(s), "
        f"{counts['outbox_mails']} mail(s).",
        "success",
    )
    return redirect(url_for("editorial.personal_data"), code=303)
