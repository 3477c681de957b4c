"""WordPress eXtended RSS (WXR 1.0–1.2), read as a stream: what WordPress's Tools → Export writes.

``check(path)`` reads the whole file once without keeping it (constant memory) and raises ``WxrError`` with the
line and column when it is not well-formed, declares a DOCTYPE (entities: the XML bomb and the external
entity both need one; WordPress never writes one), or is not a WXR file. ``read(path)`` then yields, in file
order: one ``Site``, the ``Author``s, and for each ``<item>`` a ``Post`` followed by its ``Comment``s. Each
element is dropped once read, so a 1 GB file costs what one item costs (and a post with 100,000 comments what
one comment costs). ``post_status``, ``comment_status``, ``html_to_text`` and ``permalink_paths`` are the
rules that turn WordPress's values into ours: pure, so they are unit-tested alone.

lxml parses with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False`` and without
``huge_tree``: libxml2's own limits (text node size, depth) stay on.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # lxml (4 MiB) is imported by the first file a process reads: web workers never do
    from lxml import etree

WP_NS_PREFIX = "http://wordpress.org/export/"
_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WxrError(ValueError):
    """The file cannot be imported; ``line`` and ``column`` say where, when the XML itself is at fault."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)
        self.line, self.column = line, column


@dataclass(frozen=True)
class Site:
    title: str = ""
    link: str = ""
    description: str = ""
    wxr_version: str = ""
    base_site_url: str = ""


@dataclass(frozen=True)
class Author:
    wp_id: int | None
    login: str
    email: str
    display_name: str
    first_name: str = ""
    last_name: str = ""
    description: str = ""


@dataclass(frozen=True)
class Post:
    wp_id: int
    guid: str
    link: str
    title: str
    slug: str
    content: str
    excerpt: str
    creator: str
    date_gmt: datetime | None  # None: WordPress's "0000-00-00 00:00:00" (drafts)
    date_local: datetime | None  # the site's local time, naive: only when there is no GMT date
    status: str
    post_type: str
    comment_status: str
    categories: tuple[tuple[str, str], ...] = ()  # (slug, name), in file order
    tags: tuple[tuple[str, str], ...] = ()
    attachment_url: str = ""


@dataclass(frozen=True)
class Comment:
    wp_id: int
    post_wp_id: int
    author: str
    email: str
    url: str
    ip: str
    date_gmt: datetime | None
    date_local: datetime | None
    content: str
    approved: str
    comment_type: str
    parent: int  # 0: top level
    user_id: int


Record = Site | Author | Post | Comment

_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _short(tag: Any, cache: dict[Any, str]) -> str:
    """``{http://wordpress.org/export/1.2/}post_id`` → ``wp:post_id``; RSS's own elements keep their name."""
    found = cache.get(tag)
    if found is not None:
        return found
    if not isinstance(tag, str):
        name = ""
    elif tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        if uri.startswith(WP_NS_PREFIX):
            name = ("excerpt:" if uri.rstrip("/").endswith("excerpt") else "wp:") + local
        else:
            name = f"{_NAMESPACES.get(uri, uri)}:{local}"
    else:
        name = tag
    cache[tag] = name
    return name


def _syntax_error(error: etree.XMLSyntaxError) -> WxrError:
    line, column = error.position if error.position else (error.lineno, 0)
    message = str(error.msg or error).split(", line ")[0]
    return WxrError(f"The file is not well-formed XML: {message}", line, column)


# The elements whose end we act on: lxml skips the rest in C (a comment's dozen fields cost no Python event).
_READ = ("item", "{*}comment", "{*}author", "{*}wxr_version", "{*}base_site_url", "title", "link", "description")


def _elements(source: BinaryIO, tags: tuple[str, ...]) -> Iterator[Any]:
    """The ends of ``tags``' elements, parsed with the safe options; a DOCTYPE or another root is refused at the
    first one."""
    from lxml import etree

    context = etree.iterparse(source, events=("end",), tag=tags, **_OPTIONS)
    first = True
    try:
        for _, element in context:
            if first:
                first = False
                tree = element.getroottree()
                if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
                    raise WxrError(
                        "The file declares a DOCTYPE (entities): WordPress never writes one, and entities can "
                        "expand into an XML bomb or read other files. Refused.",
                        *_doctype_position(source),
                    )
                root = tree.getroot().tag
                if root != "rss":
                    raise WxrError(f"This is not a WordPress export: its root element is <{root}>, not <rss>.")
            yield element
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None
    root = context.root
    if first and root is not None and root.tag != "rss":  # none of the elements we look for: say what it is
        raise WxrError(f"This is not a WordPress export: its root element is <{root.tag}>, not <rss>.")


def _doctype_position(source: BinaryIO) -> tuple[int, int]:
    """Line and column (from 1) of "<!DOCTYPE" in the file's first 64 KiB (where a prolog is); column 0 when it is
    not there."""
    try:
        source.seek(0)
        head = source.read(65536)
    except (AttributeError, OSError):
        return 1, 0
    at = head.find(b"<!DOCTYPE")
    if at < 0:
        return 1, 0  # column 0: not found in the head
    line = head.count(b"\n", 0, at) + 1
    return line, at - (head.rfind(b"\n", 0, at) + 1) + 1


class _Discard:
    """A parser target that keeps nothing: lxml then parses in C alone (no tree, no Python call per element)."""

    def __init__(self) -> None:
        self.declared = False  # a DOCTYPE

    def doctype(self, name: str, public_id: str | None, system_url: str | None) -> None:
        self.declared = True

    def close(self) -> None:
        return None


def check(source: str | BinaryIO) -> None:
    """Read the whole file once, keeping nothing; raise ``WxrError`` (with the line and column) unless it is
    well-formed XML without a DOCTYPE. ``read`` refuses what is not WXR (the root, ``wp:wxr_version``) before it
    yields the first author or post."""
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return check(handle)
    doctype_refused = WxrError(
        "The file declares a DOCTYPE (entities): WordPress never writes one, and entities can expand into an "
        "XML bomb or read other files. Refused.",
        *_doctype_position(source),
    )
    if doctype_refused.column != 0:  # found in the prolog: refused before parsing
        raise doctype_refused
    from lxml import etree

    source.seek(0)
    target = _Discard()
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        while chunk := source.read(1 << 20):
            parser.feed(chunk)
            if target.declared:
                break
        parser.close()
    except etree.XMLSyntaxError as error:
        if target.declared or "Entity" in str(error):
            raise doctype_refused from None
        raise _syntax_error(error) from None
    if target.declared:
        raise doctype_refused
    return None


def _checked_site(channel: dict[str, str]) -> Site:
    version = channel.get("wp:wxr_version")
    if version is None:
        raise WxrError("This is RSS but not a WordPress export: it has no <wp:wxr_version>.")
    if version not in ("1.0", "1.1", "1.2"):
        raise WxrError(f"WXR version {version!r} is not one we read (1.0, 1.1 or 1.2).")
    return _site(channel)


def _int(text: str | None) -> int:
    try:
        return int((text or "0").strip() or 0)
    except ValueError:
        return 0


def _mysql_date(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.fromisoformat(text)  # "2024-05-14 09:30:00"; much faster than strptime
    except ValueError:
        return None


def _rfc822(text: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime((text or "").strip()).astimezone(UTC).replace(tzinfo=None)
    except (TypeError, ValueError, IndexError):
        return None


def read(source: str | BinaryIO) -> Iterator[Record]:
    """The file's records in order (call ``check`` first: this stops at the first error, after yielding)."""
    if isinstance(source, str):
        with open(source, "rb") as handle:
            yield from read(handle)
        return
    cache: dict[Any, str] = {}
    channel: dict[str, str] = {}
    site_sent = False
    post: Post | None = None  # the item whose comments are being read
    for element in _elements(source, _READ):
        name = _short(element.tag, cache)
        if name == "wp:comment":
            if post is None:
                if not site_sent:
                    site_sent = True
                    yield _checked_site(channel)
                post = _post(element.getparent(), cache)
                yield post
            yield _comment(element, cache, post.wp_id)
            _drop(element)  # and the item's fields before it: the post has them
        elif name == "item":
            if post is None:
                if not site_sent:
                    site_sent = True
                    yield _checked_site(channel)
                yield _post(element, cache)
            post = None
            _drop(element)
        elif name == "wp:author":
            if not site_sent:
                site_sent = True
                yield _checked_site(channel)
            yield _author(element, cache)
            _drop(element)
        else:
            parent = element.getparent()
            if parent is not None and _short(parent.tag, cache) == "channel":
                channel[name] = (element.text or "").strip()
    if not site_sent:
        yield _checked_site(channel)


def _drop(element: Any) -> None:
    """Free what was read: the element's content and every sibling before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _site(channel: dict[str, str]) -> Site:
    return Site(
        title=channel.get("title", ""),
        link=channel.get("link", ""),
        description=channel.get("description", ""),
        wxr_version=channel.get("wp:wxr_version", ""),
        base_site_url=channel.get("wp:base_site_url", ""),
    )


def _children(element: Any, cache: dict[Any, str]) -> dict[str, str]:
    return {_short(child.tag, cache): child.text or "" for child in element}


def _author(element: Any, cache: dict[Any, str]) -> Author:
    f = _children(element, cache)
    login = f.get("wp:author_login", "").strip()
    return Author(
        wp_id=_int(f.get("wp:author_id")) or None,
        login=login,
        email=f.get("wp:author_email", "").strip(),
        display_name=f.get("wp:author_display_name", "").strip() or login,
        first_name=f.get("wp:author_first_name", "").strip(),
        last_name=f.get("wp:author_last_name", "").strip(),
        description=f.get("wp:author_description", "").strip(),
    )


def _post(item: Any, cache: dict[Any, str]) -> Post:
    f: dict[str, str] = {}
    categories: list[tuple[str, str]] = []
    tags: list[tuple[str, str]] = []
    for child in item:
        name = _short(child.tag, cache)
        if name == "category":
            pair = (unquote(child.get("nicename") or ""), (child.text or "").strip())
            domain = child.get("domain") or "category"
            if domain == "post_tag":
                tags.append(pair)
            elif domain == "category":
                categories.append(pair)
        elif name != "wp:comment":
            f[name] = child.text or ""
    return Post(
        wp_id=_int(f.get("wp:post_id")),
        guid=f.get("guid", "").strip(),
        link=f.get("link", "").strip(),
        title=f.get("title", "").strip(),
        slug=unquote(f.get("wp:post_name", "").strip()),
        content=f.get("content:encoded", ""),
        excerpt=f.get("excerpt:encoded", ""),
        creator=f.get("dc:creator", "").strip(),
        date_gmt=_mysql_date(f.get("wp:post_date_gmt")),
        date_local=_mysql_date(f.get("wp:post_date")) or _rfc822(f.get("pubDate")),
        status=f.get("wp:status", "").strip() or "publish",
        post_type=f.get("wp:post_type", "").strip() or "post",
        comment_status=f.get("wp:comment_status", "").strip() or "open",
        categories=tuple(categories),
        tags=tuple(tags),
        attachment_url=f.get("wp:attachment_url", "").strip(),
    )


def _comment(element: Any, cache: dict[Any, str], post_wp_id: int) -> Comment:
    f = _children(element, cache)
    return Comment(
        wp_id=_int(f.get("wp:comment_id")),
        post_wp_id=post_wp_id,
        author=f.get("wp:comment_author", "").strip(),
        email=f.get("wp:comment_author_email", "").strip(),
        url=f.get("wp:comment_author_url", "").strip(),
        ip=f.get("wp:comment_author_IP", "").strip(),
        date_gmt=_mysql_date(f.get("wp:comment_date_gmt")),
        date_local=_mysql_date(f.get("wp:comment_date")),
        content=f.get("wp:comment_content", ""),
        approved=f.get("wp:comment_approved", "").strip(),
        comment_type=f.get("wp:comment_type", "").strip(),
        parent=_int(f.get("wp:comment_parent")),
        user_id=_int(f.get("wp:comment_user_id")),
    )


# --- WordPress's values → ours ---------------------------------------------------------------------------------

# post status → (our status, note for the summary); None: skipped
POST_STATUSES: dict[str, str | None] = {
    "publish": "published",
    "future": "scheduled",
    "pending": "review",
    "draft": "draft",
    "private": "draft",  # we have no private articles: a draft, and the summary says so
    "auto-draft": None,
    "inherit": None,
    "trash": None,
}

COMMENT_STATUSES = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash", "post-trashed": "trash"}
SKIPPED_COMMENT_TYPES = {"pingback": "pingback", "trackback": "trackback"}


def post_status(status: str) -> str | None:
    """Our status for a WordPress post status ("scheduled" is published with a date still to come); None for
    the ones that are not content (auto-drafts, revisions, WordPress's trash); an unknown one is a draft."""
    return POST_STATUSES.get(status, "draft")


def comment_status(approved: str) -> str:
    return COMMENT_STATUSES.get(approved.strip().lower(), "pending")


def utc(date_gmt: datetime | None, date_local: datetime | None) -> datetime | None:
    """An aware UTC time: WordPress's GMT column, else its local one (the site's zone is not in the file)."""
    chosen = date_gmt or date_local
    return chosen.replace(tzinfo=UTC) if chosen else None


_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a\s*>""", re.IGNORECASE | re.DOTALL)
_INLINE = [
    (re.compile(r"</?(?:strong|b)(?:\s[^>]*)?>", re.IGNORECASE), "**"),
    (re.compile(r"</?(?:em|i)(?:\s[^>]*)?>", re.IGNORECASE), "*"),
    (re.compile(r"</?code(?:\s[^>]*)?>", re.IGNORECASE), "`"),
]
_BREAK = re.compile(r"<br\s*/?>\s*", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|div|blockquote|li)\s*>\s*", re.IGNORECASE)


def html_to_text(source: str) -> str:
    """A WordPress comment's HTML as our comments' Markdown-lite source (links, emphasis, code and paragraphs
    kept; other tags dropped, entities decoded). Text without tags comes back as it was, so our own export
    re-imports unchanged."""
    if "<" not in source and "&" not in source:
        return source.strip()
    text = _LINK.sub(lambda m: f"[{_TAG.sub('', m.group(2))}]({m.group(1)})", source)
    for pattern, mark in _INLINE:
        text = pattern.sub(mark, text)
    text = _BREAK.sub("\n", text)
    text = _BLOCK_END.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_tags(source: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", source)).split())


def permalink_paths(post: Post) -> list[str]:
    """The addresses a WordPress post was known by, as paths of this site: its ``<link>`` (with a query, as
    ``/?p=ID``), ``/?p=ID``, ``/YYYY/MM/slug/`` and ``/slug/`` (the common permalink settings), unquoted."""
    paths: list[str] = []
    if post.link:
        parts = urlsplit(post.link)
        path = unquote(parts.path) or "/"
        paths.append(path + (f"?{parts.query}" if parts.query else ""))
    if post.wp_id:
        paths.append(f"/?p={post.wp_id}")
    when = post.date_local or post.date_gmt  # WordPress dates its permalinks in the site's zone
    if post.slug:
        if when is not None:
            paths.append(f"/{when:%Y/%m}/{post.slug}/")
        paths.append(f"/{post.slug}/")
    unique = []
    for p in paths:
        if p not in unique and p != "/" and len(p) <= 500:
            unique.append(p)
    return unique


@dataclass
class Counter:
    """Counts by key, in first-seen order (the summary table)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n
