"""The comment form's enhancements (static/comments.js): the character counter and the reply form that moves
under the comment being answered. Without JavaScript the page does the same through the server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import comment_item

DATABASE = "sqlite"  # the comment form on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(live_server):
    author = live_server.user("Keziah Pascoe")
    slug = live_server.article("Lifeboat station gets a new slipway", author=author)
    first = live_server.comment(slug, name="Tamsin Hall", body="Good news for the crew.", status=CommentStatus.APPROVED)
    return SimpleNamespace(slug=slug, first=first)


def test_a_live_counter_says_how_many_characters_are_left(new_context, site):
    page = new_context().new_page()
    page.goto(f"/articles/{site.slug}")
    counter = page.locator("#body-count")
    expect(counter).to_have_text("5000 characters left")
    page.fill("#body", "Line one\nline two")  # a line break counts once, as the browser's maxlength counts it
    expect(counter).to_have_text("4983 characters left")
    page.fill("#body", "x" * 4999)
    expect(counter).to_have_text("1 character left")
    expect(counter).to_have_class("char-count char-count-low")
    expect(page.locator("#body-count-status")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#body-count-status")).to_have_text("1 character left")  # spoken once typing pauses


def test_without_javascript_there_is_no_counter(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/articles/{site.slug}")
    expect(page.locator("#body-hint")).to_be_visible()
    expect(page.locator("#body-count")).to_have_count(0)


def test_the_reply_form_moves_under_the_comment_and_back(new_context, site):
    page = new_context().new_page()
    page.goto(f"/articles/{site.slug}")
    url = page.url
    comment = page.locator(f"#comment-{site.first}")
    comment.get_by_role("link", name="Reply to Tamsin Hall").click()
    expect(comment.locator("#respond")).to_have_count(1)  # moved, without loading a page
    assert page.url == url
    expect(page.locator("#reply-title")).to_have_text("Reply to Tamsin Hall")
    expect(page.locator("#parent_id")).to_have_value(str(site.first))
    expect(page.locator("#body")).to_be_focused()

    page.get_by_role("link", name="Cancel reply").click()
    expect(comment.locator("#respond")).to_have_count(0)
    expect(page.locator("#respond + #respond-home")).to_have_count(1)  # back where it was
    expect(page.locator("#reply-title")).to_have_text("Leave a Reply")
    expect(page.locator("#parent_id")).to_have_value("")
    expect(page.get_by_role("link", name="Cancel reply")).to_have_count(0)

    comment.get_by_role("link", name="Reply to Tamsin Hall").click()
    page.fill("#body", "Will it be ready by spring?")
    page.fill("#name", "Morva Jory")
    page.fill("#email", "morva@example.net")
    page.click("form.comment-form button[type=submit]")
    reply = comment_item(page, "Will it be ready by spring?")
    expect(reply).to_have_class("comment depth-1 comment-pending")


def test_without_javascript_reply_links_still_work(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/articles/{site.slug}")
    page.locator(f"#comment-{site.first}").get_by_role("link", name="Reply to Tamsin Hall").click()
    expect(page).to_have_url(f"/articles/{site.slug}?replytocom={site.first}#respond")
    expect(page.locator("#reply-title")).to_have_text("Reply to Tamsin Hall")
    expect(page.locator("#parent_id")).to_have_value(str(site.first))
