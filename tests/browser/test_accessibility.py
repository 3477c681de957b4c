"""Accessibility on the demo site: axe-core finds nothing serious, and the keyboard alone can comment and moderate."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.helpers import axe_violations, comment_id_from_url, comment_item, describe, focused, sign_in, tab_to

pytestmark = pytest.mark.browser
DATABASE = "sqlite"  # markup and layout: the database under the pages changes nothing checked here

PAGES = {  # name: (path, who is signed in)
    "home": ("/", None),
    "article": ("/articles/{story}", None),
    "author": ("/authors/{author}", None),
    "search": ("/search?q=ferry+slipway", None),
    "login": ("/login", None),
    "privacy": ("/privacy", None),
    "desk": ("/moderation/", "editor"),
    "profile": ("/account/profile", "writer"),
    "my-articles": ("/editorial/", "writer"),
    "new-article": ("/editorial/articles/new", "writer"),
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_problems(new_context, demo_site, name):
    path, who = PAGES[name]
    page = new_context().new_page()
    if who:
        sign_in(page, getattr(demo_site, who))
    page.goto(path.format(**vars(demo_site)))
    expect(page.locator("main h1").first).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_axe_finds_no_serious_problems_in_a_form_sent_back(new_context, demo_site):
    page = new_context().new_page()
    page.goto(f"/articles/{demo_site.story}")
    page.fill("#email", "not an address")
    page.click("form.comment-form button[type=submit]")
    expect(page.locator("#email-error")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_keyboard_user_can_write_and_send_a_comment(new_context, demo_site):
    page = new_context().new_page()
    page.goto(f"/articles/{demo_site.story}")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content" and skip["visible"]
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # on screen while it has the focus

    tab_to(page, lambda el: el["id"] == "body")  # every stop on the way shows where the focus is
    page.keyboard.type("Marram Sands still has no power at number 12.")
    stops = []
    for text in ("Sennen Hosking", "sennen@example.net", ""):
        stops += tab_to(page, lambda el: el["tag"] in ("input", "textarea", "button"), limit=1)
        page.keyboard.type(text)
    stops += tab_to(page, lambda el: el["tag"] == "button", limit=3)
    assert [s["id"] or s["text"] for s in stops] == ["name", "email", "website", "remember", "notify", "Post Comment"]
    page.keyboard.press("Enter")

    page.wait_for_url("**#comment-*")
    comment_id_from_url(page)
    expect(comment_item(page, "Marram Sands still has no power").locator(".comment-awaiting")).to_be_visible()


def test_a_keyboard_user_can_moderate_on_the_desk(new_context, live_server, demo_site):
    page = new_context().new_page()
    sign_in(page, demo_site.editor)
    page.goto("/moderation/")
    first, second, third = demo_site.held

    tab_to(page, lambda el: el["formaction"].endswith(f"/comments/{first}/approve"))
    page.keyboard.press("Enter")
    # in place (desk.js): the row says what happened, and the focus moves to its Undo, not to the page's top
    expect(page.locator(f"#row-{first} .row-notice")).to_contain_text(f"Comment {first} approved.")
    expect(page.locator(f"#row-{first} .row-undo")).to_be_focused()
    assert live_server.status_of(first) is CommentStatus.APPROVED

    tab_to(page, lambda el: el["id"] == "bulk-action", backwards=True)
    for _ in range(6):
        if page.locator("#bulk-action").input_value() == "spam":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#bulk-action")).to_have_value("spam")
    tab_to(page, lambda el: el["id"] == "select-all")
    page.keyboard.press("Space")  # desk.js: every row selected ...
    expect(page.locator("tbody input[name=ids]:not(:checked)")).to_have_count(0)
    page.keyboard.press("Space")  # ... and none
    expect(page.locator("tbody input[name=ids]:checked")).to_have_count(0)
    tab_to(page, lambda el: el["id"] == f"select-{second}")
    page.keyboard.press("Space")
    expect(page.locator("#select-all")).to_have_js_property("indeterminate", True)
    tab_to(page, lambda el: el["text"] == "Apply", backwards=True)
    page.keyboard.press("Enter")

    expect(page.locator(f"#row-{second}")).to_have_count(0)
    expect(page.locator(f"#row-{third}")).to_be_visible()
    assert live_server.status_of(second) is CommentStatus.SPAM
    assert live_server.status_of(third) is CommentStatus.PENDING
