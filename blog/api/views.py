"""The API's routes: thin views that read through the same services as the HTML pages and answer pydantic models.

SpecTree validates each route's query string and JSON body against the models in ``blog.api.schemas`` and
builds the OpenAPI document from the same decorators (docs/api.md says why SpecTree).
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from spectree import Response as Responses
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from werkzeug.datastructures import MultiDict

from blog.api import schemas as s
from blog.api.problems import MEDIA_TYPE, problem
from blog.core.placement import without_marker
from blog.extensions import csrf, db, limiter
from blog.inputs import MAX_ID
from blog.models import CommentStatus
from blog.orm import utcnow
from blog.public import sharing
from blog.public.forms import CommentForm, form_token
from blog.security import origin_check
from blog.services import api_reads, articles, comments
from blog.services.articles import Page, PublicComment, public_comment

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie session here: public reads, origin-checked comments, bearer tokens for staff


def _validation_problem(req, resp, error, instance, adapter) -> None:
    """SpecTree's hook: a request that fails its schema is a 422 problem naming the fields (or 400 for a query)."""
    if error is None:
        return
    errors = [
        s.FieldError(field=".".join(str(part) for part in e["loc"]) or "body", message=e["msg"])
        for e in adapter.validation_errors(error)
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    abort(problem(422, f"The request did not match the API's schema ({detail}).", kind="invalid", errors=errors))


spec = SpecTree(
    "flask",
    title="Courier JSON API",
    version="1",
    description="Published articles, authors, tags and approved comments; comment submission; a staff API "
    "with personal access tokens. Errors are RFC 9457 problem details.",
    mode="strict",  # only the routes decorated here: the HTML pages are not part of the API
    path="api-v1-unregistered",  # SpecTree's own doc routes are not used (we serve the document ourselves)
    before=_validation_problem,
    annotations=False,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="token",
            data=SecuritySchemeData(
                type=SecureType.HTTP,
                scheme="bearer",
                description="A personal access token (made on one's profile page).",
            ),
        )
    ],
)

ERRORS = {"HTTP_400": s.Problem, "HTTP_404": s.Problem, "HTTP_422": s.Problem}
PUBLIC = ["public"]


def _page_no() -> int:
    return request.context.query.page  # type: ignore[attr-defined]


def _paging(page: Page[Any], endpoint: str, **values: Any) -> s.Paging:
    more = page.number * page.per_page < page.total or not page.exact
    return s.Paging(
        page=page.number,
        per_page=page.per_page,
        total=page.total,
        total_exact=page.exact,
        next=url_for(endpoint, page=page.number + 1, **values) if more and page.items else None,
    )


def _tag(slug: str, name: str) -> s.TagOut:
    return s.TagOut(
        slug=slug, name=name, url=url_for("public.tag", slug=slug), api_url=url_for("api.tag_articles", slug=slug)
    )


def _summary(article) -> s.ArticleSummary:
    author = article.author
    return s.ArticleSummary(
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        published_at=article.published_at,
        author=s.AuthorRef(
            slug=author.slug,
            name=author.display_name,
            url=url_for("public.author", slug=author.slug),
            api_url=url_for("api.author", slug=author.slug),
        ),
        tags=[_tag(t.slug, t.name) for t in article.tags],
        comment_count=article.comment_count,
        url=url_for("public.article", slug=article.slug),
        api_url=url_for("api.article", slug=article.slug),
    )


@bp.get("/articles")
@spec.validate(
    query=s.PageQuery, resp=Responses(HTTP_200=s.ArticleList, **ERRORS), tags=PUBLIC, operation_id="articles_list"
)
def articles_list():
    """Published articles, newest first."""
    page = articles.list_published(_page_no(), current_app.config["ARTICLES_PER_PAGE"])
    return s.ArticleList(items=[_summary(a) for a in page.items], paging=_paging(page, "api.articles_list"))


def _comment(c: PublicComment) -> s.CommentOut:
    return s.CommentOut(
        id=c.id,
        parent_id=c.parent_id,
        depth=c.depth,
        author_name=c.author_name,
        author_website=c.author_website,
        avatar_initials=c.avatar_initials,
        body_html=c.body_html,
        created_at=c.created_at,
        edited_at=c.edited_at,
        badge=c.badge,
    )


def _comment_page(slug: str, thread: articles.Thread, order: str = "oldest") -> s.CommentPage:
    cursor = thread.next_cursor
    return s.CommentPage(
        items=[_comment(entry.comment) for entry in thread],
        next_cursor=cursor,
        next=None
        if cursor is None
        else url_for("api.comments_list", slug=slug, after=cursor, order=None if order == "oldest" else order),
    )


@bp.get("/articles/<slug>")
@spec.validate(resp=Responses(HTTP_200=s.ArticleDetail, **ERRORS), tags=PUBLIC, operation_id="article")
def article(slug: str):
    """A published article with its author's bio, Keep Reading and the first page of approved comments."""
    page = articles.get_article_page(slug)
    if page is None:
        return _not_found("article")
    a = page.article
    closed = comments.comments_closed(a, now=utcnow())
    return s.ArticleDetail(
        **_summary(a).model_dump(exclude={"author"}),
        author=s.AuthorBio(
            slug=a.author.slug,
            name=a.author.display_name,
            url=url_for("public.author", slug=a.author.slug),
            api_url=url_for("api.author", slug=a.author.slug),
            bio_html=a.author.bio_html,
        ),
        body_html=without_marker(a.body_html),  # the page's Keep Reading spot is the page's business
        updated_at=a.text_updated_at,
        section=None if a.section is None else _tag(a.section.slug, a.section.name),
        keep_reading=[
            s.ReadingLinkOut(
                title=link.title,
                url=url_for("public.article", slug=link.article_slug) if link.article_slug else link.url or "",
                article_slug=link.article_slug,
            )
            for link in page.keep_reading
        ],
        comments_open=not closed,
        comment_form_token=None if closed else form_token(a.id),
        comments=_comment_page(slug, page.comments),
    )


@bp.get("/articles/<slug>/comments")
@spec.validate(
    query=s.CommentsQuery, resp=Responses(HTTP_200=s.CommentPage, **ERRORS), tags=PUBLIC, operation_id="comments_list"
)
def comments_list(slug: str):
    """Approved comments, a page of top-level ones with their replies; keyset cursors (``after``)."""
    found = articles.get_published_article(slug)
    if found is None:
        return _not_found("article")
    query = request.context.query  # type: ignore[attr-defined]
    thread = articles.visible_comments(found, [], after=query.after, newest=query.order == "newest")
    return _comment_page(slug, thread, query.order)


@bp.get("/authors")
@spec.validate(
    query=s.PageQuery, resp=Responses(HTTP_200=s.AuthorList, **ERRORS), tags=PUBLIC, operation_id="authors_list"
)
def authors_list():
    """Authors with published articles, by name."""
    page = api_reads.list_authors(_page_no(), current_app.config["ARTICLES_PER_PAGE"])
    return s.AuthorList(items=[_author(u) for u in page.items], paging=_paging(page, "api.authors_list"))


def _author(user) -> s.AuthorOut:
    return s.AuthorOut(
        slug=user.slug,
        name=user.display_name,
        url=url_for("public.author", slug=user.slug),
        api_url=url_for("api.author_articles", slug=user.slug),
        bio_html=user.bio_html,
        website=user.website,
    )


@bp.get("/authors/<slug>")
@spec.validate(resp=Responses(HTTP_200=s.AuthorOut, **ERRORS), tags=PUBLIC, operation_id="author")
def author(slug: str):
    """An author: name, bio and website (their articles: ``/articles?author=`` is not offered; see their page)."""
    user = articles.get_author(slug)
    if user is None or not api_reads.has_published(user):
        return _not_found("author")
    return _author(user)


@bp.get("/authors/<slug>/articles")
@spec.validate(
    query=s.PageQuery, resp=Responses(HTTP_200=s.ArticleList, **ERRORS), tags=PUBLIC, operation_id="author_articles"
)
def author_articles(slug: str):
    """An author's published articles, newest first."""
    user = articles.get_author(slug)
    if user is None or not api_reads.has_published(user):
        return _not_found("author")
    page = articles.list_published(_page_no(), current_app.config["ARTICLES_PER_PAGE"], author=user)
    return s.ArticleList(
        items=[_summary(a) for a in page.items], paging=_paging(page, "api.author_articles", slug=slug)
    )


@bp.get("/tags")
@spec.validate(query=s.PageQuery, resp=Responses(HTTP_200=s.TagList, **ERRORS), tags=PUBLIC, operation_id="tags_list")
def tags_list():
    """Tags with published articles, by name."""
    page = api_reads.list_tags(_page_no(), current_app.config["ARTICLES_PER_PAGE"])
    return s.TagList(items=[_tag(t.slug, t.name) for t in page.items], paging=_paging(page, "api.tags_list"))


@bp.get("/tags/<slug>/articles")
@spec.validate(
    query=s.PageQuery, resp=Responses(HTTP_200=s.ArticleList, **ERRORS), tags=PUBLIC, operation_id="tag_articles"
)
def tag_articles(slug: str):
    """A tag's published articles, newest first."""
    found = articles.get_tag(slug)
    if found is None:
        return _not_found("tag")
    page = articles.list_published(_page_no(), current_app.config["ARTICLES_PER_PAGE"], tag=found)
    return s.ArticleList(items=[_summary(a) for a in page.items], paging=_paging(page, "api.tag_articles", slug=slug))


# --- comment submission: the same pipeline as the form (forgery class 2: the origin check, plus JSON only) --------

COMMENT_LIMIT_SCOPE = "comment-submission"  # one budget with the article page's form (blog/public/views.py)


def _comment_request_checks(req, resp, error, instance, adapter) -> None:
    """Before the body's schema: where the request came from (403), then its type (415), then the schema (422).
    A browser cannot send ``application/json`` across sites without asking first (CORS), and we never say yes."""
    origin_check()
    if req.mimetype != "application/json":
        abort(problem(415, "Send the comment as JSON (Content-Type: application/json).", kind="json-only"))
    if req.get_json(silent=True) is None:
        abort(problem(400, "The body is not valid JSON.", kind="invalid-json"))
    _validation_problem(req, resp, error, instance, adapter)


@bp.post("/articles/<slug>/comments")
@limiter.shared_limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], scope=COMMENT_LIMIT_SCOPE)
@spec.validate(
    json=s.CommentIn,
    resp=Responses(
        HTTP_201=s.CommentAccepted,
        HTTP_400=s.Problem,
        HTTP_403=s.Problem,
        HTTP_404=s.Problem,
        HTTP_409=s.Problem,
        HTTP_415=s.Problem,
        HTTP_422=s.Problem,
        HTTP_429=s.Problem,
    ),
    before=_comment_request_checks,
    tags=["comments"],
    operation_id="submit_comment",
)
def submit_comment(slug: str):
    """Post a comment (or a reply) to a published article, as the article page's form does: the same rules,
    moderation and rate limits. Fetch the article first: its ``comment_form_token`` goes back as ``ts``."""
    article = articles.get_published_article(slug)
    if article is None:
        return _not_found("article")
    data: s.CommentIn = request.context.json  # type: ignore[attr-defined]
    form = CommentForm(formdata=comment_form_data(data), meta={"csrf": False}, article_id=article.id)
    if not form.validate():
        errors = [s.FieldError(field=name, message=messages[0]) for name, messages in form.errors.items()]
        return problem(422, " ".join(e.message for e in errors), kind="invalid-comment", errors=errors)
    try:
        comment = comments.submit_comment(
            article,
            form.to_draft(),
            now=utcnow(),
            client=comments.Client(ip=request.remote_addr or "", user_agent=request.user_agent.string),
            notify=data.notify,
        )
    except comments.CommentRefused as refusal:
        db.session.rollback()
        at_fault = [s.FieldError(field=refusal.field, message=str(refusal))] if refusal.field else None
        status = 409 if refusal.field == "body" else refusal.status  # the same comment twice: a conflict
        return problem(status, str(refusal), kind="comment-refused", errors=at_fault)
    approved = comment.status is CommentStatus.APPROVED
    answer = s.CommentAccepted(
        id=comment.id,
        status="approved" if approved else "pending",  # spam is "pending" too: no oracle for the filter's verdict
        comment=_comment(public_comment(comment)) if approved else None,
    )
    db.session.commit()
    location = url_for("public.comment_permalink", slug=slug, comment_id=answer.id)
    return answer, 201, {"Location": location, "Cache-Control": "no-store"}


def comment_form_data(data: s.CommentIn) -> MultiDict:
    """The JSON body as the comment form's fields, so that one set of validators decides (blog/public/forms.py)."""
    return MultiDict(
        {
            "name": data.name,
            "email": data.email,
            "website": data.website,
            "body": data.body,
            "parent_id": "" if data.parent_id is None else str(data.parent_id),
            "url": data.url,
            "ts": data.ts,
        }
    )


def _not_found(what: str) -> Response:
    return problem(404, f"There is no published {what} at this address.", kind="not-found")


# --- the document and its page --------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the routes above."""
    document = current_app.extensions.get("api_openapi")
    if document is None:
        document = current_app.json.dumps(_document())
        current_app.extensions["api_openapi"] = document
    return sharing.shared(current_app.response_class(document, mimetype="application/json"))


def _document() -> dict[str, Any]:
    document = copy.deepcopy(spec.spec)
    document["servers"] = [{"url": "/"}]
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":  # blog.inputs' ids
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                    parameter["description"] = "Ids beyond 2147483647 name nothing (404)."
            for code, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if code.startswith(("4", "5")) and "application/json" in content:  # errors: RFC 9457
                    content[MEDIA_TYPE] = content.pop("application/json")
    _add_links(document)
    return document


# OpenAPI links: where a response's values lead (for clients, and Schemathesis' stateful runs).
LINKS = {
    ("/api/v1/articles", "get", "200"): {
        "article": ("article", {"slug": "$response.body#/items/0/slug"}),
        "comments": ("comments_list", {"slug": "$response.body#/items/0/slug"}),
    },
    ("/api/v1/articles/{slug}", "get", "200"): {
        "comment": ("submit_comment", {"slug": "$request.path.slug"}),
    },
    ("/api/v1/authors", "get", "200"): {"author": ("author", {"slug": "$response.body#/items/0/slug"})},
    ("/api/v1/tags", "get", "200"): {"tag_articles": ("tag_articles", {"slug": "$response.body#/items/0/slug"})},
    ("/api/v1/staff/articles", "post", "201"): {
        "read": ("staff_article", {"article_id": "$response.body#/id"}),
        "publish": ("publish_article", {"article_id": "$response.body#/id"}),
    },
    ("/api/v1/moderation/comments", "get", "200"): {
        "approve": ("moderate_comment", {"comment_id": "$response.body#/items/0/id", "action": "approve"}),
    },
}


def _add_links(document: dict[str, Any]) -> None:
    for (path, method, code), links in LINKS.items():
        answer = document["paths"].get(path, {}).get(method, {}).get("responses", {}).get(code)
        if answer is not None:
            answer["links"] = {
                name: {"operationId": operation, "parameters": parameters}
                for name, (operation, parameters) in links.items()
            }


@bp.get("/docs")
def docs():
    """A browsable page of the document, drawn by our own script (the CSP allows no outside script)."""
    return sharing.shared(current_app.make_response(render_template("api/docs.html")))


# --- headers: ETags, caching, CORS ----------------------------------------------------------------------------

PUBLIC_READS = frozenset(
    f"api.{name}"
    for name in (
        "articles_list",
        "article",
        "comments_list",
        "authors_list",
        "author",
        "author_articles",
        "tags_list",
        "tag_articles",
        "openapi",
    )
)


@bp.after_request
def _headers(response: Response) -> Response:
    public_read = request.endpoint in PUBLIC_READS
    if request.method in ("GET", "HEAD") and response.status_code == 200 and request.endpoint != "api.docs":
        if public_read:
            sharing.shared(response)  # the same bytes for everyone: a strong ETag, a shared cache may keep it
        else:
            response.headers["Cache-Control"] = "private, no-cache"
            response.add_etag()
            response.make_conditional(request)
    if public_read:
        _cors(response)
    return response


def _cors(response: Response) -> None:
    """Public reads only, for the configured origins (``API_CORS_ORIGINS``; "*" for any)."""
    origin = request.headers.get("Origin")
    allowed = current_app.config["API_CORS_ORIGINS"]
    response.vary.add("Origin")
    if not origin or ("*" not in allowed and origin not in allowed):
        return
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "3600"
