"""An author's journey: a Markdown bio and a photo, seen where readers see them; other people's profiles refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import sign_in

DATABASE = "postgresql"  # an author's own page on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
BIO = "Covers the **harbour** and the ferries. Tips: [the newsroom](https://example.org/tips)."


def png_photo() -> bytes:
    """A 320 px square portrait stand-in: two colours, so a broken resize would show."""
    image = Image.new("RGB", (320, 320), (22, 89, 109))
    image.paste((242, 183, 5), (80, 80, 240, 240))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_author_edits_bio_and_photo_and_cannot_edit_anyone_else(new_context, live_server):
    author = live_server.user("Farid Mensah")
    colleague = live_server.user("Kerra Jewell", bio="Arts and culture.")
    slug = live_server.article("New ferry named after a local teacher", author=author)
    page = new_context().new_page()
    sign_in(page, author.email)

    page.locator(".staff-bar").get_by_role("link", name="My profile").click()
    expect(page).to_have_url("/account/profile")
    expect(page.locator(".staff-bar").get_by_role("link", name="Comments")).to_have_count(0)  # not an editor
    page.fill("#bio", BIO)
    upload = {"name": "me.png", "mimeType": "image/png", "buffer": png_photo()}
    page.set_input_files("input[name=avatar]", files=[upload])
    page.click("form.stack-form button[value=save]")
    expect(page.locator(".flashes")).to_contain_text("Your profile has been saved.")
    expect(page.locator("#bio")).to_have_value(BIO)  # the source is kept for the next edit
    expect(page.locator(".avatar-row img.avatar-photo")).to_be_visible()

    for url, box in ((f"/articles/{slug}", ".author-box"), (f"/authors/{author.slug}", ".profile")):
        page.goto(url)
        bio = page.locator(f"{box} .author-box-bio, {box} .profile-bio")
        expect(bio.locator("strong")).to_have_text("harbour")
        link = bio.get_by_role("link", name="the newsroom")
        expect(link).to_have_attribute("href", "https://example.org/tips")
        photo = page.locator(f"{box} img.avatar-photo")
        expect(photo).to_have_attribute("alt", "Photo of Farid Mensah")
        expect(photo).to_be_visible()
        width, height = photo.evaluate("img => [img.complete && img.naturalWidth, img.naturalHeight]")
        assert width == height == 256, "the uploaded photo is served, cropped to a 256 px square"

    response = page.goto(f"/editorial/users/{colleague.id}/profile")
    assert response.status == 403
    expect(page.locator("#bio")).to_have_count(0)
    expect(page.get_by_text("Arts and culture.")).to_have_count(0)
