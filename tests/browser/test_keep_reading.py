"""Keep Reading inside the article, in a real browser: where the box sits in the body, on a desktop and on a
phone; its links reachable with the keyboard; axe clean. Screenshots: ``keep-reading-{desktop,mobile}.png``."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, MOBILE
from tests.browser.helpers import axe_violations, describe, sign_in

pytestmark = pytest.mark.browser
DATABASE = "sqlite"  # placement and layout: the database under the page changes nothing checked here

# The blocks around the box: what comes right before and after it, and how many paragraphs precede it.
_AROUND = """() => {
  const box = document.querySelector("aside[aria-label='Keep Reading']");
  const blocks = [...box.parentElement.children];
  const at = blocks.indexOf(box);
  return {
    parent: box.parentElement.className,
    before: blocks[at - 1] && blocks[at - 1].tagName.toLowerCase(),
    after: blocks[at + 1] && blocks[at + 1].tagName.toLowerCase(),
    afterText: blocks[at + 1] ? blocks[at + 1].textContent.trim() : "",
    paragraphsBefore: blocks.slice(0, at).filter(el => el.tagName === "P").length,
    paragraphs: blocks.filter(el => el.tagName === "P").length,
  };
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_the_box_sits_inside_the_body_before_the_sub_heading_two_thirds_through(new_context, demo_site, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto(f"/articles/{demo_site.story}")
    box = page.get_by_role("complementary", name="Keep Reading")
    expect(box).to_be_visible()
    expect(box.get_by_role("link")).to_have_count(4)

    around = page.evaluate(_AROUND)
    assert around["parent"] == "story-body"
    assert around["before"] == "p" and around["after"] == "h2", around  # a section boundary
    assert around["afterText"] == "Roads and schools"  # the sub-heading nearest two-thirds of the story
    assert around["paragraphsBefore"] >= 2
    # the story goes on after the box, and the author's box still follows the article
    assert page.locator(".story-body > p").last.bounding_box()["y"] > box.bounding_box()["y"]
    assert page.locator(".author-box").bounding_box()["y"] > box.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    label = "desktop" if viewport is DESKTOP else "mobile"
    box.scroll_into_view_if_needed()
    top = max(0, box.bounding_box()["y"] + page.evaluate("window.scrollY") - 260)
    page.screenshot(
        path=ARTIFACTS / f"keep-reading-{label}.png",
        full_page=True,
        clip={"x": 0, "y": top, "width": viewport["width"], "height": box.bounding_box()["height"] + 520},
    )

    # keyboard: Tab reaches the box's first link
    first = box.get_by_role("link").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if first.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached Keep Reading")
    assert axe_violations(page) == [], describe(axe_violations(page))


def test_the_curation_page_shows_the_scores_and_pins(new_context, demo_site):
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, demo_site.editor)
    page.goto(f"/articles/{demo_site.story}")
    page.get_by_role("link", name="Edit").click()
    section = page.locator("#keep-reading")
    table = section.get_by_role("table", name="Automatic picks")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Article", "Shared tags", "Tags", "Text", "Recency ×", "Score", "Status", "Action"]
    )
    expect(section.get_by_text("floor of 0.12")).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    # Pin the first candidate that is not curated yet: it becomes a curated link
    pin = table.get_by_role("button", name="Pin:").first
    title = pin.get_attribute("aria-label").removeprefix("Pin: ")
    pin.click()
    expect(section.locator("ol.curated-links")).to_contain_text(title)
