"""Markdown rendering and HTML sanitising: the only module that imports bleach or markdown-it.

Every piece of user-written text (article bodies, bios, comments) is stored twice: the source as
typed and the HTML produced here. Templates may mark only that stored HTML safe.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Mapping, MutableMapping
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

from blog.core import placement

PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_PROTOCOLS = frozenset({"http", "https"})
UGC_REL = "nofollow ugc noopener"

COMMENT_TAGS = frozenset({"p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li"})
BIO_TAGS = COMMENT_TAGS
ARTICLE_TAGS = COMMENT_TAGS | frozenset(
    {
        "h2",
        "h3",
        "h4",
        "hr",
        "del",
        "s",
        "sub",
        "sup",
        "img",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "abbr",
        "cite",
        "q",
        "small",
        "mark",
    }
)
_LINK_ATTRS = {"a": ["href", "title"]}
ARTICLE_ATTRS = {
    **_LINK_ATTRS,
    "img": ["src", "alt", "title", "width", "height"],
    "abbr": ["title"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
}

# Elements whose *content* must go too, not only the tags (bleach's strip keeps inner text).
_DANGEROUS_BLOCKS = re.compile(
    r"<(script|style|iframe|object|embed|noscript|template|svg|math|textarea|select|xmp|noembed|noframes)\b"
    r"[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)


_URL_ATTRS = frozenset({"href", "src"})
_IGNORED_IN_URLS = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")  # browsers skip these; bleach strips them too
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def url_scheme_allowed(value: str) -> bool:
    """False for a URL whose scheme is not in ``PROTOCOLS``: also "javascript:123", which bleach lets
    through because it reads the digits as a port of a host named "javascript"."""
    scheme = _SCHEME.match(_IGNORED_IN_URLS.sub("", html.unescape(value)).lower())
    return scheme is None or scheme.group(1) in PROTOCOLS


# Our own stored pictures (services.media): /media/<sha256>.webp, on this site or on the media origin.
_MEDIA_PATH = r"/media/[0-9a-f]{64}\.webp"


def own_media_pattern(media_origin: str | None = None) -> re.Pattern[str]:
    """Image addresses an article may show: this site's ``/media/…`` files, also on ``media_origin`` (a CDN)."""
    origin = (media_origin or "").rstrip("/")
    return re.compile(f"(?:{re.escape(origin)})?{_MEDIA_PATH}" if origin else _MEDIA_PATH)


def _attribute_filter(
    allowed: Mapping[str, list[str]], images: re.Pattern[str] | None = None
) -> Callable[[str, str, str], bool]:
    """bleach's ``attributes`` as a callable: the allowlist, URLs only with an allowed scheme, and an image's
    ``src`` only when ``images`` matches it (our own media: the CSP would block any other anyway)."""

    def allow(tag: str, name: str, value: str) -> bool:
        if tag == "img" and name == "src":
            return images is not None and images.fullmatch(value.strip()) is not None
        return name in allowed.get(tag, ()) and (name not in _URL_ATTRS or url_scheme_allowed(value))

    return allow


# An <img> left without a src (another site's picture): dropped, as the browser could show nothing.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_IMG = re.compile(r"<img\s")


# What linkify's callbacks get: the link's attributes by (namespace, name), and its text under "_text"; a callback
# that returns None drops the link (its text stays). bleach's stubs have neither the "_text" key nor the None.
_LinkAttrs = MutableMapping[tuple[str | None, str] | str, str]
_LinkCallback = Callable[[_LinkAttrs, bool], _LinkAttrs | None]


def _set_rel(rel: str, attrs: _LinkAttrs, new: bool = False) -> _LinkAttrs:
    href_key = (None, "href")
    href = attrs.get(href_key, "")
    if href.startswith(("http:", "https:")):
        attrs[(None, "rel")] = rel
    return attrs


def _only_web_links(attrs: _LinkAttrs, new: bool = False) -> _LinkAttrs | None:
    """Linkify turns bare http(s) URLs into links, nothing else (no bare domains, no mailto)."""
    if new and not attrs.get("_text", "").lower().startswith(("http://", "https://")):
        return None
    return attrs


def _markdown(*, raw_html: bool, rich: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "breaks": not rich})
    if rich:
        md.enable(["table", "strikethrough"])
    else:  # Markdown-lite: paragraphs, emphasis, code, quotes, lists, links
        md.disable(["heading", "lheading", "image", "hr", "html_block", "html_inline"])
    return md


def _cleaner(
    tags: frozenset[str], attrs: dict[str, list[str]], rel: str, images: re.Pattern[str] | None = None
) -> bleach.Cleaner:
    callbacks: list[_LinkCallback] = [_only_web_links, partial(_set_rel, rel)]
    return bleach.Cleaner(
        tags=tags,
        attributes=_attribute_filter(attrs, images),
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=callbacks,  # type: ignore[arg-type]  # see _LinkAttrs: the stubs lack "_text" and None
                skip_tags={"pre", "code"},
                parse_email=False,
            )
        ],
    )


_COMMENT_MD = _markdown(raw_html=False, rich=False)
_ARTICLE_MD = _markdown(raw_html=True, rich=True)
_CLEANERS = {
    "comment": (COMMENT_TAGS, _LINK_ATTRS, UGC_REL),
    "bio": (BIO_TAGS, _LINK_ATTRS, "noopener"),
    "article": (ARTICLE_TAGS, ARTICLE_ATTRS, "noopener"),
}
_per_thread = threading.local()


def _cleaner_for(kind: str, media_origin: str | None = None) -> bleach.Cleaner:
    """This thread's cleaner. bleach's Cleaner keeps parser state ("not thread-safe ... Create a separate
    cleaner per thread!"), and gunicorn's gthread workers sanitise in several threads at once."""
    cleaners: dict[tuple[str, str | None], bleach.Cleaner] = _per_thread.__dict__.setdefault("cleaners", {})
    key = (kind, media_origin if kind == "article" else None)
    if key not in cleaners:
        images = own_media_pattern(media_origin) if kind == "article" else None
        cleaners[key] = _cleaner(*_CLEANERS[kind], images=images)
    return cleaners[key]


def _clean(text: str, md: MarkdownIt, kind: str, media_origin: str | None = None) -> str:
    text = text.replace("\x00", "")
    html = md.render(text)
    html = _DANGEROUS_BLOCKS.sub("", html)
    return _cleaner_for(kind, media_origin).clean(html).strip()


# One line of words and plain punctuation (no Markdown or HTML mark, nothing a linkifier could take for an address:
# a full stop only before a space or at the end, no colon, slash or @; single spaces), starting with a letter
# (not a list number): the pipeline's output is then the text in one paragraph. tests/unit/test_sanitize.py checks this
# shortcut against the pipeline on generated text.
_PLAIN_CHAR = r"(?:[^\W_]|[,;?!'()\-]|\.(?= |$))"
_PLAIN_LINE = re.compile(rf"[^\W\d_]{_PLAIN_CHAR}*(?: {_PLAIN_CHAR}+)*")


def render_comment(source: str) -> str:
    """Markdown-lite (no raw HTML) -> small allowlist -> linkify with rel="nofollow ugc noopener"."""
    if _PLAIN_LINE.fullmatch(source):  # the common case, in bulk imports: the same result without the parse
        return f"<p>{source}</p>"
    return _clean(source, _COMMENT_MD, "comment")


def render_bio(source: str) -> str:
    """An author's bio: the comment allowlist, raw HTML off, links without nofollow."""
    return _clean(source, _COMMENT_MD, "bio")


def render_correction(source: str) -> str:
    """An editor's correction note: the bio's allowlist (paragraphs, emphasis, links, lists), raw HTML off."""
    return _clean(source, _COMMENT_MD, "bio")


def render_article(source: str, media_origin: str | None = None) -> str:
    """An article body: Markdown with headings, images and tables; raw HTML is allowed in and sanitised.

    Images only from our media library (``/media/<key>.webp``, here or on ``media_origin``): any other is
    dropped (the CSP allows no other). They load lazily: the lead image, at the top, is not part of the body.
    A ``[keep-reading]`` line (where the editor puts Keep Reading) is stored as ``placement.MARKER``."""
    html = _IMG_WITHOUT_SRC.sub("", _clean(placement.isolate(source), _ARTICLE_MD, "article", media_origin))
    return placement.mark(_IMG.sub('<img loading="lazy" decoding="async" ', html))
