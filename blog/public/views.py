"""Public pages: home, article (with the comment form), author, tag, health."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from blog import cache, health
from blog.extensions import db, limiter
from blog.orm import utcnow
from blog.public import commenter, shared_page
from blog.public.forms import CommentForm
from blog.services import articles, comments
from blog.services.site import get_settings

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
    after = _comments_after()
    if shared_page.is_plain_reader():
        return shared_page.respond(slug, after or "", lambda: render_shared(slug, after))
    form = CommentForm(article_id=0, data=commenter.remembered() or commenter.signed_in_defaults())
    if (reply_to := request.args.get("replytocom", "")).isdigit():
        form.parent_id.data = reply_to
    response = make_response(render_article(slug, form))
    response.headers["Cache-Control"] = "private, no-store"  # may hold the reader's own name and address
    return response


def _comments_after() -> str | None:
    after = request.args.get("comments_after")
    return after if articles.parse_cursor(after) else None


def render_shared(slug: str, after: str | None = None) -> cache.PageEntry:
    """The page every plain anonymous reader gets, with slots for their form tokens (``shared_page``), cached.
    Also what ``shared_page.NewReaders`` renders for a reader without cookies."""
    versions = None
    if cache.enabled():  # the versions are read before the data (blog/cache.py)
        versions = cache.page_versions(articles.published_article_id(slug) or abort(404))
    csrf_slot = shared_page.slots()[0] if current_app.config["WTF_CSRF_ENABLED"] else None
    html, page = _render(slug, _blank_form(), after=after, blank=True, csrf_slot=csrf_slot)
    entry = shared_page.make_entry(html, page.article.id, versions or ("", ""))
    if versions:
        cache.set_page(slug, after or "", entry, timeout=_cache_timeout(page.article))
    return entry


def _blank_form() -> CommentForm:
    """The shared page's empty form, slots for its tokens: the same for every reader, so built once per app
    (and never changed after: ``_render`` leaves a slotted form alone)."""
    form = current_app.extensions.get("blog_blank_comment_form")
    if form is None:
        form = CommentForm(formdata=None, article_id=0, meta={"csrf": False})  # the CSRF slot: the template
        form.ts.data = shared_page.slots()[1]
        current_app.extensions["blog_blank_comment_form"] = form
    return form


def _cache_timeout(article) -> int:
    """The configured lifetime, cut short when the article's comments close by age before it ends."""
    timeout = current_app.config["CACHE_DEFAULT_TIMEOUT"]
    closes_at, now = comments.comments_close_at(article), utcnow()
    if closes_at is not None and closes_at > now:
        timeout = min(timeout, int((closes_at - now).total_seconds()) + 1)
    return timeout


@bp.post("/articles/<slug>/comments")
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"])
def submit_comment(slug: str):
    article = articles.get_published_article(slug) or abort(404)
    now = utcnow()
    if comments.comments_closed(article, now=now):
        return render_article(slug, None, status=403)
    form = CommentForm(article_id=article.id)
    if not form.validate_on_submit():
        return render_article(slug, form, status=422)
    try:
        comment = comments.submit_comment(
            article, form.to_draft(), now=now,
            client=comments.Client(ip=request.remote_addr or "", user_agent=request.user_agent.string),
            user=current_user._get_current_object() if current_user.is_authenticated else None,
            desk_url=url_for("moderation.desk", status="pending", article=slug, _external=True),
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


def render_article(slug: str, form: CommentForm | None, status: int = 200):
    """The article page; ``form`` None means comments are closed (the form is replaced by a notice)."""
    return _render(slug, form, after=_comments_after())[0], status


def _render(
    slug: str, form: CommentForm | None, *, after: str | None, blank: bool = False, csrf_slot: str | None = None
) -> tuple[str, articles.ArticlePage]:
    """The page's HTML and data. ``blank``: ``form`` is the shared one of ``_blank_form``, whose tokens are
    slots, and ``csrf_slot`` the CSRF token's slot (None when CSRF protection is off).

    The comment thread is the same for every reader who has no comment awaiting moderation, so it comes
    from the shared cache; a reader with pending comments, or replying, gets it rendered for them alone.
    """
    pending = commenter.pending_ids()
    parent = form.parent_id.data if form is not None else None
    wanted = int(parent) if parent and parent.isascii() and parent.isdigit() else None
    shared = not pending and wanted is None
    page = articles.get_article_page(slug, pending_ids=pending, with_comments=not shared, after=after) or abort(404)
    closed = form is None or comments.comments_closed(page.article, now=utcnow())
    reply_to = None
    if not closed and not blank:
        form.article_id = page.article.id
        form.renew_token()
    if not closed:
        reply_to = next((e.comment for e in page.comments if e.comment.id == wanted), None)
    html = render_template(
        "public/article.html", page=page, article=page.article, form=form, closed=closed, reply_to=reply_to,
        csrf_slot=csrf_slot, thread=_thread(page, closed=closed, shared=shared, after=after),
    )
    return html, page


def _thread(page: articles.ArticlePage, *, closed: bool, shared: bool, after: str | None) -> Markup:
    """The comment list. Rendered from its own values only, without the request's template context (the
    reader, their session, the site's context processors): the shared copy must not depend on who asked,
    and leaving that context out saves a tenth of the fragment's time."""
    article, settings = page.article, get_settings()
    template = current_app.jinja_env.get_template("public/_thread.html")

    def render(entries) -> str:
        return template.render(
            article=article, entries=entries, closed=closed, after=after, thread_depth=settings.thread_depth
        )

    if not shared:
        return Markup(render(page.comments))
    vary = (article.slug, "closed" if closed else "open", settings.thread_depth, settings.comments_per_page, after or "")
    return cache.article_fragment(article.id, vary, lambda: render(articles.visible_comments(article, [], after=after)))


def _refuse_with_form(message: str, status: int):
    """Re-show the article with the reader's text kept and a message, instead of a bare error page."""
    form = CommentForm(article_id=0, meta={"csrf": False})
    form.refusal = message
    return render_article((request.view_args or {}).get("slug", ""), form, status=status)


@bp.errorhandler(RateLimitExceeded)
def too_many_comments(error: RateLimitExceeded):
    if request.endpoint != "public.submit_comment":
        return error
    return _refuse_with_form(
        f"You're commenting faster than we allow ({error.description}). "
        "Please wait a little, then send your comment again — it is kept below.",
        429,
    )


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    if request.endpoint != "public.submit_comment":
        return error
    return _refuse_with_form(
        "Your session had expired or the form could not be verified, so your comment was not sent. "
        "It is kept below: please submit it again.",
        400,
    )


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
    return health.check()
