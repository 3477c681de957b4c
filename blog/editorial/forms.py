"""Forms of the editorial pages: articles, Keep Reading links, users, settings."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3's; its stubs (3.2) lack it
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from blog.core import dates
from blog.inputs import WholeNumberField, web_address
from blog.models import Role

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _slug(form, field) -> None:
    if field.data and not _SLUG.fullmatch(field.data):
        raise ValidationError("Use lowercase letters, digits and single hyphens (e.g. harbour-vote-delayed).")


def _time_zone(form, field) -> None:
    if field.data and (problem := dates.zone_error(field.data)):
        raise ValidationError(problem)


class ArticleForm(FlaskForm):
    title = StringField(
        "Title", filters=[_strip], validators=[DataRequired("Every article needs a title."), Length(max=200)]
    )
    slug = StringField(
        "Address (slug)",
        filters=[_strip],
        validators=[Optional(), Length(max=200), _slug],
        description="Leave empty to make one from the title. Changing it breaks existing links.",
    )
    summary = TextAreaField(
        "Summary",
        filters=[_strip],
        validators=[Optional(), Length(max=500)],
        description="One or two sentences for the front page, feeds and search results.",
    )
    body = TextAreaField(
        "Body",
        validators=[Optional(), Length(max=200_000)],
        description="Markdown: ## sub-headings, > quotes, lists, [links](https://…). Pictures: upload them to the "
        "media library, then insert their Markdown (![what it shows](/media/….webp)); pictures from other sites "
        "are not shown. Keep Reading goes before the sub-heading about two-thirds of the way through (after the "
        "paragraph nearest two-thirds without sub-headings; at the end of a short article); a line with only "
        "[keep-reading] on it puts the box exactly there.",
    )
    tags = StringField(
        "Tags",
        filters=[_strip],
        validators=[Optional(), Length(max=500)],
        description="Comma-separated; new tags are created.",
    )
    author_id = SelectField("Author", coerce=int, validate_choice=True)
    comments_open = BooleanField("Comments open", default=True)
    # Newsroom: the section label above the headline
    section = StringField(
        "Section label",
        filters=[_strip],
        validators=[Optional(), Length(max=80)],
        description="One of the tags, shown above the headline and on the article's teasers. Empty: the first tag.",
    )

    # Scheduled publishing (editors): left out of an author's form, with author_id (``for_author``).
    publish_at = DateTimeLocalField(
        "Publish at",  # the view names the site's time zone
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Empty: now. A time to come keeps the article hidden until then.",
    )

    EDITOR_ONLY = ("author_id", "publish_at")

    def for_author(self) -> ArticleForm:
        """Leave out the choices an author may not make (the server refuses them anyway)."""
        for name in self.EDITOR_ONLY:
            del self[name]
        return self


class SendBackForm(FlaskForm):
    note = TextAreaField(
        "Note to the author",
        filters=[_strip],
        validators=[DataRequired("Tell the author what to change."), Length(max=5000)],
    )


class ExternalLinkForm(FlaskForm):
    url = URLField(
        "Web address", filters=[_strip], validators=[DataRequired("Enter the address."), Length(max=500), web_address]
    )
    title = StringField(
        "Link text", filters=[_strip], validators=[DataRequired("Enter the text readers see."), Length(max=200)]
    )


class CorrectionForm(FlaskForm):
    text = TextAreaField(
        "Correction",
        filters=[_strip],
        validators=[DataRequired("Write what was wrong and what is right."), Length(max=2000)],
        description="Shown dated at the end of the article: “Correction, 3 December 2026: …”. Markdown: "
        "*emphasis*, [links](https://…).",
    )


class NewUserForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Display name", filters=[_strip], validators=[DataRequired(), Length(max=80)])
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role], default=Role.AUTHOR.value
    )
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=8, max=1024)])


class UserForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])
    is_active = BooleanField("Active (may sign in)")


class SettingsForm(FlaskForm):
    max_links = WholeNumberField(
        "Hold a comment for moderation if it contains more than this many links",
        validators=[InputRequired("Enter a number (0 or more)."), NumberRange(0, 100)],
    )
    hold_words = TextAreaField(
        "Hold words (one per line): a comment containing one waits for moderation",
        validators=[Optional(), Length(max=20_000)],
    )
    block_words = TextAreaField(
        "Block words (one per line): a comment containing one goes to spam", validators=[Optional(), Length(max=20_000)]
    )
    auto_approve_known = BooleanField("Publish at once comments from people with an earlier approved comment")
    # The learning spam filter (blog/core/spamfilter.py); the rules above still apply first.
    spam_threshold = WholeNumberField(
        "Send a comment to Spam when the filter's spam score is at least (percent)",
        validators=[DataRequired("Enter a percentage (1 to 99)."), NumberRange(1, 99)],
        description="A known commenter's comment with such a score is held for moderation instead.",
    )
    ham_threshold = WholeNumberField(
        "A comment is likely good when its spam score is below (percent)",
        validators=[NumberRange(0, 99, "Enter a percentage (0 to 99).")],
    )
    publish_likely_good = BooleanField(
        "Publish likely-good comments at once (no rule hit, score below the line above)",
        description="Off: they wait for moderation like any first comment, with their score shown on the desk.",
    )

    def validate_ham_threshold(self, field: WholeNumberField) -> None:
        if field.data is not None and self.spam_threshold.data is not None and field.data >= self.spam_threshold.data:
            raise ValidationError("The likely-good line must be below the Spam threshold.")

    close_after_days = WholeNumberField(
        "Close comments on articles older than this many days (empty: never)",
        validators=[Optional(), NumberRange(1, 36_500)],
    )
    thread_depth = WholeNumberField(
        "Thread depth (levels of nested replies)", validators=[DataRequired(), NumberRange(1, 10)]
    )
    comments_per_page = WholeNumberField("Comments per page", validators=[DataRequired(), NumberRange(5, 500)])
    edit_window_minutes = WholeNumberField(
        "Minutes a commenter may edit or delete their comment (0: never)",
        validators=[InputRequired("Enter a number (0 or more)."), NumberRange(0, 1440)],
    )
    unpublish_after_reports = WholeNumberField(
        "Send a published comment back to pending after reports from this many readers (0: never)",
        # not InputRequired: a form that leaves it out (an older script) keeps the stored value
        validators=[NumberRange(0, 100, "Enter a number from 0 to 100 (0: never).")],
        description="Readers are counted by network (an IPv4 /24 or IPv6 /64). A comment an editor approved again "
        "after reports is never taken down by reports.",
    )
    # Retention (core.retention): the privacy page quotes these figures.
    keep_ip_days = WholeNumberField(
        "Drop a comment's IP address hash and browser name after this many days",
        validators=[DataRequired("Enter a number of days (1 to 3650)."), NumberRange(1, 3650)],
        description="Needed only to act on abuse; there is no “never”: the privacy page promises a number.",
    )
    purge_spam_days = WholeNumberField(
        "Delete spam for good after this many days (empty: never)", validators=[Optional(), NumberRange(1, 36_500)]
    )
    purge_trash_days = WholeNumberField(
        "Delete trashed comments for good after this many days (empty: never)",
        validators=[Optional(), NumberRange(1, 36_500)],
    )
    privacy_notice_markdown = TextAreaField(
        "Your words on the privacy page (Markdown)",
        validators=[Optional(), Length(max=20_000)],
        description="Shown above what the site fills in itself: what is stored, for how long, who sees it.",
    )
    # Newsroom: the zone every date is shown in
    time_zone = StringField(
        "Time zone for the dates readers see",
        filters=[_strip],
        validators=[DataRequired("Enter a time zone, e.g. Europe/Paris or UTC."), Length(max=64), _time_zone],
        description="An IANA name such as Europe/Paris, America/New_York or UTC. Dates are stored in UTC either way.",
    )

    # Sign-in (blog/accounts/two_factor.py)
    require_two_factor_admins = BooleanField(
        "Require two-factor sign-in for admins",
        description="An admin without it is sent to set it up right after signing in, and can do nothing else "
        "until it is on.",
    )


class PersonalDataForm(FlaskForm):
    """Admins: an address whose data to find, export or erase (a commenter's, or a staff account's)."""

    email = StringField("Email address", validators=[DataRequired("Enter an email address."), Length(max=254)])


class PersonalDataEraseForm(PersonalDataForm):
    mode = RadioField(
        "What to erase",
        choices=[
            SelectChoice("anonymise", "Anonymise: keep the comments' text and thread, remove name, address, website"),
            SelectChoice("delete", "Delete the comments' text too (replies stay)"),
        ],
        default="anonymise",
    )
    confirm = BooleanField("I understand this cannot be undone", validators=[DataRequired("Tick the box to confirm.")])


class ImportForm(FlaskForm):
    export = FileField(
        "WordPress export file (.xml)",
        description="From WordPress: Tools > Export > All content. It is checked before anything is imported.",
    )
