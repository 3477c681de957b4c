"""Retention in the browser: an admin sets the figures and the privacy text, an editor trashes a comment and sees
when it will be deleted for good, a reader follows the link under the comment form to the privacy page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import sign_in

DATABASE = "postgresql"  # retention settings on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


def test_settings_desk_and_privacy_page_agree(new_context, live_server):
    author = live_server.user("Jenna Rowe")
    admin = live_server.user("Ada Penrose", role="admin")
    slug = live_server.article("Quay wall repaired", author=author)
    comment_id = live_server.comment(
        slug, name="Bert Nance", body="Took them long enough.", status=CommentStatus.APPROVED
    )

    staff = new_context().new_page()
    sign_in(staff, admin.email)
    staff.goto("/editorial/settings")
    staff.fill("#keep_ip_days", "14")
    staff.fill("#purge_trash_days", "45")
    staff.fill("#privacy_notice_markdown", "We are **three volunteers**.\n\nWrite to us at the harbour office.")
    staff.get_by_role("button", name="Save settings").click()
    expect(staff.locator("#keep_ip_days")).to_have_value("14")

    staff.goto("/moderation/?status=approved")
    staff.locator(f"#row-{comment_id}").get_by_role("button", name="Trash", exact=True).click()
    expect(staff.locator(f"#row-{comment_id} .row-notice")).to_contain_text("moved to the trash")  # in place
    staff.goto("/moderation/?status=trash")
    expect(staff.locator(f"#row-{comment_id} .purge-date")).to_contain_text("Deleted for good on")

    reader = new_context().new_page()
    reader.goto(f"/articles/{slug}")
    reader.locator(".comment-privacy").get_by_role("link", name="How we use your data").click()
    expect(reader).to_have_url("/privacy")
    expect(reader.locator(".privacy-notice strong")).to_have_text("three volunteers")
    expect(reader.locator("article.privacy")).to_contain_text("The IP address hash and the user agent: 14 days")
    expect(reader.locator("article.privacy")).to_contain_text("Comments in the trash: 45 days after they were trashed")
    expect(reader.locator("footer").get_by_role("link", name="How we use your data")).to_be_visible()
