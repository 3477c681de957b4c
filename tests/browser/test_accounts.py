"""A forgotten password, as its owner gets out of it: the link on the sign-in page, the mail, the new password, signed
in; the mailed link works once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, describe
from tests.helpers import SMTPInbox

DATABASE = "postgresql"  # accounts and password resets on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern quarry velvet oyster"


@pytest.fixture
def inbox(live_server):
    smtp = SMTPInbox().start()
    config = live_server.app.config
    saved = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER="desk@example.org")
    yield smtp
    config.update(saved)
    smtp.stop()


def test_forgot_password_mail_link_new_password_signed_in_and_the_link_works_once(new_context, live_server, inbox):
    editor = live_server.user("Mara Quill", role="editor")
    page = new_context().new_page()
    page.goto("/")
    page.get_by_role("link", name="Newsroom sign-in").click()
    page.get_by_role("link", name="Forgot your password?").click()
    assert (violations := axe_violations(page)) == [], describe(violations)
    page.get_by_label("Email").fill(editor.email)
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to choose a new password is on its way")

    ((recipients, message),) = inbox.messages
    assert recipients == [editor.email] and message["Subject"] == "Choose a new password"
    link = urlsplit(re.search(r"\S+/account/reset-password/\S+", message.get_content()).group(0)).path
    page.goto(link)
    assert (violations := axe_violations(page)) == [], describe(violations)
    page.fill("#new", "password1")
    page.fill("#repeat", "password1")
    page.get_by_role("button", name="Set the new password and sign in").click()
    expect(page.locator("#new-error")).to_contain_text("common password")  # too weak: said next to the field
    page.fill("#new", NEW_PASSWORD)
    page.fill("#repeat", NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password and sign in").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))  # an editor lands on the desk, signed in
    expect(page.locator(".flashes")).to_contain_text("Your new password is set")

    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    expect(page.get_by_role("link", name="Mail me a new link")).to_be_visible()

    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#email", editor.email)
    page.fill("#password", NEW_PASSWORD)
    page.click("form.stack-form button[type=submit]")
    expect(page.locator(".staff-bar")).to_be_visible()
