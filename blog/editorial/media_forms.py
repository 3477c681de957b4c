"""Forms for pictures: the media library's upload and words, and an article's lead image (a sub-form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blog.services import media


def _strip(value):
    return value.strip() if isinstance(value, str) else value


ALT_HELP = "What the picture shows, for people who cannot see it (required)."
ACCEPT = "image/jpeg,image/png,image/gif,image/webp"
FILE_HELP = "JPEG, PNG, GIF or WebP, at most 10 MB. Location and camera data are removed."


class PictureWordsForm(FlaskForm):
    alt_text = StringField(
        "Alt text",
        filters=[_strip],
        validators=[DataRequired("Describe the picture for people who cannot see it."), Length(max=300)],
        description=ALT_HELP,
    )
    caption = StringField("Caption", filters=[_strip], validators=[Optional(), Length(max=500)])
    credit = StringField("Credit", filters=[_strip], validators=[Optional(), Length(max=200)])


class UploadForm(PictureWordsForm):
    image = FileField("Picture", description=FILE_HELP)

    def uploaded(self) -> bytes | None:
        """The file's bytes, None when none was chosen; PictureError when it is too large."""
        return media.read_upload(self.image.data)


class LeadImageForm(FlaskForm):
    """An article's lead image, inside the article form (prefix ``lead-``; the article form carries the token)."""

    class Meta:
        csrf = False

    image = FileField("Lead image", description=FILE_HELP)
    alt_text = StringField("Alt text", filters=[_strip], validators=[Length(max=300)], description=ALT_HELP)
    caption = StringField("Caption", filters=[_strip], validators=[Optional(), Length(max=500)])
    credit = StringField("Credit", filters=[_strip], validators=[Optional(), Length(max=200)])
    remove = BooleanField("Remove the lead image")

    def uploaded(self) -> bytes | None:
        """The file's bytes, None when none was chosen; PictureError when it is too large."""
        return media.read_upload(self.image.data)
