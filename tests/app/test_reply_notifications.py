"""Reply notifications with double opt-in, against a real SMTP server (aiosmtpd): the box is off by default, the
address is confirmed once by a signed link (a GET shows a button, only the POST confirms), only approved replies
are mailed, once each, never to the replier themselves; every mail has RFC 8058 one-click unsubscribe; a rate
limit and a daily digest; consents recorded with their time."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from blog import jobs
from blog.extensions import db
from blog.models import Comment, ConsentPurpose, ConsentRecord, MailSubscription, Topic
from blog.orm import utcnow
from blog.services import notifications, retention
from blog.services.site import ensure_settings
from tests.helpers import SMTPInbox, free_port

SMTP_PORT = free_port()
pytestmark = pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)
ALICE = "alice@example.net"
LINK = re.compile(r"http://localhost/notifications/(confirm|manage|unsubscribe)/[\w.-]+")
ANOTHER_SITE = {"Origin": "https://mail.example.com", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def inbox():
    inbox = SMTPInbox(SMTP_PORT).start()
    yield inbox
    inbox.stop()


@pytest.fixture
def thread(app, make_article, make_comment):
    """An article with Alice's approved comment, and Bob, who has had a comment approved (so his replies are
    published at once)."""
    article = make_article("Harbour works", slug="harbour")
    make_comment(article, name="Bob Replier", email="bob@example.org", body="Earlier.")
    return make_comment(article, name="Alice", email=ALICE, body="What about the ferry?")


def links(message) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in LINK.finditer(message.get_content())}


def to(inbox, address: str) -> list:
    return [message for recipients, message in inbox.messages if recipients == [address]]


@pytest.fixture
def subscribe(app, inbox, post_comment):
    """Alice ticks the box with a comment, then confirms from the mail (choosing the delivery)."""

    def run(delivery: str = "immediate") -> None:
        assert post_comment("harbour", name="Alice", email=ALICE, body="Tell me.", notify="y").status_code == 303
        (confirmation,) = to(inbox, ALICE)
        response = app.test_client().post(links(confirmation)["confirm"], data={"delivery": delivery})
        assert response.status_code == 200 and "confirmed" in response.get_data(as_text=True)

    return run


def reply(post_comment, parent: int, body: str = "The ferry runs again in May.", **fields):
    fields = {"name": "Bob Replier", "email": "bob@example.org", "parent_id": str(parent), "body": body, **fields}
    assert post_comment("harbour", **fields).status_code == 303


def reply_notices(inbox) -> list:
    return [m for m in to(inbox, ALICE) if "replied to your comment" in m["Subject"] or "replies to" in m["Subject"]]


def test_the_box_is_off_by_default_and_nothing_is_sent_without_it(app, client, inbox, thread, post_comment):
    page = client.get("/articles/harbour").get_data(as_text=True)
    box = re.search(r'<input id="notify"[^>]*>', page).group(0)
    assert 'name="notify"' in box and "checked" not in box
    assert "Notify me of replies by email" in page
    assert post_comment("harbour", name="Alice", email=ALICE, body="No mail, thanks.").status_code == 303
    reply(post_comment, thread)
    assert to(inbox, ALICE) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailSubscription)) == 0


def test_confirmation_once_and_no_mail_before_it(app, inbox, thread, post_comment):
    for n in range(2):
        assert post_comment("harbour", name="Alice", email=ALICE, body=f"Tell me {n}.", notify="y").status_code == 303
    (confirmation,) = to(inbox, ALICE)  # asked twice, one confirmation mail
    assert confirmation["List-Unsubscribe"] is None  # nothing to unsubscribe from yet
    confirm = links(confirmation)["confirm"]
    reply(post_comment, thread, body="Before confirmation.")
    assert len(to(inbox, ALICE)) == 1  # not confirmed: no reply mail

    fresh = app.test_client()
    page = fresh.get(confirm)  # what a mail scanner does: changes nothing
    assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store" and "Set-Cookie" not in page.headers
    with app.app_context():
        assert db.session.scalars(sa.select(MailSubscription)).one().confirmed_at is None
    assert fresh.post(confirm, data={"delivery": "immediate"}).status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(MailSubscription)).one().confirmed_at is not None
    assert post_comment("harbour", name="Alice", email=ALICE, body="Again.", notify="y").status_code == 303
    assert len(to(inbox, ALICE)) == 1  # confirmed: no new confirmation mail


def test_an_approved_reply_mails_once_with_one_click_unsubscribe(app, inbox, thread, subscribe, post_comment):
    subscribe()
    reply(post_comment, thread, body="The ferry runs again in May.\n\nSee the timetable.")
    (mail,) = reply_notices(inbox)
    assert mail["Subject"] == "Bob Replier replied to your comment on “Harbour works”"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = mail["List-Unsubscribe"].strip("<>")
    assert one_click == links(mail)["unsubscribe"]  # the same link in the text
    text = mail.get_content()
    with app.app_context():
        reply_id = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    assert f"http://localhost/articles/harbour/comments/{reply_id}" in text
    assert "The ferry runs again in May. See the timetable." in text
    assert "bob@example.org" not in text and "bob@example.org" not in str(mail)

    # As a mail client sends it: a POST, no cookie, from wherever it runs.
    response = app.test_client().post(one_click, data="List-Unsubscribe=One-Click", headers=ANOTHER_SITE)
    assert response.status_code == 200 and "unsubscribed" in response.get_data(as_text=True)
    reply(post_comment, thread, body="Another reply.")
    assert len(reply_notices(inbox)) == 1
    with app.app_context():
        (record,) = db.session.scalars(sa.select(ConsentRecord)).all()
        assert (record.purpose, record.email) == (ConsentPurpose.REPLY_MAIL, ALICE)
        assert record.given_at is not None and record.withdrawn_at is not None


def test_unsubscribe_page_asks_first(app, inbox, thread, subscribe, post_comment):
    subscribe()
    reply(post_comment, thread)
    stop = links(reply_notices(inbox)[0])["unsubscribe"]
    page = app.test_client().get(stop)
    assert page.status_code == 200 and "Unsubscribe</button>" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(MailSubscription)).one().unsubscribed_at is None


def test_the_confirmation_link_again_after_confirming_or_unsubscribing(app, inbox, thread, subscribe, post_comment):
    subscribe()
    confirm = links(to(inbox, ALICE)[0])["confirm"]
    client = app.test_client()
    assert "is confirmed" in client.get(confirm).get_data(as_text=True)  # no second button
    reply(post_comment, thread)
    assert client.post(links(reply_notices(inbox)[0])["unsubscribe"]).status_code == 200
    for method in ("GET", "POST"):  # a stale confirmation link does not subscribe again
        response = client.open(confirm, method=method, data={"delivery": "immediate"})
        assert response.status_code == 200 and "You are unsubscribed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(MailSubscription)).one().unsubscribed_at is not None
    # Asking again with a comment starts over: a new confirmation mail, whose link works.
    assert post_comment("harbour", name="Alice", email=ALICE, body="Tell me again.", notify="y").status_code == 303
    again = links(to(inbox, ALICE)[-1])["confirm"]
    assert again != confirm and client.post(again).status_code == 200
    with app.app_context():
        subscription = db.session.scalars(sa.select(MailSubscription)).one()
        assert subscription.unsubscribed_at is None and subscription.confirmed_at is not None


def test_only_approval_sends_and_only_once(app, client, inbox, thread, subscribe, post_comment, sign_in):
    subscribe()
    for n in range(2):  # first comments: pending
        reply(post_comment, thread, body=f"Held reply {n}.", name=f"New Person {n}", email=f"new{n}@example.org")
    assert reply_notices(inbox) == []
    with app.app_context():
        held, second = db.session.scalars(sa.select(Comment.id).order_by(Comment.id.desc()).limit(2)).all()[::-1]
    sign_in("editor")
    assert client.post(f"/moderation/comments/{held}/spam").status_code == 303
    assert reply_notices(inbox) == []
    assert client.post(f"/moderation/comments/{held}/approve").status_code == 303
    assert len(reply_notices(inbox)) == 1
    for action in ("unapprove", "approve"):
        assert client.post(f"/moderation/comments/{held}/{action}").status_code == 303
    assert len(reply_notices(inbox)) == 1  # approved again: not mailed twice
    assert client.post("/moderation/bulk", data={"ids": [str(second)], "action": "approve"}).status_code == 303
    assert len(reply_notices(inbox)) == 2


def test_block_words_send_a_reply_to_spam_and_nobody_is_mailed(app, inbox, thread, subscribe, post_comment):
    subscribe()
    with app.app_context():
        ensure_settings().block_words = "casino"
        db.session.commit()
    reply(post_comment, thread, body="Visit my casino.")
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.status).order_by(Comment.id.desc()).limit(1)) == "spam"
    assert reply_notices(inbox) == []


def test_no_mail_for_replying_to_oneself(app, inbox, thread, subscribe, post_comment, make_comment):
    subscribe()
    with app.app_context():
        article_id = db.session.scalar(sa.select(Comment.article_id))
    make_comment(article_id, name="Alice", email=ALICE, body="Approved before, so known.")
    reply(post_comment, thread, name="Alice", email=ALICE, body="And one more thing.")
    assert reply_notices(inbox) == []


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT, NOTIFY_RATE_LIMIT=2)
def test_rate_limit_then_the_rest_in_the_digest(app, inbox, thread, subscribe, post_comment):
    subscribe()
    for n in range(4):
        reply(
            post_comment, thread, body=f"I walked past the harbour works on day {n + 1} and the crane was still there."
        )
    assert len(reply_notices(inbox)) == 2  # the limit
    with app.app_context():
        jobs.enqueue(notifications.send_daily_digests)  # as the consumer's scheduler does once a day
    digest = reply_notices(inbox)[-1]
    assert digest["Subject"] == "2 replies to your comments"
    assert "on day 3 and" in digest.get_content() and "on day 4 and" in digest.get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with app.app_context():
        assert notifications.send_digests() == 0  # nothing left
        # An hour later the limit has room again.
        subscription = db.session.scalars(sa.select(MailSubscription).where(MailSubscription.email == ALICE)).one()
        assert notifications._sent_last_hour(subscription, utcnow() + timedelta(minutes=61)) == 0


def test_the_digest_can_be_sent_from_the_command_line(app, inbox, thread, subscribe, post_comment, runner):
    """For a site that runs cron rather than the worker: "mail digest" writes them, "mail send" delivers them."""
    subscribe(delivery="daily")
    reply(post_comment, thread, body="A reply for the morning mail.")
    assert reply_notices(inbox) == []
    result = runner.invoke(args=["blog", "mail", "digest"])
    assert result.exit_code == 0 and result.output == "Digests: 1 written.\n"
    runner.invoke(args=["blog", "mail", "send"])
    (digest,) = reply_notices(inbox)
    assert "A reply for the morning mail." in digest.get_content()
    assert runner.invoke(args=["blog", "mail", "digest"]).output == "Digests: 0 written.\n"


def test_daily_digest_instead_of_each_reply(app, inbox, thread, subscribe, post_comment):
    subscribe(delivery="daily")
    reply(post_comment, thread, body="First reply.")
    reply(post_comment, thread, body="Second reply.")
    assert reply_notices(inbox) == []
    with app.app_context():
        assert notifications.send_digests() == 1
    (digest,) = reply_notices(inbox)
    assert "First reply." in digest.get_content() and "Second reply." in digest.get_content()
    # Back to each reply, from the link in any mail.
    manage = links(digest)["manage"]
    assert app.test_client().post(manage, data={"delivery": "immediate"}).status_code == 200
    reply(post_comment, thread, body="Third reply.")
    assert len(reply_notices(inbox)) == 2


def test_bad_links_get_a_clear_400(app, inbox, thread, post_comment, monkeypatch):
    assert post_comment("harbour", name="Alice", email=ALICE, body="Tell me.", notify="y").status_code == 303
    confirm = links(to(inbox, ALICE)[0])["confirm"]
    client = app.test_client()
    tampered = confirm[:-3] + ("aaa" if not confirm.endswith("aaa") else "bbb")
    for url, words in [
        ("/notifications/confirm/nonsense", "damaged"),
        (tampered, "damaged"),
        (confirm.replace("/confirm/", "/unsubscribe/"), "damaged"),  # another purpose's salt
        ("/notifications/manage/", None),
    ]:
        response = client.get(url)
        if words is None:
            assert response.status_code == 404
            continue
        assert response.status_code == 400, url
        assert words in response.get_data(as_text=True)
        assert client.post(url, data="List-Unsubscribe=One-Click").status_code == 400
    week_later = TimestampSigner.get_timestamp(None) + 8 * 24 * 3600  # type: ignore[arg-type]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: week_later)
    expired = client.get(confirm)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    monkeypatch.undo()
    with app.app_context():  # the subscription is erased: its links are dead
        notifications.erase(ALICE)
        db.session.commit()
    gone = client.get(confirm)
    assert gone.status_code == 400 and "no longer valid" in gone.get_data(as_text=True)


def test_remember_me_consent_is_recorded_and_withdrawn(app, client, thread, post_comment):
    for n in range(2):  # given once: the first time says when
        assert (
            post_comment("harbour", name="Alice", email=ALICE, body=f"Remember {n}.", remember="y").status_code == 303
        )
    assert post_comment("harbour", name="Alice", email=ALICE, body="Forget me.").status_code == 303
    with app.app_context():
        (record,) = db.session.scalars(sa.select(ConsentRecord)).all()
        assert record.purpose is ConsentPurpose.REMEMBER_ME and record.comment_id is not None
        assert record.withdrawn_at is not None and record.withdrawn_at >= record.given_at


def test_an_editor_can_stop_the_held_comment_mail(app, inbox, make_user, make_article, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Quiet", slug="quiet")
    assert post_comment("quiet", body="First held.").status_code == 303
    (held,) = to(inbox, "eda@example.org")
    assert "pat@example.net" not in str(held)
    stop = held["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(stop, data="List-Unsubscribe=One-Click", headers=ANOTHER_SITE).status_code == 200
    assert post_comment("quiet", body="Second held.").status_code == 303
    assert len(to(inbox, "eda@example.org")) == 1
    with app.app_context():
        row = db.session.scalars(sa.select(MailSubscription)).one()
        assert row.topic is Topic.HELD and row.unsubscribed_at is not None


def test_links_survive_a_key_rotation_with_the_old_key_as_fallback(app, inbox, thread, subscribe, post_comment):
    subscribe()
    reply(post_comment, thread)
    stop = links(reply_notices(inbox)[0])["unsubscribe"]
    app.config.update(SECRET_KEY="a-new-secret", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    assert app.test_client().get(stop).status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert app.test_client().get(stop).status_code == 400


def test_unconfirmed_subscriptions_are_purged_once_their_link_has_expired(app, inbox, thread, subscribe, post_comment):
    assert (
        post_comment("harbour", name="Bob Replier", email="bob@example.org", body="Me too.", notify="y").status_code
        == 303
    )
    subscribe()  # Alice confirms; Bob never does
    with app.app_context():
        rule = "unconfirmed reply subscriptions deleted"
        assert retention.purge(utcnow())[rule] == 0  # Bob's link still works
        assert retention.purge(utcnow() + timedelta(days=8))[rule] == 1
        db.session.commit()
        assert [s.email for s in db.session.scalars(sa.select(MailSubscription))] == [ALICE]
