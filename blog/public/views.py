"""Public pages: home, article (with the comment form), author, tag, health."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import OperationalError

from blog import BUSY_RETRY_SECONDS, cache, database_busy, error_page, health
from blog.core import placement
from blog.extensions import csrf, db, limiter
from blog.inputs import choice_arg, int_arg, parse_cursor, parse_id
from blog.models import Comment
from blog.orm import is_busy, utcnow
from blog.policy import may_moderate
from blog.public import commenter, sharing
from blog.public.forms import FORGED, CommentEditForm, CommentForm, ReportForm
from blog.public.sharing import shareable
from blog.security import origin_check
from blog.services import articles, comment_edits, commenters, comments, retention
from blog.services.site import get_settings

bp = Blueprint("public", __name__)


def page_number() -> int:
    """``?page=N``: absent means the first page; not a whole number is a 400, beyond ``MAX_PAGE`` a 404."""
    number = int_arg("page", 1)
    if number > current_app.config["MAX_PAGE"]:
        abort(404)
    return number


def list_page(**filters) -> articles.Page:
    number = page_number()
    page = articles.list_published(number, current_app.config["ARTICLES_PER_PAGE"], **filters)
    if number > page.pages:
        abort(404)
    return page


@bp.get("/")
@shareable
def home():
    if "p" in request.args:  # a WordPress post's short link (/?p=ID), kept by the import: 301 to the article
        return _wordpress_short_link(int_arg("p"))
    return render_template("public/home.html", page=list_page())


def _wordpress_short_link(post_id: int | None):
    from blog import REDIRECT_MAX_AGE
    from blog.services import redirects

    slug = redirects.target_slug(f"/?p={post_id}") if post_id is not None else None
    if slug is None:
        abort(404)
    moved = redirect(url_for("public.article", slug=slug), code=301)
    moved.cache_control.public = True
    moved.cache_control.max_age = REDIRECT_MAX_AGE
    return moved


@bp.get("/articles/<slug>")
def article(slug: str):
    after, newest = _comments_after(), _newest_first()
    if sharing.is_anonymous() and "replytocom" not in request.args:
        variant = _page_variant(after, newest)
        entry = cache.get_page(slug, variant) if cache.enabled() else None
        if entry is None:
            entry = render_shared(slug, after, newest=newest)
        return sharing.shared(make_response(entry.body), etag=entry.etag)
    form = CommentForm(article_id=0, data=commenter.remembered() or commenter.signed_in_defaults())
    if (reply_to := int_arg("replytocom")) is not None:
        form.parent_id.data = str(reply_to)
    return sharing.private(make_response(render_article(slug, form)))


def _comments_after() -> str | None:
    after = request.args.get("comments_after")
    return after if parse_cursor(after) else None


COMMENT_ORDERS = ("oldest", "newest")  # ?comments=…: the first is the default


def _newest_first() -> bool:
    """``?comments=newest``: the discussion newest first; ``oldest`` (or nothing) is the default; else a 400."""
    return choice_arg("comments", COMMENT_ORDERS) == "newest"


def _page_variant(after: str | None, newest: bool) -> str:
    """The cached page's key beside the slug: the comment page and order it shows (oldest first keeps the keys
    it always had)."""
    return f"newest:{after or ''}" if newest else after or ""


def render_shared(slug: str, after: str | None = None, *, newest: bool = False) -> cache.PageEntry:
    """The page every anonymous reader gets, cached when the cache is on."""
    versions = None
    if cache.enabled():  # the versions are read before the data (blog/cache.py)
        versions = cache.page_versions(articles.published_article_id(slug) or abort(404))
    html, page = _render(slug, CommentForm(formdata=None, article_id=0), after=after, newest=newest)
    body = html.encode()
    entry = cache.PageEntry(body, sharing.etag_of(body), page.article.id, *(versions or ()))
    if versions:
        cache.set_page(slug, _page_variant(after, newest), entry, timeout=_cache_timeout(page.article))
    return entry


def _cache_timeout(article) -> int:
    """The configured lifetime, cut short when the article's comments close by age before it ends."""
    timeout = current_app.config["CACHE_DEFAULT_TIMEOUT"]
    closes_at, now = comments.comments_close_at(article), utcnow()
    if closes_at is not None and closes_at > now:
        timeout = min(timeout, int((closes_at - now).total_seconds()) + 1)
    return timeout


@bp.post("/articles/<slug>/comments")
@csrf.exempt  # anonymous readers have no session to hold a token: the origin check protects them
# One budget with the JSON API's comment route (blog/api/views.py): the same limits, whichever way it is sent.
@limiter.shared_limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], scope="comment-submission")
def submit_comment(slug: str):
    origin_check()
    article = articles.get_published_article(slug) or abort(404)
    now = utcnow()
    if comments.comments_closed(article, now=now):
        return render_article(slug, None, status=403)
    form = CommentForm(article_id=article.id)  # signed-in people's forms carry their session's CSRF token
    if not form.validate_on_submit():
        return render_article(slug, form, status=400 if form.forged else 422)
    try:
        comment = comments.submit_comment(
            article,
            form.to_draft(),
            now=now,
            client=comments.Client(ip=request.remote_addr or "", user_agent=request.user_agent.string),
            user=current_user._get_current_object() if current_user.is_authenticated else None,
            notify=bool(form.notify.data),
            remember=True if form.remember.data else (False if commenter.COOKIE in request.cookies else None),
        )
    except comments.CommentRefused as refusal:
        db.session.rollback()
        form.refusal = str(refusal)
        return render_article(slug, None if refusal.status == 403 else form, status=refusal.status)
    comment_id, status = comment.id, comment.status  # read before the commit expires them (a query each)
    db.session.commit()
    response = redirect(url_for("public.article", slug=slug, _anchor=f"comment-{comment_id}"), code=303)
    commenter.after_submit(response, comment_id, status, form)
    return response


@bp.get("/articles/<slug>/comments")
def comments_anchor(slug: str):
    """Reloading the page a failed submission left in the address bar leads back to the discussion."""
    return redirect(url_for("public.article", slug=slug, _anchor="comments"))


@bp.get("/articles/<slug>/comments/<int:comment_id>")
def comment_permalink(slug: str, comment_id: int):
    """A comment's lasting address: to the page of the discussion that shows it now, at its anchor."""
    newest = _newest_first()
    found, cursor = articles.comment_page(slug, comment_id, newest=newest)
    if not found:
        abort(404)
    order = "newest" if newest else None
    return redirect(
        url_for("public.article", slug=slug, comments_after=cursor, comments=order, _anchor=f"comment-{comment_id}")
    )


def render_article(slug: str, form: CommentForm | None, status: int = 200):
    """The article page; ``form`` None means comments are closed (the form is replaced by a notice)."""
    return _render(slug, form, after=_comments_after(), newest=_newest_first())[0], status


def _render(
    slug: str, form: CommentForm | None, *, after: str | None, newest: bool = False
) -> tuple[str, articles.ArticlePage]:
    """The page's HTML and data.

    The comment thread is the same for every reader who has no comment awaiting moderation, so it comes
    from the shared cache; a reader with pending comments, or replying, gets it rendered for them alone.
    """
    pending = commenter.pending_ids()
    editable = commenter.editable_ids(utcnow())  # their Edit links make the thread theirs alone
    parent = form.parent_id.data if form is not None else None
    wanted = parse_id(parent)
    shared = not pending and not editable and wanted is None
    page = articles.get_article_page(
        slug, pending_ids=pending, with_comments=not shared, after=after, newest=newest
    ) or abort(404)
    closed = form is None or comments.comments_closed(page.article, now=utcnow())
    reply_to = None
    if form is not None and not closed:
        form.article_id = page.article.id
        form.renew_token()
        reply_to = next((e.comment for e in page.comments if e.comment.id == wanted), None)
    html = render_template(
        "public/article.html",
        page=page,
        article=page.article,
        edit_url=_edit_url(page.article.id),
        form=form,
        closed=closed,
        reply_to=reply_to,
        thread=_thread(page, closed=closed, shared=shared, after=after, newest=newest, editable=editable),
        story_body=_story_body(page),
    )
    return html, page


def _story_body(page: articles.ArticlePage) -> Markup:
    """The body with Keep Reading inside it (``core.placement``), the same for every reader: one cached
    fragment, retired by the cache's hook when the article, its links or a target's title change."""
    article = page.article
    template = current_app.jinja_env.get_template("public/_story_body.html")

    def render() -> str:
        links = page.keep_reading if article.keep_reading_shown else []
        cut = placement.split(article.body_html, enabled=bool(links))
        return template.render(before=cut.before, after=cut.after, links=links)

    size = current_app.config["KEEP_READING_SIZE"]
    return cache.article_fragment(article.id, ("story-body", article.slug, size), render)


def _edit_url(article_id: int) -> str | None:
    """Staff who may edit it get a link to the editorial form; their pages are private (never the shared copy)."""
    if sharing.is_anonymous() or not current_user.is_authenticated or not may_moderate(current_user):
        return None
    return url_for("editorial.article", article_id=article_id)


def _thread(
    page: articles.ArticlePage,
    *,
    closed: bool,
    shared: bool,
    after: str | None,
    newest: bool,
    editable: set[int] | frozenset[int] = frozenset(),
) -> Markup:
    """The comment list. Rendered from its own values only, without the request's template context (the
    reader, their session, the site's context processors): the shared copy must not depend on who asked."""
    article, settings = page.article, get_settings()
    template = current_app.jinja_env.get_template("public/_thread.html")

    def render(entries) -> str:
        return template.render(
            article=article,
            entries=entries,
            closed=closed,
            after=after,
            order="newest" if newest else None,
            thread_depth=settings.thread_depth,
            editable=editable if not shared else (),
        )

    if not shared:
        return Markup(render(page.comments))  # noqa: S704  (a template's output: Jinja escaped it)
    vary = (
        article.slug,
        "closed" if closed else "open",
        settings.thread_depth,
        settings.comments_per_page,
        after or "",
        "newest" if newest else "oldest",
    )
    return cache.article_fragment(
        article.id, vary, lambda: render(articles.visible_comments(article, [], after=after, newest=newest))
    )


@bp.route("/articles/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # as the comment form: signed-in writers' forms carry their token, anonymous ones pass the origin check
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], methods=["POST"])  # each edit keeps a revision
def edit_comment(slug: str, comment_id: int):
    """The writer edits or deletes their comment, from the browser that sent it, while the window is open."""
    posted = request.method == "POST"
    if posted:
        origin_check()
    found = comment_edits.find(slug, comment_id, for_update=posted) or abort(404)
    comment, now = found.comment, utcnow()
    form = CommentEditForm(data=None if posted else {"body": comment.body_text})
    if posted and not form.validate() and form.forged:
        return _edit_page(slug, comment, form, status=400, message=FORGED)
    # Why the window closed comes first: the writer's browser forgets a closed comment on their next page.
    if refusal := found.refusal(now=now):
        return _edit_page(slug, comment, None, status=409, message=refusal)
    if not commenter.may_edit(comment_id):
        return _edit_page(slug, comment, None, status=403, message=NOT_YOURS)
    if not posted:
        return _edit_page(slug, comment, form)
    if request.form.get("action") == "delete":
        comment_edits.withdraw_comment(comment, now=now)
        db.session.commit()
        commenter.after_withdraw(comment_id)
        return redirect(url_for("public.article", slug=slug, _anchor="comments"), code=303)
    if form.errors:
        return _edit_page(slug, comment, form, status=422)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    status = comment_edits.edit_comment(comment, form.body.data or "", user=user, now=now)
    db.session.commit()
    commenter.tell(comment_id, status)
    return redirect(url_for("public.article", slug=slug, _anchor=f"comment-{comment_id}"), code=303)


@bp.route("/articles/<slug>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@csrf.exempt  # as the comment form: signed-in readers' forms carry their token, anonymous ones pass the origin check
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"])
def report_comment(slug: str, comment_id: int):
    """A reader reports a published comment to the editors (no account needed): once per network; reports from
    enough networks take it off the page until an editor has looked (services.commenters.report)."""
    posted = request.method == "POST"
    if posted:
        origin_check()
    form = ReportForm()
    forged = posted and not form.validate()  # before the lookup, as Flask-WTF's own check would be
    comment = commenters.reportable(slug, comment_id, for_update=posted and not forged)
    if forged:
        return (
            _report_page(slug, comment, form, status=400, message=FORGED_REPORT)
            if comment
            else abort(400, FORGED_REPORT)
        )
    if comment is None:
        abort(404, "There is no such published comment.")
    if not posted:
        return _report_page(slug, comment, form)
    outcome = commenters.report(
        comment,
        ip=request.remote_addr or "",
        now=utcnow(),
        unpublish_after=get_settings().unpublish_after_reports,
    )
    db.session.commit()
    return _report_page(slug, comment, None, message=REPORTED if outcome.counted else REPORTED_BEFORE)


FORGED_REPORT = "Your session had expired or the form could not be verified, so nothing was reported. Please try again."
REPORTED = "Thank you: the editors will look at this comment."
REPORTED_BEFORE = "This comment has already been reported from your network: the editors will look at it."


def _report_page(slug: str, comment: Comment, form: ReportForm | None, *, status: int = 200, message: str = ""):
    html = render_template("public/report_comment.html", slug=slug, comment=comment, form=form, message=message)
    return sharing.private(make_response(html, status))


NOT_YOURS = "A comment can only be edited from the browser it was sent from, for a few minutes after it was sent."


def _edit_page(slug: str, comment: Comment, form: CommentEditForm | None, *, status: int = 200, message: str = ""):
    """The edit form, or (``form`` None) why the comment cannot be edited; personal either way."""
    html = render_template("public/edit_comment.html", slug=slug, comment=comment, form=form, message=message)
    db.session.rollback()  # a refused change keeps nothing (and lets go of the row lock, if any)
    return sharing.private(make_response(html, status))


def _comment_kept(refusal: str, status: int):
    """A refused comment's article again, with the reader's text kept and the reason; None for any other request."""
    slug = (request.view_args or {}).get("slug", "")
    if request.endpoint != "public.submit_comment" or articles.published_article_id(slug) is None:
        return None
    form = CommentForm(article_id=0)
    form.refusal = refusal
    return make_response(render_article(slug, form, status=status))


@bp.errorhandler(RateLimitExceeded)
def too_many_comments(error: RateLimitExceeded):
    kept = _comment_kept(
        f"You're commenting faster than we allow ({error.description}). "
        "Please wait a little, then send your comment again — it is kept below.",
        429,
    )
    return kept if kept is not None else error_page(error)


@bp.errorhandler(OperationalError)
def comment_not_saved(error: OperationalError):
    if is_busy(error):
        db.session.rollback()  # the failed statement ended the transaction; the page's reads need a new one
        kept = _comment_kept(
            "The site is busy saving other changes, so your comment was not sent. "
            "It is kept below: please send it again in a minute.",
            503,
        )
        if kept is not None:
            kept.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
            return kept
    return database_busy(error)  # the error page's 503; any other database error stays a 500


@bp.get("/authors/<slug>")
@shareable
def author(slug: str):
    person = articles.get_author(slug) or abort(404)
    return render_template("public/author.html", author=person, page=list_page(author=person))


@bp.get("/tags/<slug>")
@shareable
def tag(slug: str):
    found = articles.get_tag(slug) or abort(404)
    return render_template("public/tag.html", tag=found, page=list_page(tag=found))


@bp.get("/privacy")
@shareable
def privacy():
    """How we use your data: the admin's words, then the facts, from the retention settings as they stand."""
    return render_template(
        "public/privacy.html",
        notice_html=get_settings().privacy_notice_html,
        policy=retention.current_policy(),
        remember_days=current_app.config["COMMENTER_COOKIE_DAYS"],
    )


@bp.get("/healthz")
def healthz():
    return health.check()
