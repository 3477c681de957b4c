"""A reader's journeys: reading, following Keep Reading, commenting, and a form sent back with mistakes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import comment_id_from_url, comment_item, fill_comment, focused

DATABASE = "sqlite"  # a reader's journeys on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
AWAITING = "Your comment is awaiting moderation."


@pytest.fixture(scope="module")
def site(live_server):
    author = live_server.user("Morwenna Tregear", bio="Covers the harbour, the ferries and the **council** chamber.")
    ferry = live_server.article("Ferry timetable changes for the winter", author=author, tags=("harbour",), hours_ago=3)
    wall = live_server.article(
        "Harbour wall repairs begin next week", author=author, tags=("harbour",), links_to=(ferry,)
    )
    return SimpleNamespace(author=author, wall=wall, ferry=ferry)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_reader_reads_follows_keep_reading_and_comments(new_context, site, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/")
    page.get_by_role("link", name="Harbour wall repairs begin next week").first.click()
    expect(page).to_have_url(f"/articles/{site.wall}")
    expect(page.locator("h1")).to_have_text("Harbour wall repairs begin next week")

    bio = page.locator(".author-box")
    expect(bio.locator(".author-box-name")).to_have_text("Morwenna Tregear")
    expect(bio.locator(".author-box-bio strong")).to_have_text("council")

    page.locator(".keep-reading").get_by_role("link", name="Ferry timetable changes for the winter").click()
    expect(page).to_have_url(f"/articles/{site.ferry}")
    expect(page.locator("h1")).to_have_text("Ferry timetable changes for the winter")
    page.go_back()
    expect(page).to_have_url(f"/articles/{site.wall}")

    body = f"Will the slipway stay open during the works? ({'js' if javascript else 'no-js'})"
    fill_comment(page, body=body, name="Jenna Rowe", email="jenna@example.net")
    comment_id_from_url(page)
    mine = comment_item(page, body)
    expect(mine).to_have_class("comment depth-0 comment-pending")
    expect(mine.locator(".comment-awaiting")).to_have_text(AWAITING)
    expect(mine.locator(".comment-author")).to_have_text("Jenna Rowe")

    other = new_context(java_script_enabled=javascript).new_page()
    other.goto(f"/articles/{site.wall}")
    expect(other.locator("h1")).to_have_text("Harbour wall repairs begin next week")
    expect(other.get_by_text(body)).to_have_count(0)
    expect(other.get_by_text(AWAITING)).to_have_count(0)


def test_mistakes_are_shown_next_to_the_fields_with_the_text_kept(new_context, site):
    page = new_context().new_page()
    page.goto(f"/articles/{site.wall}")
    page.fill("#body", "The old wall has been crumbling since the storm.")
    page.fill("#name", "")
    page.fill("#email", "jenna-at-example")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click("form.comment-form button[type=submit]")
    assert sent.value.status == 422
    page.wait_for_load_state("load")  # the stylesheet too: layout is measured below

    expect(page.locator("#body")).to_have_value("The old wall has been crumbling since the storm.")
    expect(page.locator("#email")).to_have_value("jenna-at-example")
    for field, message in (("name", "Please enter your name."), ("email", "Please enter a valid email address")):
        box = page.locator(f"#{field}")
        error = page.locator(f"#{field}-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text(message)
        expect(box).to_have_attribute("aria-invalid", "true")
        assert f"{field}-error" in box.get_attribute("aria-describedby").split()
        # next to its field: in the same labelled block, just below the box
        assert error.evaluate("(e, id) => e.parentElement === document.getElementById(id).parentElement", field)
        gap = error.evaluate(  # both boxes in one frame: focus may scroll the page between two measurements
            "(e, id) => e.getBoundingClientRect().top - document.getElementById(id).getBoundingClientRect().bottom",
            field,
        )
        assert 0 <= gap < 40
    expect(page.locator("#body")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).to_be_focused()  # the first field in error (the comment itself is fine)
    assert focused(page)["id"] == "name"

    page.fill("#name", "Jenna Rowe")
    page.fill("#email", "jenna@example.net")
    page.click("form.comment-form button[type=submit]")
    sent_again = comment_item(page, "The old wall has been crumbling since the storm.")
    expect(sent_again.locator(".comment-awaiting")).to_be_visible()
