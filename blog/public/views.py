"""Public pages: home, article, author, tag, health."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request

from blog.extensions import db
from blog.services import articles

bp = Blueprint("public", __name__)


def page_number() -> int:
    """``?page=N``: absent or not a number means the first page; out of range is a 404."""
    raw = request.args.get("page", "1")
    if not raw.isdigit():
        return 1
    number = int(raw)
    if not 1 <= number <= current_app.config["MAX_PAGE"]:
        abort(404)
    return number


def list_page(**filters) -> articles.Page:
    number = page_number()
    page = articles.list_published(number, current_app.config["ARTICLES_PER_PAGE"], **filters)
    if number > page.pages:
        abort(404)
    return page


@bp.get("/")
def home():
    return render_template("public/home.html", page=list_page())


@bp.get("/articles/<slug>")
def article(slug: str):
    page = articles.get_article_page(slug) or abort(404)
    return render_template("public/article.html", page=page, article=page.article)


@bp.get("/authors/<slug>")
def author(slug: str):
    person = articles.get_author(slug) or abort(404)
    return render_template("public/author.html", author=person, page=list_page(author=person))


@bp.get("/tags/<slug>")
def tag(slug: str):
    found = articles.get_tag(slug) or abort(404)
    return render_template("public/tag.html", tag=found, page=list_page(tag=found))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
