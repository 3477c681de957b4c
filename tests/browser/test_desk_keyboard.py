"""The moderation desk in place (issue 22): an editor who turned keyboard shortcuts on approves and spams three
comments with the keyboard, undoes one, and replies from the desk, without a reload and without the page
scrolling; the tab counts and the staff bar's badge follow."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blog.models import Comment, CommentStatus, User
from tests.browser.helpers import sign_in

DATABASE = "sqlite"  # the desk's keyboard on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk_site(live_server):
    author = live_server.user("Jory Penrose")
    editor = live_server.user("Keren Hocking", role="editor")
    with live_server.session() as s:
        s.get(User, editor.id).keyboard_shortcuts = True
    slug = live_server.article("Pilchard season opens early", author=author)
    ids = [
        live_server.comment(slug, name=f"Reader {n}", body=f"Comment number {n} about the pilchards.")
        for n in range(12)
    ]
    return editor, slug, ids


def scroll_y(page) -> float:
    return page.evaluate("window.scrollY")


def test_keyboard_moderation_in_place_with_undo_and_a_reply(new_context, live_server, desk_site):
    editor, slug, ids = desk_site
    page = new_context().new_page()
    sign_in(page, editor.email)
    page.goto(f"/moderation/?article={slug}")
    rows = page.locator(".desk-table tbody tr")
    expect(rows).to_have_count(12)
    order = [int(r.get_attribute("data-id")) for r in rows.all()]
    assert sorted(order) == sorted(ids)
    first, second, third, fourth = order[:4]
    # scroll so that the table starts near the top: a reload would jump back to 0
    page.evaluate(
        "window.scrollTo(0, document.querySelector('.desk-table tbody tr').getBoundingClientRect().top"
        " + window.scrollY - 20)"
    )
    before = scroll_y(page)
    assert before > 0
    page.evaluate("window.deskLoads = (window.deskLoads || 0) + 1")  # survives only if the page never reloads

    page.keyboard.press("?")
    expect(page.locator("#desk-keys")).to_be_visible()
    page.keyboard.press("?")
    expect(page.locator("#desk-keys")).to_be_hidden()

    page.keyboard.press("j")
    expect(page.locator(f"#row-{first}")).to_have_class("row-current")
    page.keyboard.press("a")
    expect(page.locator(f"#row-{first} .row-notice")).to_contain_text(f"Comment {first} approved.")
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(page.locator(f"#row-{second} .row-notice")).to_contain_text(f"Comment {second} marked as spam.")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(f"#row-{third} .row-notice")).to_contain_text(f"Comment {third} approved.")
    expect(page.locator(".tabs a[data-status=pending] .count")).to_have_text("(9)")
    expect(page.locator(".tabs a[data-status=approved] .count")).to_have_text("(2)")
    expect(page.locator(".tabs a[data-status=spam] .count")).to_have_text("(1)")
    expect(page.locator(".staff-bar .badge")).to_have_text("9")

    page.keyboard.press("z")  # undo the third: back to pending, its buttons back
    expect(page.locator(f"#row-{third} .row-notice")).to_contain_text("Undone")
    expect(page.locator(f"#row-{third}").get_by_role("button", name="Approve", exact=True)).to_be_visible()
    expect(page.locator(".tabs a[data-status=pending] .count")).to_have_text("(10)")
    expect(page.locator(".staff-bar .badge")).to_have_text("10")
    assert [live_server.status_of(i) for i in (first, second, third)] == [
        CommentStatus.APPROVED,
        CommentStatus.SPAM,
        CommentStatus.PENDING,
    ]

    page.keyboard.press("j")
    page.keyboard.press("r")
    reply_box = page.locator(f"#row-{fourth} .desk-reply textarea")
    expect(reply_box).to_be_focused()
    reply_box.fill("Thanks, we have passed this on to the harbour office.")
    page.locator(f"#row-{fourth} .desk-reply").get_by_role("button", name="Publish reply").click()
    expect(page.locator(f"#row-{fourth} .row-notice")).to_contain_text(f"Your reply to comment {fourth} is published.")
    assert live_server.status_of(fourth) is CommentStatus.APPROVED  # replying approved it, as WordPress does
    with live_server.session() as s:
        reply = s.scalar(sa.select(Comment).where(Comment.parent_id == fourth))
        assert (reply.status, reply.user_id, reply.author_name) == (CommentStatus.APPROVED, editor.id, editor.name)
        reply_id = reply.id

    assert page.evaluate("window.deskLoads") == 1  # no reload happened
    assert scroll_y(page) == before  # and the page did not move

    reader = new_context().new_page()
    reader.goto(f"/articles/{slug}")
    expect(reader.locator(f"#comment-{reply_id}")).to_contain_text("passed this on to the harbour office")
