"""The article page's comment thread from the shared cache: reused, retired after commits, never personal."""

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus
from blog.orm import utcnow
from blog.services import authoring, moderation

SLUG = "cached-story"


@pytest.fixture
def story(cached, make_article, make_comment) -> int:
    article_id = make_article("A cached story", slug=SLUG)
    make_comment(article_id, name="Early Bird", body="First words.")
    return article_id


def thread_html(response) -> str:
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    return "".join(lxml_html.tostring(el, encoding="unicode") for el in doc.xpath("//section[@id='comments']/ol"))


def change_behind_the_cache(app, body_html: str) -> None:
    """Edit stored comments in plain SQL, which the invalidation hook cannot read: nothing is invalidated."""
    with app.app_context():
        db.session.execute(sa.text("UPDATE comments SET body_html = :html"), {"html": body_html})
        db.session.commit()


def text(client) -> str:
    return client.get(f"/articles/{SLUG}").get_data(as_text=True)


def test_anonymous_readers_share_one_rendering(cached, client, story, count_queries):
    first = client.get(f"/articles/{SLUG}")
    with count_queries() as statements:
        second = cached.test_client().get(f"/articles/{SLUG}")
    assert thread_html(second) == thread_html(first) and "First words." in thread_html(first)
    assert not [s for s in statements if "FROM comments" in s]  # the thread was not queried again

    change_behind_the_cache(cached, "<p>Changed behind the cache.</p>")
    assert "First words." in text(client)


def test_moderation_retires_the_cached_thread(cached, client, runner, story, make_comment):
    held = make_comment(story, name="Late Owl", body="Held words.", status=CommentStatus.PENDING)
    assert "Held words." not in text(client)
    change_behind_the_cache(cached, "<p>Re-rendered.</p>")

    assert runner.invoke(args=["comments", "moderate", str(held), "approve"]).exit_code == 0
    page = text(client)
    assert "Late Owl" in page and "Re-rendered." in page

    assert runner.invoke(args=["comments", "moderate", str(held), "unapprove"]).exit_code == 0
    assert "Late Owl" not in text(client)


def test_a_new_approved_comment_retires_the_cached_thread(cached, client, story, make_comment):
    assert "Second words." not in text(client)
    make_comment(story, name="Second Voice", email="second@example.net", body="Second words.")
    assert "Second words." in text(client)


def test_only_a_commit_retires_the_cached_thread(cached, client, story, make_comment):
    held = make_comment(story, name="Late Owl", body="Held words.", status=CommentStatus.PENDING)
    assert "Late Owl" not in text(client)
    change_behind_the_cache(cached, "<p>Changed behind the cache.</p>")
    for commit in (False, True):
        with cached.app_context():
            moderation.moderate(db.session.get(Comment, held), "approve", actor=None, now=utcnow())
            db.session.commit() if commit else db.session.rollback()
        page = text(client)
        assert ("Late Owl" in page, "Changed behind the cache." in page) == (commit, commit)


def test_open_and_closed_threads_are_cached_apart(cached, client, story):
    assert "Reply to Early Bird" in text(client)
    for comments_open in (False, True):
        with cached.app_context():
            authoring.update_article(db.session.get(Article, story), comments_open=comments_open)
            db.session.commit()
        page = text(client)
        assert ("Reply to Early Bird" in page, "Comments are closed." in page) == (comments_open, not comments_open)


def test_a_replying_reader_gets_the_thread_rendered_for_them(cached, client, story):
    with cached.app_context():
        first = db.session.scalar(sa.select(Comment.id))
    page = client.get(f"/articles/{SLUG}?replytocom={first}").get_data(as_text=True)
    assert "Reply to Early Bird" in page and "Cancel reply" in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_personal_parts_never_reach_another_reader(cached, client, story, post_comment):
    neighbour = cached.test_client()
    assert "First words." in text(neighbour)  # the shared thread is cached now

    response = post_comment(SLUG, name="Pat Private", email="pat@example.net", body="My words, held.", remember="y")
    assert response.status_code == 303  # a first comment waits for moderation
    own = text(client)
    assert "My words, held." in own and "Your comment is awaiting moderation." in own
    assert 'value="Pat Private"' in own  # remembered, with consent

    for reader in (neighbour, cached.test_client()):  # someone who read before, and someone new
        page = text(reader)
        assert "First words." in page
        assert "My words, held." not in page and "awaiting moderation" not in page and "Pat Private" not in page
        assert "csrf_token" not in page  # an anonymous page holds nothing bound to a session
    assert "My words, held." in text(client)  # and the writer still sees it: their page bypasses the cache
