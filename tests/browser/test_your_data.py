"""A commenter's own data, as a reader gets to it: the footer link, the mail, the list, the download, the erasure."""

from __future__ import annotations

import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from blog.models import CommentStatus
from tests.browser.conftest import email_for
from tests.browser.helpers import axe_violations, describe
from tests.helpers import SMTPInbox

DATABASE = "sqlite"  # a commenter's data requests on the embedded default; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox(live_server):
    smtp = SMTPInbox().start()
    config = live_server.app.config
    saved = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER="desk@example.org")
    yield smtp
    config.update(saved)
    smtp.stop()


def test_request_my_data_download_it_and_erase_it(new_context, live_server, inbox):
    author = live_server.user("Keziah Pascoe")
    slug = live_server.article("Harbour wall repairs begin", author=author)
    live_server.comment(slug, name="Wren Penhallow", body="About time too.", status=CommentStatus.APPROVED)
    live_server.comment(slug, name="Jory Tregear", body="The old wall lasted a century.", status=CommentStatus.APPROVED)
    me = email_for("Wren Penhallow")

    page = new_context().new_page()
    page.goto(f"/articles/{slug}")
    page.get_by_role("link", name="Your comments and data").click()
    assert (violations := axe_violations(page)) == [], describe(violations)
    page.get_by_label("Your email address").fill(me)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("status")).to_contain_text("If we hold comments from that address, we have sent a link")

    ((recipients, message),) = inbox.messages
    assert recipients == [me]
    link = urlsplit(re.search(r"\S+/your-data/comments\?token=\S+", message.get_content()).group(0))
    page.goto(f"{link.path}?{link.query}")
    expect(page.get_by_role("heading", name="Your comments and data")).to_be_visible()
    expect(page.locator("main")).to_contain_text("About time too.")
    expect(page.locator("main")).not_to_contain_text("The old wall lasted a century.")
    assert (violations := axe_violations(page)) == [], describe(violations)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename == "your-data.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        data = json.loads(archive.read("your-data.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert [(c["name"], c["body_text"]) for c in data["comments"]] == [("Wren Penhallow", "About time too.")]
    assert "Jory" not in everything and "old wall" not in everything

    page.get_by_role("button", name="Erase…").click()  # keep the text, signed "Anonymous" (the default)
    expect(page.locator("main")).to_contain_text("This cannot be undone")
    page.get_by_role("button", name="Yes, erase my data").click()
    expect(page.get_by_role("status")).to_contain_text('1 comment now signed "Anonymous"')

    page.goto(f"/articles/{slug}")
    comments = page.locator("#comments")
    expect(comments).to_contain_text("Anonymous")
    expect(comments).to_contain_text("About time too.")
    expect(comments).not_to_contain_text("Wren Penhallow")
