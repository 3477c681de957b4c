"""Editors hear about held comments: by SMTP when configured (tested against a real server), else a log line."""

import logging
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SMTP_PORT = free_port()


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


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

    assert len(smtp_inbox.messages) == 1
    recipients, message = smtp_inbox.messages[0]
    assert sorted(recipients) == ["ada@example.org", "eda@example.org"]
    assert message["From"] == "desk@example.org"
    assert message["Subject"] == "[Harbour “plans” & <tides>] New comment awaiting moderation"
    text = message.get_content()
    assert "Held for a first comment" in text
    assert "Pat Reader <pat@example.net>" in text  # editors may see the email; the public never does
    assert "first comment" in text
    assert "http://localhost/moderation/?status=pending&article=harbour" in text


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)
def test_no_mail_for_refused_or_approved_comments(app, smtp_inbox, make_user, make_article, make_comment, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    article = make_article("Quiet", slug="quiet")
    make_comment(article, name="Known Person", email="known@example.net", body="earlier")
    assert (
        post_comment("quiet", name="Known Person", email="known@example.net", body="auto-approved").status_code == 303
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
    with caplog.at_level(logging.ERROR, logger="blog.outbox"):
        response = post_comment("stored")
    assert response.status_code == 303
    assert any("after-commit task send failed" in r.getMessage() for r in caplog.records)
    with app.app_context():
        from sqlalchemy import func, select

        from blog.extensions import db
        from blog.models import Comment

        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
