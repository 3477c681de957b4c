"""The media library (staff): upload pictures, give them alt text, copy their Markdown into an article.

And an article's lead image: ``attach_lead`` is called by the article views with the ``lead-`` sub-form.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blog.editorial.media_forms import LeadImageForm, PictureWordsForm, UploadForm
from blog.editorial.views import bp
from blog.extensions import db
from blog.services import media


@bp.route("/media", methods=["GET", "POST"])
def media_library():
    form = UploadForm()
    if request.method == "POST" and form.validate():
        try:
            data = form.uploaded()
            if data is None:
                raise media.PictureError("Choose a picture to upload.")
            item = media.upload(
                data,
                actor=current_user,
                alt_text=form.alt_text.data or "",
                caption=form.caption.data or "",
                credit=form.credit.data or "",
            )
        except media.PictureError as error:
            db.session.rollback()
            form.image.errors = [str(error)]
        else:
            db.session.commit()
            flash("Picture uploaded. Copy its Markdown into an article to show it there.", "success")
            return redirect(url_for("editorial.media_library", _anchor=f"media-{item.id}"), code=303)
    return _library_page(form)


def _library_page(
    form: UploadForm, edited: tuple[int, PictureWordsForm] | None = None, refused: tuple[int, str] | None = None
):
    """The library; after a refusal, the message beside its picture: ``edited`` for the words form (as sent),
    ``refused`` for a deletion (which picture, why)."""
    items = [(item, media.picture(item)) for item in media.list_library()]
    word_forms = {
        item.id: edited[1]
        if edited and edited[0] == item.id
        else PictureWordsForm(formdata=None, obj=item, prefix=f"m{item.id}")
        for item, _ in items
    }
    failed = request.method == "POST" and (form.errors or (edited and edited[1].errors))
    page = render_template(
        "editorial/media.html", form=form, items=items, word_forms=word_forms, may_edit=_may_edit, refused=refused
    )
    return page, 409 if refused else 422 if failed else 200


def _may_edit(item) -> bool:
    return media.may_change(current_user, item)


@bp.post("/media/<int:media_id>")
def media_item(media_id: int):
    """New alt text, caption or credit: editors for any picture, authors for their own."""
    item = media.get_media(media_id) or abort(404, "There is no such picture.")
    if not _may_edit(item):
        abort(403, "You may change the words of your own pictures only.")
    form = PictureWordsForm(prefix=f"m{item.id}")
    if not form.validate():
        return _library_page(UploadForm(formdata=None), edited=(item.id, form))
    media.update_words(
        item, alt_text=form.alt_text.data or "", caption=form.caption.data or "", credit=form.credit.data or ""
    )
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("editorial.media_library", _anchor=f"media-{item.id}"), code=303)


@bp.post("/media/<int:media_id>/delete")
def delete_media(media_id: int):
    """Delete a picture and its files: editors any, authors their own; never one an article shows."""
    item = media.get_media(media_id) or abort(404, "There is no such picture.")
    if not _may_edit(item):
        abort(403, "You may delete your own pictures only.")
    shown_in = media.used_by(item)
    if shown_in:
        titles = ", ".join(f"“{title}”" for title in shown_in)
        reason = f"Not deleted: {titles} show{'s' if len(shown_in) == 1 else ''} this picture. Remove it there first."
        return _library_page(UploadForm(formdata=None), refused=(item.id, reason))
    media.delete(item)
    db.session.commit()
    flash("Picture deleted.", "success")
    return redirect(url_for("editorial.media_library"), code=303)


# --- An article's lead image -------------------------------------------------------------------------


def lead_form_for(article, *, sent: bool | None = None) -> LeadImageForm:
    """The sub-form: filled from what was sent (``sent``; by default on a POST) or from the article's lead image
    (a GET, or a page shown again after another form's POST)."""
    if request.method == "POST" if sent is None else sent:
        return LeadImageForm(prefix="lead")
    lead = media.get_media(article.lead_media_id) if article is not None and article.lead_media_id else None
    return LeadImageForm(prefix="lead", formdata=None, obj=lead)


def attach_lead(article, form: LeadImageForm) -> bool:
    """Apply the sub-form to ``article`` (flushed, not committed). False, with the errors on the form, when it
    cannot be: the caller rolls back and shows the page again."""
    if not form.validate():
        return False
    current = media.get_media(article.lead_media_id) if article.lead_media_id else None
    if form.remove.data:
        media.set_lead(article, None)
        return True
    try:
        data = form.uploaded()
    except media.PictureError as error:
        form.image.errors = [str(error)]
        return False
    if (data is not None or current is not None) and not form.alt_text.data:
        form.alt_text.errors = ["Describe the lead image for people who cannot see it."]
        return False
    words = {"alt_text": form.alt_text.data or "", "caption": form.caption.data or "", "credit": form.credit.data or ""}
    if data is not None:
        try:
            media.set_lead(article, media.upload(data, actor=current_user, **words))
        except media.PictureError as error:
            form.image.errors = [str(error)]
            return False
    elif current is not None:
        media.update_words(current, **words)
    return True


def lead_picture(article) -> media.Picture | None:
    lead = media.get_media(article.lead_media_id) if article is not None and article.lead_media_id else None
    return None if lead is None else media.picture(lead)
