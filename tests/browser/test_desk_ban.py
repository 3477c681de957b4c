"""Ban from a desk row, in Chromium (issue 22): the second click confirms, the row says "Banned", the commenter's other
pending comment leaves the Pending tab with it, the counts and the badge follow, and an admin's Undo lifts the ban,
all without a reload."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blog.models import CommenterBan, CommentStatus
from tests.browser.helpers import sign_in

DATABASE = "sqlite"  # the desk's script on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ban_site(live_server):
    author = live_server.user("Tamsin Rowe")
    admin = live_server.user("Morwenna Keast", role="admin")
    slug = live_server.article("Lifeboat station gets a new slipway", author=author)
    spam = [live_server.comment(slug, name="Cem Seller", body=f"Cement deals number {n}, today only!") for n in (1, 2)]
    other = live_server.comment(slug, name="Nancy Reader", body="Good news for the crew.")
    return admin, slug, spam, other


def bans(live_server) -> int:
    with live_server.session() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(CommenterBan))


def test_ban_from_a_row_in_place_then_undo(new_context, live_server, ban_site):
    admin, slug, (first, second), other = ban_site
    page = new_context().new_page()
    sign_in(page, admin.email)
    page.goto(f"/moderation/?article={slug}")
    page.evaluate("window.deskLoads = 1")  # survives only if the page never reloads
    expect(page.locator(".tabs a[data-status=pending] .count")).to_have_text("(3)")
    row = page.locator(f"#row-{first}")
    assert "cem.seller" not in row.locator(".row-ban").inner_html()  # keyed hashes only, never the address

    row.locator(".row-ban summary").click()
    expect(row.get_by_role("checkbox", name="Also move their pending comments to Spam")).to_be_checked()
    button = row.get_by_role("button", name="Ban this address")
    button.click()
    expect(row.get_by_role("button", name="Confirm: ban this address")).to_be_visible()
    assert bans(live_server) == 0  # the first click only asks
    row.get_by_role("button", name="Confirm: ban this address").click()

    expect(row.locator(".row-notice")).to_contain_text(f"Banned the address of comment {first}")
    expect(row.locator(".row-notice")).to_contain_text("2 pending comments moved to spam.")
    expect(page.locator(f"#row-{second} .row-notice")).to_contain_text(f"Comment {second} moved to spam with the ban.")
    expect(page.locator(f"#row-{other} .row-notice")).to_have_count(0)
    expect(page.locator(".tabs a[data-status=pending] .count")).to_have_text("(1)")
    expect(page.locator(".tabs a[data-status=spam] .count")).to_have_text("(2)")
    expect(page.locator(".staff-bar .badge")).to_have_text("1")
    assert bans(live_server) == 1
    assert [live_server.status_of(i) for i in (first, second, other)] == [
        CommentStatus.SPAM,
        CommentStatus.SPAM,
        CommentStatus.PENDING,
    ]

    row.get_by_role("button", name="Undo").click()  # lifts the ban; the comment stays in spam until restored
    expect(row.locator(".row-notice")).to_contain_text(f"Ban lifted. Comment {first} is still in spam.")
    assert bans(live_server) == 0 and live_server.status_of(first) is CommentStatus.SPAM
    row.get_by_role("button", name="Undo").click()
    expect(row.locator(".row-notice")).to_contain_text(f"Undone: Comment {first} restored.")
    expect(page.locator(".tabs a[data-status=pending] .count")).to_have_text("(2)")
    assert live_server.status_of(first) is CommentStatus.PENDING
    assert page.evaluate("window.deskLoads") == 1  # no reload happened
