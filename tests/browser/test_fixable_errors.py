"""Errors people can fix, in Chromium: Apply on the desk with nothing ticked shows the desk again with the
message beside the bulk bar (not a dead-end "ERROR 400" page), and the editor carries on from there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import sign_in

DATABASE = "sqlite"  # forms sent back with mistakes on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


def test_bulk_apply_with_nothing_selected_re_renders_the_desk(new_context, live_server):
    editor = live_server.user("Kerensa Hocking", role="editor")
    slug = live_server.article("Harbour wall repaired", author=live_server.user("Jory Penrose"))
    comment_id = live_server.comment(slug, name="Demelza Rowe", body="About time the wall was fixed.")
    page = new_context().new_page()
    sign_in(page, editor.email)
    page.goto("/moderation/?status=pending")
    page.select_option("#bulk-action", "spam")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-error")).to_have_text("Select at least one comment first.")
    expect(page.locator("#bulk-action")).to_have_value("spam")  # the choice kept
    expect(page.locator(f"#row-{comment_id}")).to_be_visible()  # the same desk, not an error page
    assert live_server.status_of(comment_id) is CommentStatus.PENDING
    # fixed on the spot: tick the comment and apply again
    page.check(f"#select-{comment_id}")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(f"#row-{comment_id}")).to_have_count(0)
    assert live_server.status_of(comment_id) is CommentStatus.SPAM
