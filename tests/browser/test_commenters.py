"""Commenters, in Chromium: an editor bans a commenter and their next comment lands in Spam; three readers (three
networks) report a comment and it leaves the page. Each reader is a browser context of its own, behind a "proxy":
the server trusts one X-Forwarded-For hop, and each context sends its own address in it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import comment_id_from_url, comment_item, fill_comment, sign_in

DATABASE = "postgresql"  # bans and reports on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
LIVE_SERVER_CONFIG = {"PROXY_FIX_X_FOR": 1}


@pytest.fixture(scope="module")
def site(live_server):
    author = live_server.user("Keziah Pascoe")
    editor = live_server.user("Ruth Calloway", role="editor")
    slug = live_server.article("Harbour wall repairs start in March", author=author)
    return SimpleNamespace(slug=slug, editor=editor)


def reader(new_context, ip: str):
    """A reader's browser at ``ip`` (what the proxy in front of the site would pass on)."""
    return new_context(extra_http_headers={"X-Forwarded-For": ip}).new_page()


def test_ban_a_commenter_and_their_next_comment_lands_in_spam(new_context, live_server, site):
    spammer = reader(new_context, "203.0.113.45")
    spammer.goto(f"/articles/{site.slug}")
    # a first comment the spam filter lets through to Pending: the ban, not the score, is what is tested
    fill_comment(
        spammer, body="Will the harbour road stay open while they work?", name="Cem Seller", email="cem@example.net"
    )
    first = comment_id_from_url(spammer)
    assert live_server.status_of(first) is CommentStatus.PENDING

    desk = new_context().new_page()
    sign_in(desk, site.editor.email)
    desk.goto("/moderation/")
    desk.locator(f"#row-{first}").get_by_role("link", name="Cem Seller").click()
    expect(desk.locator("h1")).to_have_text("Comments from Cem Seller")
    assert "cem" not in desk.url and "%40" not in desk.url  # a keyed hash, never the address
    desk.get_by_role("button", name="Ban this address").click()
    expect(desk.locator(".ban-state")).to_have_text("their address")
    expect(desk.get_by_role("button", name="Ban this address")).to_be_disabled()

    spammer = reader(new_context, "198.51.100.20")  # from another network now: the address is what is banned
    spammer.goto(f"/articles/{site.slug}")
    fill_comment(spammer, body="Cement deals, today only!", name="Cem Seller", email="cem@example.net")
    second = comment_id_from_url(spammer)
    assert live_server.status_of(second) is CommentStatus.SPAM

    desk.goto("/moderation/?status=spam")
    row = desk.locator(f"#row-{second}")
    expect(row).to_contain_text("Cement deals, today only!")
    expect(row.locator(".desk-reasons")).to_have_text("Held because: banned address")


def test_three_readers_report_a_comment_and_it_leaves_the_page(new_context, live_server, site):
    target = live_server.comment(site.slug, name="Rude Rex", body="You are all idiots.", status=CommentStatus.APPROVED)
    for n, ip in enumerate(("192.0.2.10", "2001:db8:5:6::10", "198.51.100.77"), start=1):
        page = reader(new_context, ip)
        page.goto(f"/articles/{site.slug}")
        item = comment_item(page, "You are all idiots.")
        expect(item).to_be_visible()
        item.get_by_role("link", name="Report the comment by Rude Rex").click()
        expect(page.locator("h1")).to_have_text("Report a comment")
        page.get_by_role("button", name="Report this comment").click()
        expect(page.get_by_role("status")).to_have_text("Thank you: the editors will look at this comment.")
        expected = CommentStatus.PENDING if n == 3 else CommentStatus.APPROVED
        assert live_server.status_of(target) is expected

    page = reader(new_context, "203.0.113.200")
    page.goto(f"/articles/{site.slug}")
    expect(page.locator("#comments")).to_be_visible()
    expect(comment_item(page, "You are all idiots.")).to_have_count(0)

    desk = new_context().new_page()
    sign_in(desk, site.editor.email)
    desk.goto("/moderation/")
    desk.get_by_role("link", name="Reported (1)").click()
    row = desk.locator(f"#row-{target}")
    expect(row.locator(".report-count")).to_have_text("3 reports")
    expect(row.locator(".desk-reasons")).to_contain_text("reported by readers from 3 networks")
