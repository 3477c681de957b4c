"""Screenshots of the article page, the desk and the profile page at desktop and phone widths.

They are written to ``test-artifacts/browser/`` (git-ignored) on every run; the README shows copies
from ``docs/screenshots/`` (refresh them with ``cp test-artifacts/browser/*.png docs/screenshots/``).
The layout must hold at both widths: nothing may stick out sideways and make the page scroll.
The author's draft → review → published screenshots (``authoring-*.png``) are taken along the journey in
``test_authoring.py``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, MOBILE
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser
DATABASE = "sqlite"  # markup and layout: the database under the pages changes nothing checked here

PAGES = {  # name: (path, who is signed in)
    "article": ("/articles/{story}", None),
    "desk": ("/moderation/", "editor"),
    "profile": ("/account/profile", "writer"),
}
# Elements wider than the page, or starting beyond its right edge (ignoring what is hidden on purpose).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll("*")]
    .filter(el => !el.closest(".visually-hidden, .hp-field, .skip-link"))
    .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""))
    .slice(0, 10);
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(new_context, demo_site, name, viewport):
    path, who = PAGES[name]
    page = new_context(viewport=viewport).new_page()
    if who:
        sign_in(page, getattr(demo_site, who))
    page.goto(path.format(**vars(demo_site)))
    expect(page.locator("main h1").first).to_be_visible()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    label = "desktop" if viewport is DESKTOP else "mobile"
    page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    assert page.evaluate(_OVERFLOWING) == []
