"""The staff API: personal access tokens only (forgery class 4: a bearer token, never the session cookie).

Each route names the scope it needs; the token's person must also still have a role that allows that scope
(``core.api_scopes``), and the services check the rest as for the HTML pages (an author's own articles only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, g, request, url_for
from spectree import Response as Responses

from blog.api import schemas as s
from blog.api.problems import problem
from blog.api.schemas import ROW_ID_MAX
from blog.api.views import _validation_problem, bp, spec
from blog.core.api_scopes import Scope, may_use
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, User
from blog.orm import utcnow
from blog.services import api_tokens, editorial, moderation, paging
from blog.services.articles import Page
from blog.services.editorial import ArticleDraft, EditorialError, NotAllowed
from blog.services.moderation import ModerationError

SECURITY: dict[str, list[str]] = {"token": []}
BEARER = 'Bearer realm="api"'


def _needs(scope: Scope) -> Callable[..., None]:
    """SpecTree's hook for a staff route: the token first (401/403), then the request's schema (422)."""

    def check(req, resp, error, instance, adapter) -> None:
        kind, _, secret = req.headers.get("Authorization", "").partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            abort(
                problem(
                    401,
                    "This route needs a personal access token: Authorization: Bearer <token> (made on your profile page).",
                    kind="token-required",
                    headers={"WWW-Authenticate": BEARER},
                )
            )
        bearer = api_tokens.authenticate(secret.strip(), now=utcnow())
        if bearer is None:
            abort(
                problem(
                    401,
                    "This token is not valid: revoked, expired, mistyped, or its account deactivated.",
                    kind="invalid-token",
                    headers={"WWW-Authenticate": f'{BEARER}, error="invalid_token"'},
                )
            )
        db.session.commit()  # when it was last used
        if not may_use(bearer.user.role.value, bearer.scopes, scope):
            abort(
                problem(
                    403,
                    f"This needs the “{scope}” scope, which this token does not have (or your role no longer allows).",
                    kind="insufficient-scope",
                    headers={"WWW-Authenticate": f'{BEARER}, error="insufficient_scope", scope="{scope}"'},
                )
            )
        g.api_user = bearer.user
        if req.method == "POST" and req.get_data(cache=True):  # a body, if any, is JSON
            if req.mimetype != "application/json":
                abort(problem(415, "Send the body as JSON (Content-Type: application/json).", kind="json-only"))
            if req.get_json(silent=True) is None:
                abort(problem(400, "The body is not valid JSON.", kind="invalid-json"))
        for name, value in (req.view_args or {}).items():  # ids beyond the columns' 32-bit range name nothing
            if isinstance(value, int) and value > ROW_ID_MAX:
                abort(problem(404, f"There is no such {name.removesuffix('_id')}.", kind="not-found"))
        _validation_problem(req, resp, error, instance, adapter)

    return check


def _user() -> User:
    return g.api_user


STAFF_ERRORS = {
    "HTTP_400": s.Problem,
    "HTTP_401": s.Problem,
    "HTTP_403": s.Problem,
    "HTTP_405": s.Problem,  # a path id that no route takes (0) under a route of another method
    "HTTP_404": s.Problem,
    "HTTP_422": s.Problem,
}


# --- moderation ------------------------------------------------------------------------------------------------


def _staff_comment(c: Comment) -> s.StaffComment:
    return s.StaffComment(
        id=c.id,
        article_slug=c.article.slug,
        article_title=c.article.title,
        parent_id=c.parent_id,
        status=c.status.value,
        author_name=c.author_name,
        author_email=c.author_email,
        author_website=c.author_website,
        body_text=c.body_text,
        body_html=c.body_html,
        created_at=c.created_at,
        moderation_reasons=list(c.moderation_reasons or []),
    )


@bp.get("/moderation/comments")
@spec.validate(
    query=s.QueueQuery,
    resp=Responses(HTTP_200=s.ModerationQueue, **STAFF_ERRORS),
    before=_needs(Scope.MODERATE),
    security=SECURITY,
    tags=["moderation"],
    operation_id="moderation_queue",
)
def moderation_queue():
    """The moderation desk's list: one status, newest first, keyset-paged (scope: moderate)."""
    query = request.context.query  # type: ignore[attr-defined]
    page = moderation.desk_page(
        moderation.DeskQuery(
            status=CommentStatus(query.status),
            before=paging.Cursor.parse(query.before),
            per_page=current_app.config["DESK_PER_PAGE"],
        )
    )
    cursor = page.older.token() if page.older else None
    return s.ModerationQueue(
        items=[_staff_comment(c) for c in page.comments],
        counts=s.QueueCounts(**{status.value: count for status, count in page.counts.items()}),
        next_cursor=cursor,
        next=None if cursor is None else url_for("api.moderation_queue", status=query.status, before=cursor),
    )


@bp.post("/moderation/comments/<int:comment_id>/<any(approve,unapprove,spam,trash,restore,delete):action>")
@spec.validate(
    resp=Responses(HTTP_200=s.ModerationResult, HTTP_409=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.MODERATE),
    security=SECURITY,
    tags=["moderation"],
    operation_id="moderate_comment",
)
def moderate_comment(comment_id: int, action: str):
    """Approve, unapprove, mark as spam, trash, restore or delete (spam and trash only) a comment (scope:
    moderate). Recorded in the moderation log under the token's person."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return problem(404, "There is no such comment (it may have been deleted).", kind="not-found")
    try:
        changed = moderation.moderate(comment, action, actor=_user(), now=utcnow())
    except ModerationError as error:
        db.session.rollback()
        return problem(409, str(error), kind="not-applicable")
    status = None if action == "delete" else comment.status.value
    db.session.commit()
    return s.ModerationResult.model_validate({"id": comment_id, "action": action, "status": status, "changed": changed})


# --- articles --------------------------------------------------------------------------------------------------


def _staff_article(a: Article) -> s.StaffArticle:
    return s.StaffArticle(**_article_fields(a))


def _article_fields(a: Article) -> dict[str, Any]:
    public = a.status.value == "published" and a.published_at is not None and a.published_at <= utcnow()
    return {
        "id": a.id,
        "slug": a.slug,
        "title": a.title,
        "summary": a.summary,
        "status": a.status.value,
        "author_slug": a.author.slug,
        "author_name": a.author.display_name,
        "published_at": a.published_at,
        "updated_at": a.updated_at,
        "comments_open": a.comments_open,
        "url": url_for("public.article", slug=a.slug) if public else None,
        "api_url": url_for("api.staff_article", article_id=a.id),
    }


def _detail(a: Article) -> s.StaffArticleDetail:
    return s.StaffArticleDetail(**_article_fields(a), body=a.body_markdown, tags=[t.name for t in a.tags])


@bp.get("/staff/articles")
@spec.validate(
    query=s.PageQuery,
    resp=Responses(HTTP_200=s.StaffArticleList, **STAFF_ERRORS),
    before=_needs(Scope.READ),
    security=SECURITY,
    tags=["articles"],
    operation_id="staff_articles",
)
def staff_articles():
    """The newsroom's articles, drafts included: editors every article, authors their own (scope: read)."""
    user, number = _user(), request.context.query.page  # type: ignore[attr-defined]
    rows = editorial.list_articles(author_id=None if editorial.is_editor(user) else user.id)
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    page = Page(rows[(number - 1) * per_page : number * per_page], number, per_page, len(rows))
    more = number * per_page < len(rows)
    return s.StaffArticleList(
        items=[_staff_article(a) for a in page.items],
        paging=s.Paging(
            page=number,
            per_page=per_page,
            total=len(rows),
            total_exact=True,
            next=url_for("api.staff_articles", page=number + 1) if more else None,
        ),
    )


def _article_or_problem(article_id: int) -> Article | Response:
    try:
        article = editorial.article_for(_user(), article_id)
    except NotAllowed as refusal:
        return problem(403, str(refusal), kind="not-yours")
    if article is None:
        return problem(404, "There is no such article.", kind="not-found")
    db.session.refresh(article, ["author"])
    return article


@bp.get("/staff/articles/<int:article_id>")
@spec.validate(
    resp=Responses(HTTP_200=s.StaffArticleDetail, **STAFF_ERRORS),
    before=_needs(Scope.READ),
    security=SECURITY,
    tags=["articles"],
    operation_id="staff_article",
)
def staff_article(article_id: int):
    """An article with its Markdown source (scope: read; authors their own)."""
    found = _article_or_problem(article_id)
    return found if isinstance(found, Response) else _detail(found)


def _draft(data: s.ArticleIn) -> ArticleDraft:
    return ArticleDraft(
        title=data.title.strip(),
        slug=data.slug.strip(),
        summary=data.summary,
        body=data.body,
        tags=", ".join(t.replace(",", " ") for t in data.tags),
        author_id=data.author_id,
        comments_open=data.comments_open,
        section=data.section,
    )


def _editorial_problem(error: EditorialError) -> Response:
    field = getattr(error, "field", None)
    errors = [s.FieldError(field=field, message=str(error))] if field else None
    return problem(409 if field == "slug" else 422, str(error), kind="invalid-article", errors=errors)


@bp.post("/staff/articles")
@spec.validate(
    json=s.ArticleIn,
    resp=Responses(HTTP_201=s.StaffArticleDetail, HTTP_409=s.Problem, HTTP_415=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="create_article",
)
def create_article():
    """A new draft (scope: write). An editor may name its author; an author's is their own."""
    if request.mimetype != "application/json":
        return problem(415, "Send the article as JSON (Content-Type: application/json).", kind="json-only")
    try:
        article = editorial.create_from_draft(_draft(request.context.json), actor=_user())  # type: ignore[attr-defined]
    except EditorialError as error:
        db.session.rollback()
        return _editorial_problem(error)
    db.session.commit()
    db.session.refresh(article, ["author", "tags"])
    return _detail(article), 201, {"Location": url_for("api.staff_article", article_id=article.id)}


def _change(article_id: int, change: Callable[[Article, User], object]) -> Response | s.StaffArticleDetail:
    """Apply one editorial step to an article the token's owner may open; its refusals as problems."""
    found = _article_or_problem(article_id)
    if isinstance(found, Response):
        return found
    try:
        change(found, _user())
    except NotAllowed as refusal:
        db.session.rollback()
        return problem(403, str(refusal), kind="not-allowed")
    except EditorialError as error:
        db.session.rollback()
        if getattr(error, "field", None) is None:  # not a field's value: the article is in the wrong state for it
            return problem(409, str(error), kind="wrong-state")
        return _editorial_problem(error)
    db.session.commit()
    db.session.refresh(found, ["author", "tags"])
    return _detail(found)


@bp.put("/staff/articles/<int:article_id>")
@spec.validate(
    json=s.ArticleIn,
    resp=Responses(HTTP_200=s.StaffArticleDetail, HTTP_409=s.Problem, HTTP_415=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="update_article",
)
def update_article(article_id: int):
    """Replace an article's text, tags and settings (scope: write): authors their own draft or article in review,
    editors any; the text it replaces is kept as a revision, a changed address keeps answering with a 301."""
    if request.mimetype != "application/json":
        return problem(415, "Send the article as JSON (Content-Type: application/json).", kind="json-only")
    draft = _draft(request.context.json)  # type: ignore[attr-defined]
    return _change(
        article_id, lambda article, user: editorial.update_from_draft(article, draft, actor=user, now=utcnow())
    )


@bp.post("/staff/articles/<int:article_id>/publish")
@spec.validate(
    json=s.PublishIn,
    resp=Responses(HTTP_200=s.StaffArticleDetail, HTTP_409=s.Problem, HTTP_415=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="publish_article",
)
def publish_article(article_id: int):
    """Publish now, or schedule (``at`` a time to come) — editors only, as on the editorial pages (scope: write)."""
    data = getattr(request.context, "json", None) or s.PublishIn(at=None)  # type: ignore[attr-defined]
    return _change(
        article_id, lambda article, user: editorial.set_published(article, True, actor=user, now=utcnow(), at=data.at)
    )


@bp.post("/staff/articles/<int:article_id>/unpublish")
@spec.validate(
    resp=Responses(HTTP_200=s.StaffArticleDetail, HTTP_409=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="unpublish_article",
)
def unpublish_article(article_id: int):
    """Take a published or scheduled article back to a draft — editors only (scope: write). Its page answers 404
    at once; its comments are kept."""
    return _change(article_id, lambda article, user: editorial.set_published(article, False, actor=user, now=utcnow()))


@bp.post("/staff/articles/<int:article_id>/submit")
@spec.validate(
    resp=Responses(HTTP_200=s.StaffArticleDetail, HTTP_409=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="submit_article",
)
def submit_article(article_id: int):
    """An author hands their draft to the editors: it waits as "ready for review" (scope: write)."""
    return _change(article_id, lambda article, user: editorial.submit_for_review(article, actor=user))


@bp.post("/staff/articles/<int:article_id>/send-back")
@spec.validate(
    json=s.SendBackIn,
    resp=Responses(HTTP_200=s.StaffArticleDetail, HTTP_409=s.Problem, HTTP_415=s.Problem, **STAFF_ERRORS),
    before=_needs(Scope.WRITE),
    security=SECURITY,
    tags=["articles"],
    operation_id="send_back_article",
)
def send_back_article(article_id: int):
    """An editor returns an article waiting for review to its author as a draft, with a note that is shown on its
    page and mailed to the author (scope: write)."""
    if request.mimetype != "application/json":
        return problem(415, "Send the note as JSON (Content-Type: application/json).", kind="json-only")
    note = request.context.json.note  # type: ignore[attr-defined]
    return _change(article_id, lambda article, user: editorial.send_back(article, note, actor=user))
