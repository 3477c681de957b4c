"""Stored HTML made again from its source with the current sanitiser (after a sanitiser fix, say)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from blog.core import sanitize
from blog.extensions import db
from blog.models import Article, Comment, SiteSettings, User
from blog.services import media

BATCH = 500

# (model, source column, HTML column, renderer): every *_html column the site stores.
STORED_HTML = (
    (Article, Article.body_markdown, Article.body_html, media.render_article),
    (User, User.bio_markdown, User.bio_html, sanitize.render_bio),
    (Comment, Comment.body_text, Comment.body_html, sanitize.render_comment),
    (SiteSettings, SiteSettings.privacy_notice_markdown, SiteSettings.privacy_notice_html, media.render_article),
)


def rerender_all(*, batch: int = BATCH, on_batch: Callable[[], None] = lambda: None) -> dict[str, int]:
    """Re-render every stored HTML column from its source; rows whose HTML changes are updated by primary key,
    one statement per batch (the page cache's hook retires every page for it). Returns how many rows changed
    per table. Calls ``on_batch`` after each batch (the CLI commits there: no long transaction)."""
    changed: dict[str, int] = {}
    for model, source, html, render in STORED_HTML:
        changed[model.__tablename__] = 0
        last_id = 0
        while True:
            rows = db.session.execute(
                sa.select(model.id, source, html).where(model.id > last_id).order_by(model.id).limit(batch)
            ).all()
            if not rows:
                break
            fresh = [{"id": row_id, html.key: render(text or "")} for row_id, text, _ in rows]
            updates = [values for values, (_, _, stored) in zip(fresh, rows, strict=True) if values[html.key] != stored]
            if updates:
                db.session.execute(sa.update(model), updates)
                changed[model.__tablename__] += len(updates)
            last_id = rows[-1][0]
            on_batch()
    return changed
