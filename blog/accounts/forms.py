"""Sign-in and profile forms."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3's; its stubs (3.2) lack it
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from blog.core.api_scopes import Scope
from blog.core.passwords import MAX_LENGTH as PASSWORD_MAX
from blog.inputs import web_address
from blog.services.users import SOCIAL_NETWORKS, ProfileDraft


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def safe_next(target: str | None) -> str | None:
    """A local path to go to after signing in, or None: never another site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", filters=[_strip], validators=[DataRequired("Please enter your email address."), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Please enter your password."), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Please choose a new password."), Length(max=PASSWORD_MAX)],
        description="A few unrelated words make a strong password that is easy to remember.",
    )


def _repeat() -> PasswordField:
    return PasswordField(
        "New password, again",
        validators=[DataRequired("Please type the new password again."), EqualTo("new", "The two don't match.")],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Please enter your current password."), Length(max=PASSWORD_MAX)]
    )
    new = _new_password()
    repeat = _repeat()


class ResetPasswordForm(FlaskForm):
    new = _new_password()
    repeat = _repeat()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email", filters=[_strip], validators=[DataRequired("Please enter your email address."), Length(max=254)]
    )


class ProfileForm(FlaskForm):
    user_id = HiddenField(
        validators=[DataRequired("The form is incomplete; please reload the page.")]
    )  # a forged id: 403
    display_name = StringField(
        "Display name", filters=[_strip], validators=[DataRequired("Please enter a name."), Length(max=80)]
    )
    bio = TextAreaField(
        "Bio",
        validators=[Optional(), Length(max=5000)],
        description="Markdown: *emphasis*, **bold**, [links](https://…), lists and quotes.",
    )
    website = URLField("Website", filters=[_strip], validators=[Optional(), Length(max=200), web_address])
    mastodon = URLField("Mastodon", filters=[_strip], validators=[Optional(), Length(max=200), web_address])
    bluesky = URLField("Bluesky", filters=[_strip], validators=[Optional(), Length(max=200), web_address])
    linkedin = URLField("LinkedIn", filters=[_strip], validators=[Optional(), Length(max=200), web_address])
    instagram = URLField("Instagram", filters=[_strip], validators=[Optional(), Length(max=200), web_address])
    avatar = FileField("Photo", description="JPEG, PNG, GIF or WebP, at most 10 MB; shown as a 256 px square.")
    remove_avatar = BooleanField("Remove my photo")
    keyboard_shortcuts = BooleanField(
        "Keyboard shortcuts on the moderation desk",
        description="j and k move between comments; a approves, s marks as spam, d moves to the trash, u unapproves, "
        "r replies, z undoes; ? lists them. Off by default: single keys can get in the way of speech input.",
    )

    def social_fields(self):
        return [self[name] for name in SOCIAL_NETWORKS]

    def to_draft(self) -> ProfileDraft:
        return ProfileDraft(
            display_name=self.display_name.data or "",
            bio=self.bio.data or "",
            website=self.website.data or "",
            social_links={name: self[name].data or "" for name in SOCIAL_NETWORKS},
        )

    @classmethod
    def for_user(cls, user, **kwargs) -> ProfileForm:
        return cls(
            user_id=str(user.id),
            display_name=user.display_name,
            bio=user.bio_markdown,
            website=user.website,
            keyboard_shortcuts=user.keyboard_shortcuts,
            **{name: (user.social_links or {}).get(name, "") for name in SOCIAL_NETWORKS},
            **kwargs,
        )


class TokenForm(FlaskForm):
    """A personal access token for the staff API (profile page): a name, and what it may do."""

    name = StringField(
        "Token name",
        filters=[_strip],
        validators=[DataRequired("Please name the token (say where it is used)."), Length(max=80)],
        description="Where it is used, so you know which to revoke: “desk script”, “laptop”.",
    )
    scope_read = BooleanField("read — the staff API's reads", default=True)
    scope_moderate = BooleanField("moderate — the moderation queue and its actions")
    scope_write = BooleanField("write — make and change articles")
    expires = SelectField(
        "Expires",
        choices=[
            SelectChoice(value, label)
            for value, label in (("30", "in 30 days"), ("90", "in 90 days"), ("365", "in a year"), ("never", "never"))
        ],
        default="90",
        description="A token that expires cannot be used for long by whoever finds it in an old script or log.",
    )

    def lifetime(self) -> timedelta | None:
        return None if self.expires.data == "never" else timedelta(days=int(self.expires.data or 90))

    def scopes(self) -> frozenset[Scope]:
        chosen = {Scope.READ: self.scope_read, Scope.MODERATE: self.scope_moderate, Scope.WRITE: self.scope_write}
        return frozenset(scope for scope, box in chosen.items() if box.data)
