"""The commenter's edit window in Chromium: post, edit within the window, see "edited", then the window closes
(the comment's time moved back on the server: no waiting) and the edit is refused with a message."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from blog.models import Comment, CommentStatus
from tests.browser.conftest import email_for
from tests.browser.helpers import axe_violations, comment_id_from_url, comment_item, fill_comment

DATABASE = "sqlite"  # a commenter's own edits on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser

WRITER = "Morwenna Pascoe"


@pytest.fixture(scope="module")
def site(live_server):
    author = live_server.user("Jory Tremayne")
    slug = live_server.article("Harbour wall repairs start in spring", author=author)
    # an earlier approved comment: the writer's next one is published at once
    live_server.comment(slug, name=WRITER, body="About time too.", status=CommentStatus.APPROVED)
    return SimpleNamespace(slug=slug)


def post(page, site, body: str) -> int:
    page.goto(f"/articles/{site.slug}")
    fill_comment(page, body=body, name=WRITER, email=email_for(WRITER))
    expect(page.locator("#comment-notice")).to_have_text("Your comment is published.")
    return comment_id_from_url(page)


def test_edit_within_the_window_then_the_window_closes(new_context, live_server, site):
    page = new_context().new_page()
    comment_id = post(page, site, "The works start in Febuary.")
    item = page.locator(f"#comment-{comment_id}")
    item.get_by_role("link", name="Edit").click()

    expect(page.locator("h1")).to_have_text("Edit your comment")
    expect(page.locator("#body")).to_have_value("The works start in Febuary.")
    assert axe_violations(page) == []
    page.fill("#body", "The works start in February.")
    page.get_by_role("button", name="Save changes").click()

    edited = comment_item(page, "The works start in February.")
    expect(edited).to_have_id(f"comment-{comment_id}")
    expect(edited.locator(".comment-edited")).to_have_text("edited")
    expect(edited.locator(".comment-edited time")).to_have_attribute("title", re.compile(r"^Edited "))
    expect(page.locator("#comment-notice")).to_have_text("Your comment is published.")

    reader = new_context().new_page()  # someone else: the new text, marked edited, and no Edit link
    reader.goto(f"/articles/{site.slug}")
    other = reader.locator(f"#comment-{comment_id}")
    expect(other.locator(".comment-body")).to_have_text("The works start in February.")
    expect(other.locator(".comment-edited")).to_be_visible()
    expect(other.get_by_role("link", name="Edit")).to_have_count(0)

    with live_server.session() as s:  # eleven minutes later, as the server sees it
        s.get(Comment, comment_id).created_at -= timedelta(minutes=11)
    page.goto(f"/articles/{site.slug}/comments/{comment_id}/edit")
    expect(page.get_by_role("alert")).to_have_text("The time to edit this comment has passed (10 minutes).")
    expect(page.locator("textarea")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the comment →").click()
    expect(page.locator(f"#comment-{comment_id}").get_by_role("link", name="Edit")).to_have_count(0)


def test_the_writer_deletes_their_comment(new_context, live_server, site):
    page = new_context().new_page()
    comment_id = post(page, site, "Posted on the wrong story, sorry.")
    page.locator(f"#comment-{comment_id}").get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Delete this comment").click()
    expect(page.locator("#comment-notice")).to_have_text("Your comment is deleted.")
    expect(page.locator(f"#comment-{comment_id}")).to_have_count(0)
    assert live_server.status_of(comment_id) is CommentStatus.TRASH
