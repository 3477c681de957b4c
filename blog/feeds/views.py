"""Machine-readable views: Atom feeds, the sitemap, robots.txt."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template

from blog.links import external_url, tag_uri
from blog.public.sharing import shared
from blog.services import articles, feeds, related

bp = Blueprint("feeds", __name__)
bp.add_app_template_global(external_url)  # canonical links in page heads use it too
bp.add_app_template_global(tag_uri)

ATOM = "application/atom+xml"
XML = "application/xml"
# Characters XML 1.0 forbids outright; a stray one from pasted text would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@bp.app_template_filter("rfc3339")
def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(template: str, mimetype: str, last_modified: datetime | None = None, **context) -> Response:
    response = Response(_NOT_XML.sub("", render_template(template, **context)), mimetype=mimetype)
    if last_modified is not None:
        response.last_modified = last_modified
    return shared(response)  # the same for every reader, signed in or not: feeds carry nothing personal


def _article_feed(title: str, self_endpoint: str, html_endpoint: str, **filters) -> Response:
    entries = feeds.latest_articles(**filters)
    updated = max((feeds.modified(a) for a in entries), default=feeds.EPOCH)
    owner = next(iter(filters.values()), None)  # the author or tag of the feed; the site's feed has none
    values = {"slug": owner.slug} if owner is not None else {}
    return _xml(
        "feeds/articles.xml",
        ATOM,
        updated,
        title=title,
        entries=entries,
        updated=updated,
        self_endpoint=self_endpoint,
        html_endpoint=html_endpoint,
        values=values,
        modified=feeds.modified,
    )


@bp.get("/feed.atom")
def site_feed():
    return _article_feed("", "feeds.site_feed", "public.home")


@bp.get("/authors/<slug>/feed.atom")
def author_feed(slug: str):
    author = articles.get_author(slug) or abort(404)
    return _article_feed(author.display_name, "feeds.author_feed", "public.author", author=author)


@bp.get("/tags/<slug>/feed.atom")
def tag_feed(slug: str):
    tag = articles.get_tag(slug) or abort(404)
    return _article_feed(tag.name, "feeds.tag_feed", "public.tag", tag=tag)


@bp.get("/articles/<slug>/comments.atom")
def comments_feed(slug: str):
    article = feeds.published_article(slug) or abort(404)
    entries = feeds.latest_comments(article)
    updated = max((c.updated_at for c in entries), default=article.published_at)
    return _xml("feeds/comments.xml", ATOM, updated, article=article, entries=entries, updated=updated)


@bp.get("/sitemap.xml")
def sitemap():
    """One file while it fits the protocol's limit; beyond it, an index of files."""
    per_file = current_app.config["SITEMAP_MAX_URLS"]
    pages = feeds.sitemap_pages()
    n_articles = related.published_count()
    if len(pages) + n_articles <= per_file:
        return _xml("feeds/sitemap.xml", XML, entries=[*pages, *feeds.sitemap_articles()])
    files = -(-n_articles // per_file)
    newest = pages[0].lastmod
    return _xml("feeds/sitemap_index.xml", XML, files=files, newest=newest)


@bp.get("/sitemaps/pages.xml")
def sitemap_pages():
    return _xml("feeds/sitemap.xml", XML, entries=feeds.sitemap_pages())


@bp.get("/sitemaps/articles-<int:number>.xml")
def sitemap_articles(number: int):
    per_file = current_app.config["SITEMAP_MAX_URLS"]
    if number < 1 or (number - 1) * per_file >= related.published_count():
        abort(404)
    return _xml(
        "feeds/sitemap.xml", XML, entries=feeds.sitemap_articles(offset=(number - 1) * per_file, limit=per_file)
    )


@bp.get("/robots.txt")
def robots():
    return Response(render_template("feeds/robots.txt"), mimetype="text/plain")
