"""``/search?q=``: full-text search over the published articles."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from blog.core.search import MAX_QUERY_LENGTH, QueryError, parse_query
from blog.public.views import page_number
from blog.services import search

bp = Blueprint("search", __name__)

NOTHING_TO_SEARCH = "Type one or more words to search the articles."


@bp.get("/search")
def results():
    raw = request.args.get("q", "")
    shown = raw[:MAX_QUERY_LENGTH]  # what the search box is refilled with
    try:
        query = parse_query(raw)
    except QueryError as error:
        return render_template("search/results.html", q=shown, message=str(error), query=None, page=None), 400
    if query is None:
        message = NOTHING_TO_SEARCH if raw.strip() else None
        return render_template("search/results.html", q=shown, message=message, query=None, page=None)
    number = page_number()
    page = search.search(query, page=number, per_page=current_app.config["ARTICLES_PER_PAGE"])
    if number > page.pages:
        abort(404)
    return render_template("search/results.html", q=shown, message=None, query=query, page=page)
