"""The API's request and response shapes (pydantic): the allowlists of what each audience sees, and the source of
the OpenAPI document. Public shapes have no email field and no hash of one (docs/architecture.md, "Privacy")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blog.inputs import parse_cursor

ROW_ID_MAX = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
MAX_PAGE = 10_000  # as Defaults.MAX_PAGE: ?page= beyond is refused, never an expensive OFFSET


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors -------------------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="The request field (or query parameter) at fault.")
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = Field(description='A URI naming the kind of problem; "about:blank" for a plain HTTP status.')
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    errors: list[FieldError] | None = Field(None, description="What was wrong with which field.")


# --- query strings ------------------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="The page, from 1.")


# 1 to 2147483647: ids are 32-bit INTEGER columns on PostgreSQL
INT32_PATTERN = (
    r"([1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}"
    r"|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])"
)
# A comment's position: its time (ISO 8601, with offset) and id. The server checks the date itself as well.
CURSOR_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"[+-]([01][0-9]|2[0-3]):[0-5][0-9]~" + INT32_PATTERN + "$"
)


class CommentsQuery(Schema):
    after: str | None = Field(
        None,
        description="A cursor: the `next_cursor` of the previous page. Absent for the first page.",
        examples=["2026-11-01T12:00:00+00:00~17"],
        pattern=CURSOR_PATTERN,
    )
    order: Literal["oldest", "newest"] = Field("oldest", description="Top-level comments oldest or newest first.")

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value is not None and parse_cursor(value) is None:
            raise ValueError("not a cursor this API gave out (use a page's next_cursor)")
        return value


# --- public reads -------------------------------------------------------------------------------------------


class TagOut(Schema):
    slug: str
    name: str
    url: str = Field(description="The tag's page on the site.")
    api_url: str = Field(description="The tag's articles in this API.")


class AuthorRef(Schema):
    slug: str
    name: str
    url: str = Field(description="The author's page on the site.")
    api_url: str


class AuthorBio(AuthorRef):
    bio_html: str = Field(description="Sanitised HTML.")


class AuthorOut(AuthorBio):
    website: str


class ArticleSummary(Schema):
    slug: str
    title: str
    summary: str
    published_at: datetime
    author: AuthorRef
    tags: list[TagOut]
    comment_count: int = Field(description="Approved comments.")
    url: str = Field(description="The article's page on the site.")
    api_url: str


class Paging(Schema):
    page: int
    per_page: int
    total: int = Field(description="Items counted; a lower bound when `total_exact` is false.")
    total_exact: bool
    next: str | None = Field(description="The next page's address, or null on the last page.")


class ArticleList(Schema):
    items: list[ArticleSummary]
    paging: Paging


class AuthorList(Schema):
    items: list[AuthorOut]
    paging: Paging


class TagList(Schema):
    items: list[TagOut]
    paging: Paging


class ReadingLinkOut(Schema):
    title: str
    url: str = Field(description="An article of ours (its page's path) or an outside address.")
    article_slug: str | None = Field(description="Set when the link is to one of our articles.")


class CommentOut(Schema):
    """A published comment. Threading: ``parent_id`` and ``depth``; a page lists each top-level comment followed
    by its replies, depth first, as the article page shows them."""

    id: int
    parent_id: int | None
    depth: int = Field(description="0 for a top-level comment.")
    author_name: str
    author_website: str
    avatar_initials: str
    body_html: str = Field(description="Sanitised HTML.")
    created_at: datetime
    edited_at: datetime | None
    badge: str = Field(description='"Author", "Staff" or "".')


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last page.")
    next: str | None = Field(description="The next page's address, or null on the last page.")


class ArticleDetail(ArticleSummary):
    body_html: str = Field(description="Sanitised HTML.")
    updated_at: datetime | None = Field(description="The last change to its text after publication, if any.")
    author: AuthorBio  # the detail has the author's bio
    section: TagOut | None
    keep_reading: list[ReadingLinkOut]
    comments_open: bool
    comment_form_token: str | None = Field(
        description="Send back as `ts` with a new comment (it proves the form was fetched first); null when "
        "comments are closed."
    )
    comments: CommentPage = Field(description="The first page of approved comments.")


# --- comment submission -------------------------------------------------------------------------------------


class CommentIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    email: str = Field(min_length=1, max_length=254, description="Never published.")
    website: str = Field("", max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    parent_id: int | None = Field(None, ge=1, le=ROW_ID_MAX, description="The approved comment this one replies to.")
    ts: str = Field(description="The article's `comment_form_token`.")
    notify: bool = Field(False, description="Mail me replies (confirmed by mail first).")
    url: str = Field("", description="Leave empty (a trap for robots).")


class CommentAccepted(Schema):
    id: int
    status: Literal["approved", "pending"] = Field(
        description="Approved comments are published; pending ones await moderation."
    )
    comment: CommentOut | None = Field(description="The published comment, when approved.")


# --- the staff API (bearer tokens) ----------------------------------------------------------------------------

CommentStatusName = Literal["pending", "approved", "spam", "trash"]


class QueueQuery(Schema):
    status: CommentStatusName = Field("pending", description="The desk's tab.")
    before: str | None = Field(
        None, description="A cursor: the `next_cursor` of the previous page (older comments).", pattern=CURSOR_PATTERN
    )


class StaffComment(Schema):
    """A comment as the moderation desk sees it: with the commenter's email address (staff only)."""

    id: int
    article_slug: str
    article_title: str
    parent_id: int | None
    status: CommentStatusName
    author_name: str
    author_email: str
    author_website: str
    body_text: str
    body_html: str
    created_at: datetime
    moderation_reasons: list[str]


class QueueCounts(Schema):
    pending: int
    approved: int
    spam: int
    trash: int


class ModerationQueue(Schema):
    items: list[StaffComment]
    counts: QueueCounts = Field(description='Comments per status (capped at 1000: more means "1000+").')
    next_cursor: str | None
    next: str | None


class ModerationResult(Schema):
    id: int
    action: str
    status: CommentStatusName | None = Field(description="The comment's status now; null once deleted.")
    changed: bool = Field(
        description="False when the comment already was where the action leads (a repeated request, or another "
        "editor's work): actions are idempotent, nothing is recorded twice."
    )


class StaffArticle(Schema):
    id: int
    slug: str
    title: str
    summary: str
    status: Literal["draft", "review", "published"] = Field(description="Published with a time to come: scheduled.")
    author_slug: str
    author_name: str
    published_at: datetime | None
    updated_at: datetime
    comments_open: bool
    url: str | None = Field(description="Its public page, once published.")
    api_url: str


class StaffArticleList(Schema):
    items: list[StaffArticle]
    paging: Paging


class StaffArticleDetail(StaffArticle):
    body: str = Field(description="The Markdown source.")
    tags: list[str]


class ArticleIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    slug: str = Field("", max_length=200, description="Empty: made from the title.")
    summary: str = Field("", max_length=500)
    body: str = Field("", max_length=200_000, description="Markdown.")
    tags: list[str] = Field(default_factory=list, max_length=30)
    section: str = Field("", max_length=80, description="One of its tags, shown above the headline.")
    comments_open: bool = True
    author_id: int | None = Field(None, ge=1, le=ROW_ID_MAX, description="Editors only: whose byline.")


class PublishIn(Schema):
    at: datetime | None = Field(None, description="A time to come schedules it; absent publishes it now.")


class SendBackIn(Schema):
    note: str = Field(
        min_length=1, max_length=2000, pattern=r"\S", description="What the author should change; mailed to them."
    )
