"""Reply notifications as a reader meets them: tick the box, confirm from the mail (read from a real SMTP server),
a reply is published, one mail arrives, and its one-click unsubscribe works when sent as a mail client sends it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blog.models import CommentStatus, MailSubscription
from tests.browser.conftest import email_for
from tests.browser.helpers import axe_violations, describe, fill_comment
from tests.helpers import SMTPInbox

DATABASE = "postgresql"  # mail subscriptions on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser
SITE_URL = "http://localhost"  # the app's SITE_URL in tests: the mails' links are built from it


@pytest.fixture(scope="module")
def site(live_server):
    inbox = SMTPInbox().start()
    live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    author = live_server.user("Morwenna Keast")
    slug = live_server.article("Ferry timetable under review", author=author)
    parent = live_server.comment(
        slug, name="Alice Penrose", body="Will the early sailing stay?", status=CommentStatus.APPROVED
    )
    live_server.comment(slug, name="Bob Tregear", body="An earlier comment.", status=CommentStatus.APPROVED)
    yield SimpleNamespace(slug=slug, parent=parent, inbox=inbox)
    inbox.stop()


def mails_to(inbox, address: str) -> list:
    return [message for recipients, message in inbox.messages if recipients == [address]]


def local(url: str, live_server) -> str:
    return url.replace(SITE_URL, live_server.url)


def test_subscribe_confirm_reply_unsubscribe(new_context, site, live_server):
    alice, bob = email_for("Alice Penrose"), email_for("Bob Tregear")
    page = new_context().new_page()
    page.goto(f"/articles/{site.slug}")
    expect(page.locator("#notify")).not_to_be_checked()  # off by default
    fill_comment(page, body="Please tell me about answers.", name="Alice Penrose", email=alice, notify=True)
    expect(page.locator("#comment-notice")).to_be_visible()

    (confirmation,) = mails_to(site.inbox, alice)
    confirm = re.search(r"http://\S+/notifications/confirm/\S+", confirmation.get_content()).group(0)
    page.goto(local(confirm, live_server))
    assert (violations := axe_violations(page)) == [], describe(violations)
    page.get_by_label("One mail a day").check()
    page.get_by_label("A mail for each one").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("your subscription is confirmed")

    # Bob, whose earlier comment was approved, replies: published at once, so Alice is mailed.
    replier = new_context().new_page()
    replier.goto(f"/articles/{site.slug}?replytocom={site.parent}")
    fill_comment(replier, body="Yes, the 07:10 stays all year.", name="Bob Tregear", email=bob)
    expect(replier.locator("#comment-notice")).to_have_text("Your comment is published.")
    (mail,) = [m for m in mails_to(site.inbox, alice) if "replied" in m["Subject"]]
    assert "Yes, the 07:10 stays all year." in mail.get_content() and bob not in str(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The permalink in the mail opens the reply.
    permalink = re.search(r"http://\S+/articles/\S+/comments/\d+", mail.get_content()).group(0)
    page.goto(local(permalink, live_server))
    expect(page.locator(".comment:target")).to_contain_text("the 07:10 stays all year")

    # One click, as a mail client sends it: a POST with no cookie, from another origin.
    mail_client = new_context().request
    one_click = local(mail["List-Unsubscribe"].strip("<>"), live_server)
    answer = mail_client.post(
        one_click, form={"List-Unsubscribe": "One-Click"}, headers={"Origin": "https://webmail.example.com"}
    )
    assert answer.status == 200 and "You are unsubscribed" in answer.text()
    with live_server.session() as s:
        assert s.scalars(sa.select(MailSubscription).filter_by(email=alice)).one().unsubscribed_at is not None

    manage = re.search(r"http://\S+/notifications/manage/\S+", mail.get_content()).group(0)
    page.goto(local(manage, live_server))
    expect(page.locator(".subscription")).to_contain_text("You are unsubscribed")
    assert (violations := axe_violations(page)) == [], describe(violations)
    replier.goto(f"/articles/{site.slug}?replytocom={site.parent}")
    fill_comment(replier, body="And the 18:40 too.", name="Bob Tregear", email=bob)
    assert len([m for m in mails_to(site.inbox, alice) if "replied" in m["Subject"]]) == 1
