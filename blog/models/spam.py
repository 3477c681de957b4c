from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model


class SpamFeature(Model):
    """What the spam filter learned from the editors' decisions: for one feature (a word, a word pair, a
    character 4-gram, a website's domain … — blog/core/spamfilter.py), in how many comments judged spam and
    judged good it appeared. Counts only, never a comment's text: deleting comments takes nothing away.
    The row named ``#documents`` counts the comments themselves; a feature that names a person (a name's words,
    a website or link's domain) is stored as a keyed hash (``k:…``, core.privacy.feature_key)."""

    __tablename__ = "spam_features"

    feature: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    spam: Mapped[int] = mapped_column(default=0, server_default="0")
    ham: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<SpamFeature {self.feature!r} {self.spam}/{self.ham}>"
