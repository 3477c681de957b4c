"""An editor gives an article a lead image; readers see it (srcset, og:image), loaded under the strict CSP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from blog.models import Article
from tests.browser.helpers import axe_violations, describe, sign_in

DATABASE = "sqlite"  # uploads on the embedded default (files beside the database); the app tests cover both (conftest)

pytestmark = pytest.mark.browser


def test_editor_adds_a_lead_image_and_readers_see_it(new_context, live_server, tmp_path):
    editor = live_server.user("Ines Castell", role="editor")
    slug = live_server.article("Tall ships arrive for the regatta", author=editor)
    with live_server.session() as s:
        article_id = s.scalar(sa.select(Article.id).filter_by(slug=slug))
    photo = tmp_path / "tall-ships.jpg"
    Image.new("RGB", (2000, 1300), (40, 90, 150)).save(photo, "JPEG")

    page = new_context().new_page()
    sign_in(page, editor.email)
    page.goto(f"/editorial/articles/{article_id}")
    page.set_input_files("#lead-image", str(photo))
    page.click("button[name=action][value=save]")
    expect(page.locator("#lead-alt_text")).to_have_attribute("aria-invalid", "true")  # alt text is required
    expect(page.locator("#lead-alt_text-error")).to_contain_text("Describe the lead image")
    page.set_input_files("#lead-image", str(photo))  # a browser never sends a file twice
    page.fill("#lead-alt_text", "Three tall ships under sail off the breakwater")
    page.fill("#lead-credit", "Photo: Ines Castell")
    page.click("button[name=action][value=save]")
    expect(page.locator(".flash-success")).to_contain_text("Saved")
    expect(page.locator("fieldset.lead-image img")).to_be_visible()
    # The same picture in the body too: the form lists the library's pictures, media.js inserts the Markdown
    page.locator("details.insert-pictures summary").click()
    page.get_by_role("button", name="Insert into the body: ![Three tall ships").click()
    assert "![Three tall ships under sail off the breakwater](/media/" in page.input_value("#body")
    page.click("button[name=action][value=save]")
    expect(page.locator(".flash-success")).to_contain_text("Saved")

    page.goto("/editorial/media")  # the picture is in the library too, with its Markdown and a Copy button
    expect(page.get_by_role("button", name="Copy the Markdown of ![Three tall ships")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    reader = new_context().new_page()
    reader.goto(f"/articles/{slug}")
    lead = reader.locator("figure.lead-image img")
    expect(lead).to_have_attribute("alt", "Three tall ships under sail off the breakwater")
    srcset = lead.get_attribute("srcset") or ""
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == ["480w", "960w", "1600w", "2000w"]
    assert lead.get_attribute("loading") is None
    expect(lead).to_have_js_property("complete", True)  # polled by Playwright's own script: the page's CSP forbids eval
    assert lead.evaluate("img => img.naturalWidth") > 0  # the browser loaded it: same origin, CSP allows it
    og_image = reader.locator("meta[property='og:image']").get_attribute("content") or ""
    assert og_image.startswith("http") and og_image.endswith(".webp")
    expect(reader.locator("figure.lead-image figcaption")).to_contain_text("Photo: Ines Castell")
    in_body = reader.locator(".story-body img")
    expect(in_body).to_have_attribute("loading", "lazy")
    in_body.scroll_into_view_if_needed()
    expect(in_body).to_have_js_property("complete", True)
    assert in_body.evaluate("img => img.naturalWidth") > 0
