"""``/your-data``: a commenter's own comments and data, without an account.

The request form is an anonymous public POST (``security.origin_check``, rate-limited per client and per address);
it always answers the same, and mails a link only to an address we hold comments from. The link (a sealed token,
``services.personal_data.make_token``) opens the person's list, with export and erasure: each a POST that carries
the token, which is all the authority they need (no cookie, no session).
"""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from blog.extensions import address_key, csrf, db, limiter
from blog.orm import utcnow
from blog.public import sharing
from blog.public.forms import DataRequestForm
from blog.public.views import bp
from blog.security import origin_check
from blog.services import personal_data
from blog.services.personal_data import Mode


@bp.get("/your-data")
@sharing.shareable
def your_data():
    return render_template("public/your_data.html", form=DataRequestForm(formdata=None))


@bp.post("/your-data")
@csrf.exempt  # anonymous readers have no session to hold a token: the origin check protects them
@limiter.limit(lambda: current_app.config["DATA_REQUEST_RATE_LIMIT"])
@limiter.limit(lambda: current_app.config["DATA_REQUEST_RATE_LIMIT_ADDRESS"], key_func=lambda: address_key("your-data"))
def request_your_data():
    origin_check()
    form = DataRequestForm()
    if not form.validate_on_submit():
        return render_template("public/your_data.html", form=form), 400 if form.forged else 422
    personal_data.send_link(form.email.data or "")
    db.session.commit()
    return _private(render_template("public/your_data.html", form=None))  # the same answer for every address


@bp.get("/your-data/comments")
def your_data_list():
    token = request.args.get("token")
    held = personal_data.find(_email(token))
    return _private(
        render_template(
            "public/your_data_list.html",
            held=held,
            token=token,
            comment_url=personal_data.comment_url,
            status_words=personal_data.STATUS_WORDS,
        )
    )


@bp.post("/your-data/export")
@csrf.exempt  # the sealed token in the form is the authority
def your_data_export():
    data = personal_data.export(_email(request.form.get("token")), via="self", now=utcnow())
    db.session.commit()
    return download(data)


@bp.post("/your-data/erase")
@csrf.exempt  # the sealed token in the form is the authority
def your_data_erase():
    token = request.form.get("token")
    email = _email(token)
    mode = _mode(request.form.get("mode"))
    if request.form.get("confirm") != "yes":  # first the question, then the deed
        count = len(personal_data.find(email).comments)
        return _private(render_template("public/your_data_erase.html", token=token, mode=mode, count=count))
    counts = personal_data.erase(email, mode, via="self", now=utcnow())
    db.session.commit()
    return _private(render_template("public/your_data_erase.html", mode=mode, erased=counts["comments"]))


def _email(token: str | None) -> str:
    """The address the link's token was made for; a missing or unusable token is a 400 that says what to do."""
    if not token:
        abort(400, "This page needs the link from the mail we sent you. Ask for a new one at /your-data.")
    try:
        return personal_data.read_token(token)
    except personal_data.LinkError as error:
        abort(400, str(error))


def _mode(raw: str | None) -> Mode:
    try:
        return Mode(raw or "")
    except ValueError:
        abort(400, "Choose what to erase: 'anonymise' (keep the text) or 'delete' (the text too).")


def download(data: dict) -> Response:
    """An export as the ZIP a browser saves (the admins' export too)."""
    response = make_response(personal_data.export_zip(data))
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = 'attachment; filename="your-data.zip"'
    return _private(response)


def _private(body: str | Response) -> Response:
    response = sharing.private(make_response(body))
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the links it holds must not pass its token on
    return response
