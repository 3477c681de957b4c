"""Hostile input in every comment field is stored inert and shown as text, never as markup."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, CommentStatus
from tests.helpers import dangerous_markup, parse

# With forgery protection on, as in production: the forms are sent the way a browser sends them.
pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)

VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=https://evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JAVASCRIPT:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '[x](https://example.com "onmouseover=alert(1)")',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=import href="https://evil.example/x.html">',
    "<img src=x onerror=alert(1)",  # unclosed
    '<a href="https://example.com" onclick="alert(1)">unclosed',
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
]


@pytest.fixture
def xss_article(make_article):
    make_article("Open to all input", slug="xss")
    return "xss"


def approve_all(app):
    with app.app_context():
        db.session.execute(sa.update(Comment).values(status=CommentStatus.APPROVED))
        db.session.commit()


def test_there_are_at_least_40_vectors():
    assert len(VECTORS) >= 40


def test_vectors_in_body_and_name_are_stored_and_shown_inert(app, client, xss_article, post_comment):
    for n, vector in enumerate(VECTORS):
        name = vector[:70] if "\n" not in vector else f"Reader {n}"
        response = post_comment(xss_article, name=name, email=f"x{n}@example.net", body=vector)
        assert response.status_code in (303, 422), vector  # refused (422) is inert too
    approve_all(app)
    page = client.get(f"/articles/{xss_article}")
    assert page.status_code == 200
    doc = parse(page)
    (comments,) = doc.xpath("//ol[@class='comment-list']")
    assert dangerous_markup(comments) == []
    # JSON-LD is data, escaped by tojson; the comment form's enhancements are our own file
    assert doc.xpath("//script[not(@type='application/ld+json')][not(@src='/static/comments.js')]") == []
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    assert count >= len(VECTORS) - 2  # all but the oddly-shaped names are stored


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "http://exa mple.com",
        'https://"onmouseover=alert(1)//',
        "//evil.example",
        "http://[::1",
        "https://",
    ],
)
def test_hostile_websites_are_refused(app, xss_article, post_comment, website):
    response = post_comment(xss_article, website=website)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_quotes_in_website_cannot_break_out_of_the_attribute(app, client, xss_article, post_comment):
    assert post_comment(xss_article, website='https://example.com/"onmouseover="alert(1)').status_code == 303
    approve_all(app)
    doc = parse(client.get(f"/articles/{xss_article}"))
    (link,) = doc.xpath("//span[@class='comment-author']/a")
    assert link.get("onmouseover") is None
    assert link.get("href") == 'https://example.com/"onmouseover="alert(1)'
    assert link.get("rel") == "nofollow ugc noopener"
