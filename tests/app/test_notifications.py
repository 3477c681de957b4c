"""Editors hear about held comments: by SMTP when configured (tested against a real server), else a log line.
The mail goes through the outbox (tests/app/test_outbox_mail.py); here the queue runs tasks at once."""

import logging

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, OutboxMail
from tests.helpers import SMTPInbox, free_port

SMTP_PORT = free_port()


@pytest.fixture
def smtp_inbox():
    inbox = SMTPInbox(SMTP_PORT).start()
    yield inbox
    inbox.stop()


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT, MAIL_DEFAULT_SENDER="desk@example.org")
def test_held_comment_mails_active_editors_after_commit(app, smtp_inbox, make_user, make_article, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_user("Ada Admin", role="admin", email="ada@example.org")
    make_user("Art Author", role="author", email="art@example.org")
    make_article("Harbour “plans” & <tides>", slug="harbour")
    assert (
        post_comment("harbour", name="Pat Reader", email="pat@example.net", body="Held for a first comment").status_code
        == 303
    )

    assert len(smtp_inbox.messages) == 2  # a mail each: each carries its reader's own unsubscribe link
    assert sorted(recipients for recipients, _ in smtp_inbox.messages) == [["ada@example.org"], ["eda@example.org"]]
    for _, message in smtp_inbox.messages:
        assert message["From"] == "desk@example.org"
        assert message["Subject"] == "[Harbour “plans” & <tides>] New comment awaiting moderation"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith("<http://localhost/notifications/unsubscribe/")
        text = message.get_content()
        assert "Held for a first comment" in text
        assert "From: Pat Reader" in text
        assert "Held because: first comment" in text
        assert "pat@example.net" not in text  # a mail to someone else: editors see the address on the desk
        assert "http://localhost/moderation/?status=pending&article=harbour" in text


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)
def test_no_mail_for_refused_or_approved_comments(app, smtp_inbox, make_user, make_article, make_comment, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    article = make_article("Quiet", slug="quiet")
    make_comment(article, name="Known Person", email="known@example.net", body="earlier")
    assert (
        post_comment(
            "quiet", name="Known Person", email="known@example.net", body="Thanks, that clears it up."
        ).status_code
        == 303
    )
    assert post_comment("quiet", name="X", email="bad-address").status_code == 422
    assert smtp_inbox.messages == []


def test_without_mail_server_a_log_line_is_written(app, caplog, make_user, make_article, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Logged", slug="logged")
    with caplog.at_level(logging.INFO, logger="blog.mail"):
        assert post_comment("logged").status_code == 303
    assert any("New comment awaiting moderation" in r.getMessage() for r in caplog.records)
    assert all("eda@example.org" not in r.getMessage() for r in caplog.records)


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
def test_unreachable_mail_server_does_not_lose_the_comment(app, caplog, make_user, make_article, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Stored anyway", slug="stored")
    with caplog.at_level(logging.WARNING, logger="blog.services.outbox_mail"):
        response = post_comment("stored")
    assert response.status_code == 303
    assert any("mail 1 not sent (attempt 1), will retry" in r.getMessage() for r in caplog.records)
    assert all("eda@example.org" not in r.getMessage() for r in caplog.records)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
        mail = db.session.scalars(sa.select(OutboxMail)).one()  # kept, to be tried again
        assert (mail.sent_at, mail.failed_at, mail.attempts) == (None, None, 1)
        assert mail.recipients == ["eda@example.org"]
        assert mail.last_error.startswith("ConnectionRefusedError")
