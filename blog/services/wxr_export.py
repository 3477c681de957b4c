"""Exporting the site as WordPress eXtended RSS 1.2, the way WordPress 6's Tools → Export writes it
(``wp-admin/includes/export.php``): the channel, ``wp:author``s, ``wp:category`` and ``wp:tag`` terms, then one
``<item>`` per article with its ``category`` elements and its ``wp:comment``s, text in CDATA sections.

What differs from WordPress, on purpose: every comment is written whatever its status (WordPress leaves spam
out; we keep it so that a round trip keeps every status), the IP address is empty (we only ever stored a keyed
hash of it), and an author's bio goes in ``wp:author_description`` (WordPress's importer ignores it; ours reads
it). Article bodies and comments are written as their sanitised HTML, which is what WordPress stores.

Streams: articles are read a page at a time and each article's comments by id, so memory does not grow with the
site. ``write(out)`` writes text to any file-like object; ``chunks()`` yields it (the admin download).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from blog.extensions import db
from blog.links import site_url
from blog.models import Article, ArticleStatus, Comment, CommentStatus, Tag, User
from blog.orm import utcnow
from blog.services.site import get_settings

WXR_VERSION = "1.2"
PAGE = 200  # articles read at a time
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0, even in CDATA
_ZERO_DATE = "0000-00-00 00:00:00"
_APPROVED = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.TRASH: "trash",
}


def cdata(text: str | None) -> str:
    """WordPress's ``wxr_cdata``: a CDATA section, its end marker split so that text holding "]]>" survives."""
    return "<![CDATA[" + _XML_INVALID.sub("", text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _escape(text: str) -> str:
    return _XML_INVALID.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mysql(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else _ZERO_DATE


def _wp_status(article: Article, now: datetime) -> str:
    if article.status is ArticleStatus.PUBLISHED:
        return "future" if article.published_at and article.published_at > now else "publish"
    return "pending" if article.status is ArticleStatus.REVIEW else "draft"


def chunks() -> Iterator[str]:
    """The export, a piece at a time (an author, an article with its comments, …)."""
    base = site_url().rstrip("/")
    now = utcnow()
    settings = get_settings()
    yield (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- This is a WordPress eXtended RSS file generated as an export of your site. -->\n"
        "<!-- It contains information about your site's posts, comments, categories and tags. -->\n"
        "<!-- You may use this file to transfer that content from one site to another. -->\n"
        "<!-- This file is not intended to serve as a complete backup of your site. -->\n\n"
        '<rss version="2.0"\n'
        f'\txmlns:excerpt="http://wordpress.org/export/{WXR_VERSION}/excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="http://wordpress.org/export/{WXR_VERSION}/"\n'
        ">\n\n<channel>\n"
        f"\t<title>{_escape(settings.site_title or '')}</title>\n"
        f"\t<link>{_escape(base)}</link>\n"
        f"\t<description>{_escape(settings.site_tagline or '')}</description>\n"
        f"\t<pubDate>{now:%a, %d %b %Y %H:%M:%S} +0000</pubDate>\n"
        "\t<language>en</language>\n"
        f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{_escape(base)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{_escape(base)}</wp:base_blog_url>\n\n"
    )
    authors = db.session.scalars(
        sa.select(User).where(sa.exists().where(Article.author_id == User.id)).order_by(User.id)
    )
    for user in authors:
        yield (
            f"\t<wp:author><wp:author_id>{user.id}</wp:author_id>"
            f"<wp:author_login>{cdata(user.slug)}</wp:author_login>"
            f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(user.display_name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata('')}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata('')}</wp:author_last_name>"
            f"<wp:author_description>{cdata(user.bio_markdown)}</wp:author_description>"
            "</wp:author>\n"
        )
    sections = set(db.session.scalars(sa.select(Article.section_tag_id).where(Article.section_tag_id.is_not(None))))
    for tag in db.session.scalars(sa.select(Tag).order_by(Tag.id)):
        if tag.id in sections:
            yield (
                f"\t<wp:category>\n\t\t<wp:term_id>{tag.id}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{cdata(tag.slug)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata('')}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(tag.name)}</wp:cat_name>\n\t</wp:category>\n"
            )
        yield (
            f"\t<wp:tag>\n\t\t<wp:term_id>{tag.id}</wp:term_id>\n\t\t<wp:tag_slug>{cdata(tag.slug)}</wp:tag_slug>\n"
            f"\t\t<wp:tag_name>{cdata(tag.name)}</wp:tag_name>\n\t</wp:tag>\n"
        )
    yield "\n"
    after = 0
    while True:
        page = db.session.scalars(
            sa.select(Article)
            .where(Article.id > after)
            .order_by(Article.id)
            .limit(PAGE)
            .options(selectinload(Article.tags), selectinload(Article.author))
        ).all()
        if not page:
            break
        for article in page:
            yield _item(article, base, now)
            yield from _comments(article.id)
            yield "\t</item>\n"
        after = page[-1].id
        for article in page:  # keep memory flat: these are not needed again (tags and authors are few)
            db.session.expunge(article)
    yield "</channel>\n</rss>\n"


def _item(article: Article, base: str, now: datetime) -> str:
    status = _wp_status(article, now)
    published = article.published_at
    gmt = _mysql(published) if status in ("publish", "future") else _ZERO_DATE
    local = _mysql(published or article.created_at)
    section = article.section
    terms = "".join(
        f'\t\t<category domain="category" nicename="{_escape(tag.slug)}">{cdata(tag.name)}</category>\n'
        for tag in ([section] if section else [])
    ) + "".join(
        f'\t\t<category domain="post_tag" nicename="{_escape(tag.slug)}">{cdata(tag.name)}</category>\n'
        for tag in article.tags
        if tag is not section
    )
    pub = f"{published:%a, %d %b %Y %H:%M:%S} +0000" if published else ""
    return (
        "\t<item>\n"
        f"\t\t<title>{cdata(article.title)}</title>\n"
        f"\t\t<link>{_escape(base)}/articles/{_escape(article.slug)}</link>\n"
        f"\t\t<pubDate>{pub}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(article.author.slug)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{_escape(article.wp_guid or f"{base}/?p={article.id}")}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(article.body_html)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata(article.summary)}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{article.id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(local)}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(_mysql(article.updated_at))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(_mysql(article.updated_at))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata('open' if article.comments_open else 'closed')}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(article.slug)}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n" + terms
    )


_COMMENT_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.author_name,
    Comment.author_email,
    Comment.author_website,
    Comment.created_at,
    Comment.body_html,
    Comment.status,
)


def _comments(article_id: int) -> Iterator[str]:
    after = 0
    while True:  # a page of comments at a time, by id (no server-side cursor: the download streams them)
        page = db.session.execute(
            sa.select(*_COMMENT_COLUMNS)
            .where(Comment.article_id == article_id, Comment.id > after)
            .order_by(Comment.id)
            .limit(1000)
        ).all()
        if not page:
            return
        after = page[-1].id
        yield "".join(_comment(c) for c in page)


def _comment(c: Any) -> str:
    stamp = cdata(_mysql(c.created_at))
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{c.id}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(c.author_name)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(c.author_email)}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{_escape(c.author_website)}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata('')}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{stamp}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{stamp}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(c.body_html)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{cdata(_APPROVED[c.status])}</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{c.parent_id or 0}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        "\t\t</wp:comment>\n"
    )


def write(out: TextIO) -> None:
    out.writelines(chunks())
