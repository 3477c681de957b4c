"""Authors write: an author drafts, previews and submits; an editor finds it under "Ready for review" and
publishes it; readers see it. Screenshots of the three steps go to ``test-artifacts/browser/`` (the README's
newsroom section shows copies from ``docs/screenshots/``, as ``test_screenshots.py`` does for the other pages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in

DATABASE = "postgresql"  # drafts, review and publishing on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
TITLE = "Lifeboat crew rescue three from Gull Rock"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"authoring-{name}-desktop.png", full_page=True)


def test_an_author_drafts_previews_submits_and_an_editor_publishes(new_context, live_server, tmp_path):
    author = live_server.user("Tamsin Penrose")
    editor = live_server.user("Ruth Calloway", role="editor")
    photo = tmp_path / "lifeboat.jpg"
    Image.new("RGB", (1800, 1200), (200, 80, 40)).save(photo, "JPEG")

    writer = new_context().new_page()
    sign_in(writer, author.email)
    writer.locator(".staff-bar").get_by_role("link", name="My articles").click()
    writer.get_by_role("link", name="New article").click()
    expect(writer.locator("#author_id")).to_have_count(0)  # an author's form: no byline to choose
    writer.fill("#title", TITLE)
    writer.fill("#summary", "Calm seas helped the crew reach the walkers cut off by the tide.")
    writer.fill("#body", "The crew launched at **dawn**.\n\n## Cut off by the tide\n\nAll three are well.")
    writer.fill("#tags", "Harbour, Lifeboat")
    writer.set_input_files("#lead-image", str(photo))
    writer.fill("#lead-alt_text", "The lifeboat coming into the harbour at dawn")
    writer.get_by_role("button", name="Create draft").click()
    expect(writer.locator(".flashes")).to_contain_text("created")
    expect(writer.get_by_role("button", name="Save and publish")).to_have_count(0)

    writer.get_by_role("link", name="Preview as readers will see it").click()
    expect(writer.locator("h1#story-title")).to_have_text(TITLE)
    expect(writer.locator(".story-body strong")).to_have_text("dawn")
    expect(writer.locator("meta[name=robots]")).to_have_attribute("content", "noindex, nofollow")
    writer.get_by_role("link", name="Back to editing").click()
    writer.get_by_role("button", name="Save and submit for review").click()
    expect(writer.locator(".flashes")).to_contain_text("Submitted for review")
    expect(writer.locator(".status-review")).to_have_text("Ready for review")
    shot(writer, "draft")

    desk = new_context().new_page()
    sign_in(desk, editor.email)
    desk.goto("/editorial/")
    review = desk.locator("section[aria-labelledby=review-title]")
    expect(review).to_contain_text("Tamsin Penrose")
    shot(desk, "review")
    review.get_by_role("link", name=TITLE).click()
    desk.get_by_role("button", name="Save and publish").click()
    expect(desk.locator(".flashes")).to_contain_text("Published.")

    reader = new_context().new_page()
    reader.goto("/")
    reader.get_by_role("link", name=TITLE).first.click()
    expect(reader.locator("h1#story-title")).to_have_text(TITLE)
    expect(reader.locator(".byline")).to_contain_text("Tamsin Penrose")
    lead = reader.locator("figure.lead-image img")
    expect(lead).to_have_attribute("alt", "The lifeboat coming into the harbour at dawn")
    assert "480w" in (lead.get_attribute("srcset") or "")  # the variants the queue made from the author's upload
    expect(lead).to_have_js_property("complete", True)  # polled by Playwright's own script: the page's CSP forbids eval
    assert lead.evaluate("img => img.naturalWidth") > 0
    assert (reader.locator("meta[property='og:image']").get_attribute("content") or "").endswith(".webp")
    shot(reader, "published")


def test_a_scheduled_article_appears_only_after_its_time(new_context, live_server):
    """The clock is moved with time-machine (the server runs in this process, so it moves for it too); the
    queue is in immediate mode, so the task scheduled for the publish time is run as the worker would then."""
    editor = live_server.user("Demelza Editor", role="editor")
    when = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    desk = new_context().new_page()
    sign_in(desk, editor.email)
    desk.goto("/editorial/articles/new")
    desk.fill("#title", "Regatta moved to the spring")
    desk.fill("#body", "The regatta committee moved the race to April.")
    desk.get_by_role("button", name="Create draft").click()
    desk.fill("#publish_at", when.strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_role("button", name="Save and publish").click()
    expect(desk.locator(".status-scheduled")).to_contain_text(
        f"Scheduled for {when.day} {when:%B %Y}, {when.hour}:{when:%M} UTC"
    )

    reader = new_context().new_page()
    for path in ("/", "/search?q=regatta", "/feed.atom"):
        reader.goto(path)
        expect(reader.locator("body")).not_to_contain_text("Regatta moved")
    assert reader.goto("/articles/regatta-moved-to-the-spring").status == 404

    with time_machine.travel(when + timedelta(minutes=1)):
        huey = live_server.app.extensions["jobs"].huey
        for task in huey.read_schedule(huey._get_timestamp()):  # what the worker does at that time
            huey.execute(task)
        reader.goto("/")
        reader.get_by_role("link", name="Regatta moved to the spring").first.click()
        expect(reader.locator("h1#story-title")).to_have_text("Regatta moved to the spring")
        reader.goto("/search?q=regatta")
        expect(reader.get_by_role("link", name="Regatta moved to the spring")).to_be_visible()
