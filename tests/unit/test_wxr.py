"""WordPress's values -> ours (blog.core.wxr): pure rules, and the stream reader on small inputs."""

import io
from datetime import datetime

import pytest

from blog.core import wxr


@pytest.mark.parametrize(
    ("status", "ours"),
    [
        ("publish", "published"),
        ("future", "scheduled"),
        ("pending", "review"),
        ("draft", "draft"),
        ("private", "draft"),
        ("auto-draft", None),
        ("inherit", None),
        ("trash", None),
        ("something-new", "draft"),
    ],
)
def test_post_status(status, ours):
    assert wxr.post_status(status) == ours


@pytest.mark.parametrize(
    ("approved", "ours"),
    [
        ("1", "approved"),
        ("0", "pending"),
        ("spam", "spam"),
        ("trash", "trash"),
        ("post-trashed", "trash"),
        ("?", "pending"),
    ],
)
def test_comment_status(approved, ours):
    assert wxr.comment_status(approved) == ours


def test_html_to_text():
    assert wxr.html_to_text("plain *markdown* stays") == "plain *markdown* stays"
    assert wxr.html_to_text(
        '<p>A <strong>b</strong> <em>c</em> <a href="https://x.example" rel="nofollow">d</a></p>\n<p>e &amp; f</p>'
    ) == ("A **b** *c* [d](https://x.example)\n\ne & f")
    assert wxr.html_to_text("<script>alert(1)</script>line<br>next") == "alert(1)line\nnext"


def test_permalink_paths():
    post = wxr.Post(
        wp_id=7,
        guid="g",
        link="https://old.example/2024/05/caf%C3%A9/",
        title="t",
        slug="café",
        content="",
        excerpt="",
        creator="",
        date_gmt=datetime(2024, 5, 31, 23, 30),
        date_local=datetime(2024, 6, 1, 1, 30),
        status="publish",
        post_type="post",
        comment_status="open",
    )
    assert wxr.permalink_paths(post) == ["/2024/05/café/", "/?p=7", "/2024/06/café/", "/café/"]


def test_read_streams_posts_then_their_comments():
    data = b"""<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.1/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><title>T</title><wp:wxr_version>1.1</wp:wxr_version>
    <item><title>P</title><wp:post_id>3</wp:post_id><wp:post_date_gmt>2024-01-02 03:04:05</wp:post_date_gmt>
    <category domain="post_tag" nicename="a%20b">A B</category>
    <wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_content><![CDATA[x ]]]]><![CDATA[> y]]></wp:comment_content></wp:comment>
    </item></channel></rss>"""
    wxr.check(io.BytesIO(data))
    records = list(wxr.read(io.BytesIO(data)))
    assert [type(r).__name__ for r in records] == ["Site", "Post", "Comment"]
    site, post, comment = records
    assert (
        site.wxr_version == "1.1" and post.tags == (("a b", "A B"),) and post.date_gmt == datetime(2024, 1, 2, 3, 4, 5)
    )
    assert comment.post_wp_id == 3 and comment.content == "x ]]> y"


def test_rss_that_is_not_wxr_is_refused_before_its_first_post():
    data = b"<rss><channel><title>T</title><item><title>P</title></item></channel></rss>"
    wxr.check(io.BytesIO(data))
    with pytest.raises(wxr.WxrError, match="no <wp:wxr_version>"):
        next(wxr.read(io.BytesIO(data)))
