import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from blog.core import sanitize
from blog.core.sanitize import render_comment
from tests.helpers import dangerous_markup, fragment

DANGEROUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zy8+">',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name=a></form>',
    '<p onclick="alert(1)" onmouseover="alert(2)">hover</p>',
    "<scr<script>ipt>alert(1)</script>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "[click](javascript:alert(1))",
    "![img](javascript:alert(1))",
    # bleach reads "javascript:123" as host "javascript", port 123, and lets it through on its own
    '<a href="javascript:123">x</a>',
    '<a href="vbscript:1">x</a>',
    '<a href="JavaScript:0">x</a>',
    '<a href="java&#x09;script:1">x</a>',
    '<a href=" javascript:1">x</a>',
    '<img src="javascript:1">',
    "[x](javascript:123)",
    "<javascript:123>",
]


@pytest.mark.parametrize("render", [sanitize.render_article, sanitize.render_bio, sanitize.render_comment])
@pytest.mark.parametrize("vector", DANGEROUS)
def test_dangerous_markup_is_removed(render, vector):
    out = render(vector)
    assert dangerous_markup(fragment(out)) == [], out
    assert "alert(1)</script" not in out.lower()


@pytest.mark.parametrize(
    "vector", ["<script>alert(1)</script>after", "<style>p{}</style>after", "<iframe>x</iframe>after"]
)
def test_article_drops_the_content_of_script_style_and_iframe(vector):
    assert sanitize.render_article(vector) == "after"


def test_article_keeps_structure():
    out = sanitize.render_article(
        "Intro with **bold** and *em*.\n\n## A sub-heading\n\n> “A quote,” she said.\n\n"
        "- one\n- two\n\n[Council site](https://example.org/council)\n"
    )
    tree = lxml_html.fragment_fromstring(out, create_parent="div")
    assert [el.tag for el in tree] == ["p", "h2", "blockquote", "ul", "p"]
    assert tree.find(".//strong").text == "bold"
    link = tree.find(".//a")
    assert link.get("href") == "https://example.org/council"
    assert link.get("rel") == "noopener"


OWN = "/media/" + "ab" * 32 + ".webp"


def test_article_allows_safe_html_and_our_own_images():
    out = sanitize.render_article(
        f'<figure><img src="{OWN}" alt="Harbour"><figcaption>The harbour</figcaption></figure>'
    )
    assert f'<img loading="lazy" decoding="async" src="{OWN}" alt="Harbour">' in out
    assert "<figcaption>The harbour</figcaption>" in out


@pytest.mark.parametrize(
    "src",
    [
        "https://example.org/a.jpg",  # another site: the CSP would block it, and it tracks readers
        "//example.org" + OWN,
        "https://media.example" + OWN,  # looks like ours, but no media origin is configured
        "/media/../static/site.css",
        OWN + "?x=1",
        "data:image/png;base64,AAAA",
        "/static/site.css",
    ],
)
def test_article_drops_images_from_elsewhere(src):
    out = sanitize.render_article(f'Before <img src="{src}" alt="Harbour"> after ![md]({src})')
    assert "<img" not in out
    assert "Before" in out and "after" in out


def test_article_allows_images_on_the_media_origin():
    out = sanitize.render_article(f"![Boats](https://media.example{OWN})", "https://media.example/")
    assert f'src="https://media.example{OWN}"' in out
    assert "<img" not in sanitize.render_article(f"![Boats](https://other.example{OWN})", "https://media.example")


def test_comment_is_markdown_lite_with_raw_html_shown_as_text():
    out = sanitize.render_comment("# not a heading\n<b>bold?</b> *yes*")
    assert "<h1>" not in out
    assert "&lt;b&gt;bold?&lt;/b&gt;" in out
    assert "<em>yes</em>" in out


def test_comment_links_get_ugc_rel_and_bare_urls_are_linked():
    out = sanitize.render_comment("see https://example.com/x and [this](http://example.net)")
    tree = lxml_html.fragment_fromstring(out, create_parent="div")
    links = tree.findall(".//a")
    assert [a.get("href") for a in links] == ["https://example.com/x", "http://example.net"]
    assert {a.get("rel") for a in links} == {"nofollow ugc noopener"}


def test_comment_does_not_link_bare_domains_or_code():
    out = sanitize.render_comment("visit www.example.com or `https://example.com/in-code`")
    assert "<a" not in out


def test_nul_bytes_are_dropped():
    assert "\x00" not in sanitize.render_comment("a\x00b")


def test_bio_keeps_links_without_nofollow():
    out = sanitize.render_bio("Writes about *ferries*. [Portfolio](https://example.org/me)")
    assert '<a href="https://example.org/me" rel="noopener">Portfolio</a>' in out
    assert "<em>ferries</em>" in out


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("javascript:123", False),
        ("vbscript:1", False),
        ("JAVASCRIPT:1", False),
        ("java&#x09;script:1", False),
        ("\x01javascript:1", False),
        ("javascript&colon;1", False),
        ("data:text/html,x", False),
        ("https://example.org:8080/a", True),
        ("http://example.org", True),
        ("mailto:a@example.org", True),
        ("/local/path", True),
        ("#top", True),
        ("folder/page:1", True),
        ("?q=a:b", True),
    ],
)
def test_url_scheme_allowed(url, allowed):
    assert sanitize.url_scheme_allowed(url) is allowed


def test_a_script_link_keeps_its_text_and_loses_its_address():
    assert sanitize.render_article('<a href="javascript:123" title="t">read</a>') == '<p><a title="t">read</a></p>'


PLAIN_ALPHABET = "abcXYZ019 ,;?!'().-øé東👋ßİﬁ٣Ⅻ\u0301"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=PLAIN_ALPHABET, min_size=1, max_size=20))
def test_plain_comment_shortcut_matches_the_pipeline(text):
    """render_comment skips the parse for a line of plain words: only where the pipeline gives the same HTML."""
    if sanitize._PLAIN_LINE.fullmatch(text):
        assert sanitize._clean(text, sanitize._COMMENT_MD, "comment") == f"<p>{text}</p>" == render_comment(text)


def test_plain_comment_shortcut_leaves_marks_to_the_pipeline():
    for text in ("see example.com", "a  b", "1. first", "*a*", "x ", "Tom & Jerry", "<b>", "e.g. this"):
        assert not sanitize._PLAIN_LINE.fullmatch(text), text
    assert render_comment("Plain words, in one line.") == "<p>Plain words, in one line.</p>"
