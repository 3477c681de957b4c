"""The comment form: field rules, the honeypot and the signed form timestamp."""

from __future__ import annotations

import re
import time

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blog.core.moderation import Draft
from blog.core.privacy import contains_email_address
from blog.core.text import normalise_newlines
from blog.inputs import parse_id, web_address

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")  # \t \n \r allowed in the body only
_LINE_BREAK = re.compile(r"[\r\n\t]")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _one_line_break(value: str | None) -> str | None:
    """CRLF (what a browser sends) and CR as LF, before the length is checked: as the browser counts."""
    return normalise_newlines(value) if isinstance(value, str) else value


def _single_line(form: FlaskForm, field) -> None:
    if field.data and (_LINE_BREAK.search(field.data) or _CONTROL.search(field.data)):
        raise ValidationError("This must be a single line of ordinary text.")


NAME_IS_EMAIL = (
    "Please enter your name, not an email address: your name is published with your comment, "
    "and your email address never is."
)


def _not_an_email_address(form: FlaskForm, field) -> None:
    if field.data and contains_email_address(field.data):
        raise ValidationError(NAME_IS_EMAIL)


def _no_control_characters(form: FlaskForm, field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(
            "Your comment contains characters that can't be stored (control characters or invalid UTF-8)."
        )


def _email_address(form: FlaskForm, field) -> None:
    if not field.data:
        return
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(f"Please enter a valid email address ({error}).") from None


def _parent_id(form: FlaskForm, field) -> None:
    if field.data and parse_id(field.data) is None:
        raise ValidationError("That comment can't be replied to.")


BODY_MAX_LENGTH = 5000  # characters, line breaks counted as one (as a browser's maxlength counts them)
FORM_TOKEN_STEP = 60  # seconds: the time of issue is rounded down to this


def _form_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="comment-form")


def form_token(article_id: int) -> str:
    """Signed (article id, time of issue): lets us refuse forms filled too late or for another article.

    No session is involved, so the page that carries it is the same for every reader; the time is rounded
    down to the minute, so an uncached page keeps its bytes (and its ETag) for that long. The trade-off: a
    page kept by a shared cache carries a token up to its cache lifetime old, so the "too fast" check
    (``COMMENT_MIN_SECONDS``) no longer stops a quick bot; the honeypot and the rate limits do that work.
    """
    issued = int(time.time()) // FORM_TOKEN_STEP * FORM_TOKEN_STEP
    return _form_serializer().dumps([article_id, issued])


def body_field() -> TextAreaField:
    """The comment's text, with the same rules wherever it is written (a new comment, the writer's edit)."""
    return TextAreaField(
        "Comment",
        filters=[_one_line_break, _strip],
        validators=[DataRequired("Please write a comment."), Length(max=BODY_MAX_LENGTH), _no_control_characters],
    )


FORGED = (
    "Your session had expired or the form could not be verified, so your comment was not sent. "
    "It is kept below: please submit it again."
)


class CommenterForm(FlaskForm):
    """A form readers send, signed in or not.

    Signed-in people's forms carry their session's CSRF token; anonymous readers have no session (their page is
    shared), and the view checks where their post came from instead (security.origin_check).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs["meta"] = {"csrf": current_user.is_authenticated, **kwargs.get("meta", {})}
        super().__init__(*args, **kwargs)

    @property
    def forged(self) -> bool:
        """A signed-in person's form without their session's valid CSRF token."""
        return "csrf_token" in self and bool(self.csrf_token.errors)


class CommentForm(CommenterForm):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Please enter your name."), Length(max=80), _single_line, _not_an_email_address],
    )
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[DataRequired("Please enter your email address."), Length(max=254), _single_line, _email_address],
    )
    website = URLField("Website", filters=[_strip], validators=[Optional(), Length(max=200), _single_line, web_address])
    body = body_field()
    parent_id = HiddenField(filters=[_strip], validators=[_parent_id])
    remember = BooleanField("Save my name, email, and website in this browser for the next time I comment.")
    notify = BooleanField("Notify me of replies by email")  # off by default; confirmed by mail (double opt-in)
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it in.
    url = StringField("Leave this field empty", validators=[Optional()])
    ts = HiddenField()

    DISPLAY_ORDER = ("body", "name", "email", "website")
    body_max_length = BODY_MAX_LENGTH  # the textarea's maxlength
    refusal: str | None = None  # a refusal by the pipeline (duplicate, bad parent, rate limit …)

    @property
    def first_error(self) -> str | None:
        """The first visible field with an error: it gets the focus when the form comes back."""
        return next((name for name in self.DISPLAY_ORDER if self[name].errors), None)

    @property
    def form_problems(self) -> list[str]:
        """Messages that belong to no visible field: shown above the form."""
        hidden = [self.ts, self.url, self.parent_id]
        forged = [FORGED] if self.forged else []
        return ([self.refusal] if self.refusal else []) + forged + [m for f in hidden for m in f.errors]

    def __init__(self, *args, article_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.article_id = article_id

    def validate_url(self, field) -> None:
        if field.data:
            raise ValidationError("This field must be left empty.")

    def validate_ts(self, field) -> None:
        config = current_app.config
        try:
            article_id, issued = _form_serializer().loads(field.data or "")
            age = time.time() - int(issued)
        except (BadSignature, TypeError, ValueError):
            raise ValidationError("This form could not be verified. Please submit it again.") from None
        if age > config["COMMENT_MAX_AGE_SECONDS"]:
            raise ValidationError("This form was open for too long. Please check your comment and submit it again.")
        if article_id != self.article_id:
            raise ValidationError("This form belongs to another article. Please submit it again.")
        if age < config["COMMENT_MIN_SECONDS"]:
            raise ValidationError(
                "That was very fast! Please take a few seconds to check your comment, then submit it again."
            )

    def renew_token(self) -> None:
        self.ts.data = form_token(self.article_id)

    def to_draft(self) -> Draft:
        return Draft(
            name=self.name.data or "",
            email=(self.email.data or "").lower(),
            website=self.website.data or "",
            body=self.body.data or "",
            parent_id=parse_id(self.parent_id.data),
        )


class DataRequestForm(CommenterForm):
    """``/your-data``: the address whose comments to show. An anonymous public form, like the comment form."""

    email = EmailField(
        "Your email address",
        filters=[_strip],
        validators=[DataRequired("Please enter your email address."), Length(max=254), _single_line, _email_address],
    )


class CommentEditForm(CommenterForm):
    """The writer's edit of their comment: the text only (name, email and website stay as they were sent)."""

    body = body_field()
    body_max_length = BODY_MAX_LENGTH


class ReportForm(CommenterForm):
    """A reader reports a published comment: nothing to fill in (what counts is who: one report per network)."""
