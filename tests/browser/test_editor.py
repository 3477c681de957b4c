"""An editor's journeys: approving a reader's comment from the desk (and the reply that follows), bulk spam."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import comment_id_from_url, comment_item, fill_comment, sign_in

DATABASE = "postgresql"  # the newsroom's desk on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(live_server):
    author = live_server.user("Morwenna Tregear")
    editor = live_server.user("Ruth Calloway", role="editor")
    slugs = {js: live_server.article(f"Lifeboat crew honoured ({js})", author=author) for js in ("js", "no-js")}
    return SimpleNamespace(editor=editor, slugs=slugs, author=author)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_editor_approves_from_the_desk_then_a_reply_nests_under_it(new_context, live_server, site, javascript):
    slug = site.slugs["js" if javascript else "no-js"]
    name, email = ("Tom Pengelly", "tom@example.net") if javascript else ("Tess Pengelly", "tess@example.net")
    reader = new_context(java_script_enabled=javascript).new_page()
    reader.goto(f"/articles/{slug}")
    fill_comment(reader, body="Well deserved, they were out all night.", name=name, email=email, remember=True)
    comment_id = comment_id_from_url(reader)
    expect(comment_item(reader, "Well deserved").locator(".comment-awaiting")).to_be_visible()

    desk = new_context(java_script_enabled=javascript).new_page()
    sign_in(desk, site.editor.email)
    badge = desk.locator(".staff-bar .badge")
    expect(badge).to_have_text(str(live_server.pending_count()))
    expect(badge).to_have_attribute("aria-label", f"{live_server.pending_count()} awaiting moderation")
    desk.locator(".staff-bar").get_by_role("link", name="Comments").click()
    expect(desk).to_have_url("/moderation/")
    expect(desk.locator("#select-all")).to_have_count(1 if javascript else 0)  # desk.js only adds to the page
    row = desk.locator(f"#row-{comment_id}")
    expect(row).to_contain_text("Well deserved, they were out all night.")
    expect(row).to_contain_text(email)  # the desk is where editors see emails
    row.get_by_role("button", name="Approve", exact=True).click()
    if javascript:  # in place: the row stays, saying what happened, with an Undo
        expect(row.locator(".row-notice")).to_contain_text(f"Comment {comment_id} approved.")
        expect(row.get_by_role("button", name="Undo")).to_be_visible()
    else:  # the desk is loaded again, without the comment
        expect(desk.locator(f"#row-{comment_id}")).to_have_count(0)
    assert live_server.status_of(comment_id) is CommentStatus.APPROVED

    reader.reload()
    published = comment_item(reader, "Well deserved")
    expect(published).to_have_class("comment depth-0")
    expect(published.locator(".comment-awaiting")).to_have_count(0)
    stranger = new_context(java_script_enabled=javascript).new_page()
    stranger.goto(f"/articles/{slug}")
    expect(comment_item(stranger, "Well deserved")).to_be_visible()  # the shared cache was refreshed too

    published.get_by_role("link", name="Reply").click()
    if not javascript:  # with JavaScript the form moves under the comment instead (static/comments.js)
        expect(reader).to_have_url(f"/articles/{slug}?replytocom={comment_id}#respond")
    expect(reader.locator("#reply-title")).to_have_text(f"Reply to {name}")
    expect(reader.locator("#name")).to_have_value(name)  # remembered, with consent
    fill_comment(reader, body="And the coastguard helicopter crew too.")
    reply_id = comment_id_from_url(reader)
    reply = reader.locator(f"li#comment-{comment_id} + li#comment-{reply_id}")
    expect(reply).to_have_class("comment depth-1")  # the list item after its parent, one level in
    expect(reply.locator(".comment-awaiting")).to_have_count(0)  # a known commenter is published at once


def test_editor_marks_three_comments_spam_with_one_bulk_action(new_context, live_server, site):
    slug = live_server.article("Harbour dues to rise", author=site.author)
    spam = [live_server.comment(slug, name=f"Cheap Pills {n}", body=f"Buy now, offer {n}") for n in range(3)]
    keep = live_server.comment(slug, name="Alan Stride", body="Dues have not changed since 2019.")
    page = new_context().new_page()
    sign_in(page, site.editor.email)
    page.goto(f"/moderation/?status=pending&article={slug}")
    for comment_id in spam:
        page.check(f"#select-{comment_id}")
    page.select_option("#bulk-action", "spam")
    page.click("form.desk-form .bulk-bar button[type=submit]")

    expect(page.locator(".flashes")).to_be_visible()
    for comment_id in spam:
        expect(page.locator(f"#row-{comment_id}")).to_have_count(0)
    expect(page.locator(f"#row-{keep}")).to_be_visible()
    expect(page.locator('.tabs a[aria-current="page"]')).to_contain_text("Pending (1)")
    expect(page.locator(".tabs")).to_contain_text("Spam (3)")
    page.locator(".tabs").get_by_role("link", name="Spam").click()
    for comment_id in spam:
        expect(page.locator(f"#row-{comment_id}")).to_be_visible()
    assert [live_server.status_of(i) for i in spam] == [CommentStatus.SPAM] * 3
    assert live_server.status_of(keep) is CommentStatus.PENDING
