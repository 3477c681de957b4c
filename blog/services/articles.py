"""Reading articles for the public pages."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, raiseload, selectinload
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

from blog import inputs
from blog.core import privacy, related
from blog.core.threads import ThreadEntry, thread
from blog.extensions import db
from blog.models import (
    Article,
    ArticleCorrection,
    ArticleStatus,
    Comment,
    CommentStatus,
    Media,
    RelatedKind,
    RelatedLink,
    Tag,
    User,
    article_tags,
)
from blog.orm import utcnow
from blog.services.media import Picture, picture_from_row
from blog.services.site import get_settings


class PublicComment(NamedTuple):
    """What the public may see of a comment: no email, no IP hash, no user agent.

    A named tuple: a page builds one per comment, and they are several times cheaper than frozen dataclasses.
    The thread template unpacks it by position (public/_thread.html): a new field goes last, and there too.
    """

    id: int
    parent_id: int | None
    author_name: str
    author_website: str
    body_html: str
    created_at: datetime
    avatar_initials: str
    avatar_colour: int
    depth: int  # as stored: 0 for a top-level comment
    is_pending: bool  # shown only to the reader who wrote it
    edited_at: datetime | None  # when its writer last changed the text
    badge: str = ""  # "Author" (the article's author, signed in), "Staff" (another signed-in staff member), or ""


class AuthorView(NamedTuple):
    """The article page's byline and bio box."""

    id: int
    slug: str
    display_name: str
    bio_html: str
    avatar_path: str | None


class TagView(NamedTuple):
    slug: str
    name: str


class ArticleView(NamedTuple):
    """A published article as its page shows it: read as plain rows, not ORM objects (a quarter of the
    uncached page's database time went to the ORM building and tracking objects nobody changes)."""

    id: int
    slug: str
    title: str
    summary: str
    body_html: str
    word_count: int
    published_at: datetime
    updated_at: datetime
    comments_open: bool
    comment_count: int
    author: AuthorView
    tags: list[TagView]
    content_updated_at: datetime | None = None  # its text's last change after publishing ("Updated …")
    section: TagView | None = None  # the label above the headline: the chosen tag, else the first
    correction_count: int = 0
    lead: Picture | None = None  # the lead image, from the media library
    keep_reading_shown: bool = True  # the editor may turn the Keep Reading box off for this article

    @property
    def is_published(self) -> bool:
        return True  # only published articles are read this way

    @property
    def text_updated_at(self) -> datetime | None:
        """When to say "Updated": a change to its text after it was published, else None."""
        changed = self.content_updated_at
        return changed if changed is not None and changed > self.published_at else None

    @property
    def modified_at(self) -> datetime:
        """dateModified: its text's last change, or its publication (comments do not count)."""
        return self.text_updated_at or self.published_at


class CorrectionView(NamedTuple):
    """A correction note as the page shows it (sanitised at write time)."""

    text_html: str
    created_at: datetime


@dataclass(frozen=True)
class ArticlePage:
    article: ArticleView
    comments: Thread
    keep_reading: list[related.ReadingLink]
    corrections: list[CorrectionView] = field(default_factory=list)


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what the pager needs.

    ``exact=False``: the list was counted only so far (``COUNT_AHEAD`` rows past the page's start, or
    search's ``RANK_LIMIT``) and has more than ``total`` entries; the pager then shows no last page.
    """

    items: list[T]
    number: int
    per_page: int
    total: int
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def published(table: sa.FromClause | None = None) -> sa.ColumnElement[bool]:
    """What readers may see: a published article whose publication time has come (the one place for the rule).

    ``table``: an alias of ``articles`` (Keep Reading's targets); the articles table by default. The time is a
    bound parameter evaluated at each execution (``utcnow``), so statements built once (``functools.cache``)
    still see the clock move, and a clock frozen by time-machine in tests.
    """
    c = (table if table is not None else Article.__table__).c
    return sa.and_(
        c.status == ArticleStatus.PUBLISHED,
        c.published_at.is_not(None),
        c.published_at <= sa.bindparam("published_now", callable_=utcnow, type_=c.published_at.type, unique=True),
    )


def get_published_article(slug: str) -> Article | None:
    return db.session.scalars(_published_statement(), {"slug": slug}).one_or_none()


@functools.cache
def _published_statement() -> sa.Select[Article]:
    return sa.select(Article).where(Article.slug == sa.bindparam("slug"), published())


def published_article_id(slug: str) -> int | None:
    return db.session.scalar(_article_id_statement(), {"slug": slug})


@functools.cache
def _article_id_statement() -> sa.Select[int]:
    return sa.select(Article.id).where(Article.slug == sa.bindparam("slug"), published())


@dataclass(frozen=True)
class Thread:
    """One page of an article's discussion: top-level comments with all their replies."""

    entries: list[ThreadEntry[PublicComment]]
    first_page: bool
    next_cursor: str | None  # where the next page starts, when there is one

    def __iter__(self) -> Iterator[ThreadEntry[PublicComment]]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)


def get_article_page(
    slug: str,
    *,
    pending_ids: list[int] | None = None,
    with_comments: bool = True,
    after: str | None = None,
    newest: bool = False,
) -> ArticlePage | None:
    """Everything the article page shows. ``pending_ids``: the reader's own comments awaiting moderation.

    ``with_comments=False`` leaves the thread empty: the page takes it from the cache (``visible_comments``).
    """
    row = db.session.execute(_article_statement(), {"slug": slug}).one_or_none()
    if row is None:
        return None
    tag_rows = db.session.execute(_tags_statement(), {"article_id": row.id}).all()
    tags = [TagView(slug, name) for slug, name, _ in tag_rows]
    section_id = row.section_tag_id
    section = next((TagView(slug, name) for slug, name, ident in tag_rows if ident == section_id), None)
    article = ArticleView._make(
        [
            *row[:10],
            AuthorView(*row[10:15]),
            tags,
            row.content_updated_at,
            section or (tags[0] if tags else None),
            row.correction_count,
            picture_from_row(*row[18:26]) if row[18] is not None else None,  # the lead image
            row.keep_reading_shown,
        ]
    )
    thread_page = (
        visible_comments(article, pending_ids or [], after=after, newest=newest)
        if with_comments
        else Thread([], True, None)
    )
    corrections = (  # read only when there are some: most articles never have one (the query budget)
        [CorrectionView(*c) for c in db.session.execute(_corrections_statement(), {"article_id": article.id})]
        if article.correction_count
        else []
    )
    return ArticlePage(article, thread_page, _keep_reading(article), corrections)


@functools.cache
def _corrections_statement() -> sa.Select[str, datetime]:
    c = ArticleCorrection.__table__.c
    return (
        sa.select(c.text_html, c.created_at)
        .where(c.article_id == sa.bindparam("article_id"))
        .order_by(c.created_at, c.id)
    )


# The article page's statements are built once per process, with bound parameters: building them is
# most of their cost (SQLAlchemy caches the compiled SQL, not the Python objects that describe it).


@functools.cache
def _article_statement() -> sa.Select[Any]:  # ArticleView's columns, AuthorView's, newsroom's, the lead image's
    a, u = Article.__table__.c, User.__table__.c
    return (
        sa.select(
            a.id,
            a.slug,
            a.title,
            a.summary,
            a.body_html,
            a.word_count,
            a.published_at,
            a.updated_at,
            a.comments_open,
            a.comment_count,  # ArticleView's fields, in order; then AuthorView's
            u.id.label("author_id"),
            u.slug.label("author_slug"),
            u.display_name,
            u.bio_html,
            u.avatar_path,
            a.content_updated_at,
            a.section_tag_id,
            a.correction_count,
            *_lead_columns(),  # then the lead image's, if any
            a.keep_reading_shown,
        )
        .join_from(Article.__table__, User.__table__, a.author_id == u.id)
        .outerjoin(Media.__table__, a.lead_media_id == Media.__table__.c.id)
        .where(a.slug == sa.bindparam("slug"), published())
    )


def _lead_columns() -> tuple[Any, ...]:
    m = Media.__table__.c
    return (m.id, m.width, m.height, m.alt_text, m.caption, m.credit, m.original_key, m.variants)


@functools.cache
def _tags_statement() -> sa.Select[str, str, int]:
    t, link = Tag.__table__.c, article_tags.c
    return (
        sa.select(t.slug, t.name, t.id)
        .join_from(Tag.__table__, article_tags, link.tag_id == t.id)
        .where(link.article_id == sa.bindparam("article_id"))
        .order_by(t.name)
    )


@functools.cache
def _thread_statement(
    with_pending: bool, with_cursor: bool, newest: bool = False
) -> sa.Select[int, int | None, str, str, str, datetime, int, int, CommentStatus, datetime | None, int | None]:
    """An article's visible comments: a page of top-level ones (oldest or ``newest`` first), then all their
    replies; the rows come oldest first (``core.threads.thread`` puts the page in order).

    Core columns throughout: the rows become ``PublicComment`` tuples, so the ORM would only add overhead.
    """
    comments = Comment.__table__

    def visible(c: ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]) -> sa.ColumnElement[bool]:
        shown = c.status == CommentStatus.APPROVED
        if with_pending:
            # the reader's own held comments; spam ones too, shown as pending (never tell which rule held them)
            held = c.status.in_([CommentStatus.PENDING, CommentStatus.SPAM])
            pending = sa.and_(held, c.id.in_(sa.bindparam("pending", expanding=True)))
            shown = sa.or_(shown, pending)
        return shown

    c = comments.c
    top = sa.select(c.id).where(c.article_id == sa.bindparam("article_id"), c.parent_id.is_(None), visible(c))
    if with_cursor:
        when = sa.bindparam("after_time", type_=c.created_at.type)
        ident: sa.BindParameter[int] = sa.bindparam("after_id")
        if newest:
            top = top.where(sa.or_(c.created_at < when, sa.and_(c.created_at == when, c.id < ident)))
        else:
            top = top.where(sa.or_(c.created_at > when, sa.and_(c.created_at == when, c.id > ident)))
    order = (c.created_at.desc(), c.id.desc()) if newest else (c.created_at, c.id)
    roots = top.order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer)).cte("roots")
    tree = sa.select(roots.c.id).cte("tree", recursive=True)
    reply = comments.alias("reply")
    tree = tree.union_all(sa.select(reply.c.id).join(tree, reply.c.parent_id == tree.c.id).where(visible(reply.c)))
    return (
        sa.select(
            c.id,
            c.parent_id,
            c.author_name,
            c.author_website,
            c.body_html,
            c.created_at,
            c.avatar_colour,
            c.depth,
            c.status,
            c.edited_at,
            c.user_id,
        )
        .where(c.id.in_(sa.select(tree.c.id)))
        .order_by(c.created_at, c.id)
    )


def visible_comments(
    article: Article | ArticleView, pending_ids: list[int], *, after: str | None = None, newest: bool = False
) -> Thread:
    """One page of top-level comments (``comments_per_page``, oldest or ``newest`` first, keyset ``after``: the
    position of the previous page's last top-level comment in that order) with their replies.

    Approved comments, plus the reader's own pending ones; as a projection that never reads the email (the avatar
    colour is stored with each comment). One query: the page's top-level comments, then (recursively) their
    visible replies.
    """
    settings = get_settings()
    per_page = settings.comments_per_page
    cursor = inputs.parse_cursor(after)  # a top-level comment's position
    params: dict[str, Any] = {"article_id": article.id, "limit": per_page + 1}
    if pending_ids:
        params["pending"] = pending_ids
    if cursor is not None:
        params["after_time"], params["after_id"] = cursor
    rows = db.session.execute(_thread_statement(bool(pending_ids), cursor is not None, newest), params).all()
    approved = CommentStatus.APPROVED
    author_id = article.author.id if isinstance(article, ArticleView) else article.author_id
    public = [  # positional and unpacked: this runs once per comment shown
        PublicComment(
            ident,
            parent_id,
            name,
            website,
            body_html,
            created_at,
            privacy.initials(name),
            colour,
            depth,
            status != approved,
            edited_at,
            "" if user_id is None else "Author" if user_id == author_id else "Staff",
        )
        for ident, parent_id, name, website, body_html, created_at, colour, depth, status, edited_at, user_id in rows
    ]
    entries = thread(public, max_depth=settings.thread_depth, newest_first=newest)
    # Keep per_page top-level comments with their replies; the extra one (if any) says there is more.
    roots_seen, cut, last_root = 0, len(entries), None
    for index, entry in enumerate(entries):
        if entry.comment.parent_id is None:
            roots_seen += 1
            if roots_seen > per_page:
                cut = index
                break
            last_root = entry.comment
    more = cut < len(entries)
    next_cursor = inputs.format_cursor(last_root.created_at, last_root.id) if more and last_root else None
    return Thread(entries[:cut], cursor is None, next_cursor)


def public_comment(comment: Comment) -> PublicComment:
    """One stored comment as the public may see it (the API's answer to its writer), without the email."""
    return PublicComment(
        comment.id,
        comment.parent_id,
        comment.author_name,
        comment.author_website,
        comment.body_html,
        comment.created_at,
        privacy.initials(comment.author_name),
        comment.avatar_colour,
        comment.depth,
        comment.status is not CommentStatus.APPROVED,
        comment.edited_at,
        "" if comment.user_id is None else "Staff",
    )


def comment_page(slug: str, comment_id: int, *, newest: bool = False) -> tuple[bool, str | None]:
    """Where a comment is shown: (it is, the ``comments_after`` cursor of its page — None for the first page).

    (False, None) when the comment is not a published comment of this published article, or hangs below one
    that is not (no reader sees it). Pages are counted in top-level comments, oldest first, as
    ``visible_comments`` cuts them (or ``newest`` first); a reader's own pending comments, which only they see, are not counted.
    """
    c = Comment.__table__.c
    article_id = published_article_id(slug)
    if article_id is None:
        return False, None
    ident: int | None = comment_id
    root = None
    for _ in range(get_settings().thread_depth + 1):  # up the thread to its top-level comment
        row = db.session.execute(
            sa.select(c.id, c.parent_id, c.created_at).where(
                c.id == ident, c.article_id == article_id, c.status == CommentStatus.APPROVED
            )
        ).one_or_none()
        if row is None:
            return False, None
        if row.parent_id is None:
            root = row
            break
        ident = row.parent_id
    if root is None:
        return False, None
    roots = sa.and_(c.article_id == article_id, c.parent_id.is_(None), c.status == CommentStatus.APPROVED)
    if newest:
        before = sa.or_(c.created_at > root.created_at, sa.and_(c.created_at == root.created_at, c.id > root.id))
    else:
        before = sa.or_(c.created_at < root.created_at, sa.and_(c.created_at == root.created_at, c.id < root.id))
    order = (c.created_at.desc(), c.id.desc()) if newest else (c.created_at, c.id)
    earlier = db.session.scalar(sa.select(sa.func.count()).where(roots, before)) or 0
    start = earlier - earlier % get_settings().comments_per_page  # the index of its page's first comment
    if start == 0:
        return True, None
    previous = db.session.execute(
        sa.select(c.created_at, c.id).where(roots).order_by(*order).offset(start - 1).limit(1)
    ).one()
    return True, inputs.format_cursor(previous.created_at, previous.id)


def _keep_reading(article: ArticleView) -> list[related.ReadingLink]:
    """Curated links and the stored automatic picks (``services.related``), in one query."""
    size = current_app.config["KEEP_READING_SIZE"]
    rows = db.session.execute(_keep_reading_statement(), {"article_id": article.id}).all()
    curated = [_link(r) for r in rows if r.grp == 0]
    automatic = [_link(r) for r in rows if r.grp != 0]  # the picks, then the section fill (grp 2)
    return related.keep_reading(curated, automatic, own_slug=article.slug, size=size)


@functools.cache
def _keep_reading_statement() -> sa.Select[*tuple[Any, ...]]:
    targets = Article.__table__.alias("target")  # Core tables: the rows are read as rows, not objects
    link, target = RelatedLink.__table__.c, targets.c
    return (
        sa.select(
            sa.case((link.kind == RelatedKind.CURATED, 0), (link.kind == RelatedKind.FILL, 2), else_=1).label("grp"),
            link.position.label("ord"),
            link.url,
            sa.func.coalesce(target.title, link.title, link.url).label("title"),
            target.slug,
        )
        .select_from(RelatedLink.__table__.outerjoin(targets, link.target_article_id == target.id))
        .where(
            link.article_id == sa.bindparam("article_id"),
            sa.or_(
                link.target_article_id.is_(None),
                published(targets),
            ),
        )
        .order_by("grp", "ord")
    )


def _link(row: sa.Row[*tuple[Any, ...]]) -> related.ReadingLink:
    if row.slug:
        return related.ReadingLink(title=row.title, article_slug=row.slug, fill=row.grp == 2)
    return related.ReadingLink(title=row.title, url=row.url)


COUNT_AHEAD = 1000  # list rows counted past the start of a page; beyond, the pager says there are more


def list_published(page: int, per_page: int, *, author: User | None = None, tag: Tag | None = None) -> Page[Article]:
    """One page of published articles, newest first: all of them, an author's or a tag's.

    Two statements, whatever the size of the site (plus the tags of the page's articles):

    - the count. A tag's is exact, from ``ix_article_tags_tag_id_article_id`` alone: the tag's links
      minus those of unpublished articles (an index range of ``ix_articles_status_published_at``).
      The home and author pages count the rows from the page's start, at most ``COUNT_AHEAD`` + 1
      (index only): exact for a list that ends within ``COUNT_AHEAD`` rows, else a lower bound
      (``Page.exact`` False) — an exact count visited every published article on every request;
    - the page: its ids from the index (``OFFSET`` skips index entries, not rows), then their rows.
    """
    offset = (page - 1) * per_page
    params = {"offset": offset, "limit": per_page}
    kind = "tag" if tag is not None else "author" if author is not None else "all"
    if tag is not None:
        params["tag_id"] = tag.id
    if author is not None:
        params["author_id"] = author.id
    exact = True
    if kind == "tag":
        total = db.session.scalar(_tag_count_statement(), params) or 0
    else:
        counted = db.session.scalar(_window_count_statement(kind), {**params, "ahead": COUNT_AHEAD + 1}) or 0
        total, exact = offset + counted, counted <= COUNT_AHEAD
    if offset and offset >= total:  # past the end: no rows to read (the view answers 404)
        return Page([], page, per_page, total, exact)
    articles = db.session.scalars(_list_statement(kind), params).all()
    return Page(list(articles), page, per_page, total, exact)


def _list_filter(kind: str) -> list[sa.ColumnElement[bool]]:
    where = [published()]
    if kind == "author":
        where.append(Article.author_id == sa.bindparam("author_id"))
    elif kind == "tag":
        links = article_tags.c
        where.append(Article.id.in_(sa.select(links.article_id).where(links.tag_id == sa.bindparam("tag_id"))))
    return where


@functools.cache
def _window_count_statement(kind: str) -> sa.Select[int]:
    """Published rows from the page's start, at most ``ahead`` (no ORDER BY: any order counts the same)."""
    window = (
        sa.select(Article.id)
        .where(*_list_filter(kind))
        .limit(sa.bindparam("ahead", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    return sa.select(sa.func.count()).select_from(window.subquery("window"))


@functools.cache
def _tag_count_statement() -> sa.Select[int]:
    """A tag's published articles: its links, minus the links of unpublished articles (few, by index)."""
    links = article_tags.c
    unpublished = sa.union_all(
        sa.select(Article.id).where(Article.status.in_([s for s in ArticleStatus if s is not ArticleStatus.PUBLISHED])),
        sa.select(Article.id).where(Article.status == ArticleStatus.PUBLISHED, Article.published_at.is_(None)),
        sa.select(Article.id).where(Article.status == ArticleStatus.PUBLISHED, sa.not_(published())),  # scheduled
    )
    tag = links.tag_id == sa.bindparam("tag_id")
    linked = sa.select(sa.func.count()).select_from(article_tags).where(tag).scalar_subquery()
    hidden = (
        sa.select(sa.func.count())
        .select_from(article_tags)
        .where(tag, links.article_id.in_(unpublished))
        .scalar_subquery()
    )
    return sa.select(linked - hidden)


@functools.cache
def _list_statement(kind: str) -> sa.Select[Article]:
    newest_first = (Article.published_at.desc(), Article.id.desc())
    ids = (
        sa.select(Article.id)
        .where(*_list_filter(kind))
        .order_by(*newest_first)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    return (
        sa.select(Article)
        .where(Article.id.in_(ids))
        .options(joinedload(Article.author), joinedload(Article.lead_media), selectinload(Article.tags), raiseload("*"))
        .order_by(*newest_first)
    )


def get_author(slug: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.slug == slug)).one_or_none()


def get_tag(slug: str) -> Tag | None:
    return db.session.scalars(sa.select(Tag).where(Tag.slug == slug)).one_or_none()
