"""The mail outbox against a real SMTP server (aiosmtpd) and the real database: the mail is a row written with the
comment, sent after the commit by the job queue, retried until it goes out, given up on after a day, and never
sent twice."""

import threading
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa

from blog import jobs
from blog.extensions import db
from blog.models import OutboxMail
from blog.orm import utcnow
from blog.services import outbox_mail
from tests.helpers import SMTPInbox

# An attempt that failed may be tried again at once: the tests move on without waiting for the backoff.
NO_BACKOFF = {"MAIL_RETRY_DELAY": 0, "MAIL_DEFAULT_SENDER": "desk@example.org", "MAIL_SERVER": "127.0.0.1"}


@pytest.fixture
def smtp():
    """A mail server that is down until the test starts it (``smtp.start()``)."""
    inbox = SMTPInbox()
    yield inbox
    inbox.stop()


@pytest.fixture
def mail_app(app, smtp):
    app.config["MAIL_PORT"] = smtp.port
    return app


def mails(app) -> list[OutboxMail]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return list(rows)


def send_due(runner) -> str:
    result = runner.invoke(args=["blog", "mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.app_config(**NO_BACKOFF)
def test_smtp_down_comments_still_accepted_then_every_mail_delivered_exactly_once(
    mail_app, smtp, runner, make_user, make_article, post_comment
):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Harbour works", slug="harbour")
    for n in range(3):  # first comments are held: each is a mail to the editors
        response = post_comment("harbour", name=f"Reader {n}", email=f"reader{n}@example.net", body=f"Comment {n}")
        assert response.status_code == 303
    queued = mails(mail_app)
    assert len(queued) == 3
    assert all(m.sent_at is None and m.attempts == 1 and m.last_error for m in queued)  # tried after the commit
    assert len({m.message_id for m in queued}) == 3

    assert "0 sent, 3 failed" in send_due(runner)  # still down: a second attempt each
    smtp.start()
    assert send_due(runner).startswith("Mail: 3 sent, 0 failed (will be retried), 0 undeliverable; 0 due")
    assert send_due(runner).startswith("Mail: 0 sent")  # nothing is sent twice
    assert len(smtp.messages) == 3
    delivered = {message["Message-ID"]: (recipients, message) for recipients, message in smtp.messages}
    assert set(delivered) == {m.message_id for m in queued}  # the Message-ID chosen when the row was written
    for m in mails(mail_app):
        assert m.sent_at is not None and m.attempts == 3 and m.last_error is None
        recipients, message = delivered[m.message_id]
        assert recipients == ["eda@example.org"] and message["From"] == "desk@example.org"
        assert m.message_id.endswith("@localhost>")  # the site's domain (SITE_URL)
    with mail_app.app_context():  # a worker that runs the task again (a repeat delivery) sends nothing either
        assert outbox_mail.deliver_mail(queued[0].id) is outbox_mail.Outcome.SKIPPED
    assert len(smtp.messages) == 3


@pytest.mark.app_config(**NO_BACKOFF)
def test_the_periodic_task_retries_what_is_due(mail_app, smtp, make_user, make_article, post_comment):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Tides", slug="tides")
    assert post_comment("tides").status_code == 303
    smtp.start()
    with mail_app.app_context():
        jobs.enqueue(outbox_mail.retry_due_mail)  # as the consumer's scheduler does every minute
    assert len(smtp.messages) == 1
    assert smtp.messages[0][1]["Message-ID"] == mails(mail_app)[0].message_id


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1")
def test_backoff_doubles_and_the_mail_is_undeliverable_after_a_day(
    mail_app, smtp, runner, client, make_user, make_article, post_comment
):
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Storm", slug="storm")
    assert post_comment("storm").status_code == 303
    (first,) = mails(mail_app)
    assert first.next_attempt_at - first.created_at >= timedelta(seconds=60)  # attempt 1 failed: a minute
    assert send_due(runner).startswith("Mail: 0 sent, 0 failed")  # not due yet

    with mail_app.app_context():
        later = first.created_at + timedelta(minutes=5)
        assert outbox_mail.deliver_due(later) == {outbox_mail.Outcome.FAILED: 1}
        (second,) = mails(mail_app)
        assert (second.attempts, second.next_attempt_at - later) == (2, timedelta(minutes=2))  # then two
        assert outbox_mail.deliver_due(first.created_at + timedelta(days=1, minutes=1)) == {
            outbox_mail.Outcome.UNDELIVERABLE: 1
        }
    (given_up,) = mails(mail_app)
    assert given_up.failed_at is not None and given_up.sent_at is None and given_up.attempts == 3
    assert given_up.message_id == first.message_id

    health = client.get("/healthz")
    assert health.status_code == 200  # a bounced mail does not take the node out of service
    assert health.get_json() | {"mail_undeliverable": 1, "mail_due": 0} == health.get_json()
    smtp.start()
    assert send_due(runner).startswith("Mail: 0 sent, 0 failed (will be retried), 0 undeliverable; 0 due, 1 undeliv")
    assert smtp.messages == []


@pytest.mark.app_config(**NO_BACKOFF)
def test_an_address_the_server_refuses_for_good_is_undeliverable_at_once(mail_app, smtp, runner, client):
    """ "No such user" (5.1.1) or a disabled mailbox (5.2.1) will not change: one attempt, not a day of them. A
    refusal a fix could cure (relaying denied, a busy mailbox, a bare 550 that says no more) is tried again."""
    smtp.refuse = {
        "gone@example.net": "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown",
        "closed@example.net": "550 5.2.1 Mailbox disabled",
        "relay@example.net": "554 5.7.1 <relay@example.net>: Relay access denied",
        "busy@example.net": "450 4.2.1 Mailbox busy, try later",
        "vague@example.net": "550 Requested action not taken",
    }
    smtp.start()
    with mail_app.test_request_context():
        for name in ("gone", "closed", "relay", "busy", "vague"):
            outbox_mail.queue_mail([f"{name}@example.net"], f"To {name}", "Hello.")
        db.session.commit()  # each is tried once now (immediate mode)
    rows = {m.recipients[0].split("@")[0]: m for m in mails(mail_app)}
    for name in ("gone", "closed"):
        assert rows[name].failed_at is not None and rows[name].attempts == 1, name
    assert rows["gone"].last_error == "SMTPRecipientsRefused: 1 recipient(s) refused (550 5.1.1)"  # no address
    for name in ("relay", "busy", "vague"):
        assert rows[name].failed_at is None and rows[name].attempts == 1, name
    assert rows["relay"].last_error == "SMTPRecipientsRefused: 1 recipient(s) refused (554 5.7.1)"
    assert rows["vague"].last_error == "SMTPRecipientsRefused: 1 recipient(s) refused (550)"

    smtp.refuse = {"gone@example.net": smtp.refuse["gone@example.net"]}  # the relay fixed, the mailbox free
    assert send_due(runner).startswith("Mail: 3 sent, 0 failed (will be retried), 0 undeliverable; 0 due, 2 undeliv")
    assert sorted(recipients[0] for recipients, _ in smtp.messages) == [
        "busy@example.net",
        "relay@example.net",
        "vague@example.net",
    ]
    assert client.get("/healthz").get_json()["mail_undeliverable"] == 2


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1")
def test_a_mail_whose_transaction_rolls_back_is_never_sent(mail_app, smtp, runner):
    smtp.start()
    with mail_app.test_request_context():
        assert outbox_mail.queue_mail(["eda@example.org"], "Never", "Rolled back.") is not None
        db.session.rollback()
        assert outbox_mail.queue_mail(["eda@example.org"], "Sent", "Committed.") is not None
        db.session.commit()  # its task runs (immediate mode) once the commit is done
    assert [message["Subject"] for _, message in smtp.messages] == ["Sent"]
    send_due(runner)
    assert [m.subject for m in mails(mail_app)] == ["Sent"] and len(smtp.messages) == 1


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1")
def test_a_savepoint_neither_sends_early_nor_drops_the_mail(mail_app, smtp):
    """SQLAlchemy reports a SAVEPOINT's release and rollback as commit and rollback events too: the mail waits
    for the real commit (sent earlier, another connection could not see its row yet)."""
    smtp.start()
    with mail_app.test_request_context():
        outbox_mail.queue_mail(["eda@example.org"], "Kept", "Through savepoints.")
        with db.session.begin_nested():
            pass
        assert smtp.messages == []
        savepoint = db.session.begin_nested()
        savepoint.rollback()
        db.session.commit()
    assert [message["Subject"] for _, message in smtp.messages] == ["Kept"]


@pytest.mark.app_config(JOBS_BACKEND="sqlite", MAIL_SERVER="127.0.0.1")
def test_with_a_real_queue_the_request_only_queues_the_mail(
    mail_app, smtp, client, make_user, make_article, post_comment
):
    """No request waits for SMTP: the comment's request stores the row and queues a task; a worker sends it."""
    smtp.start()
    make_user("Eda Editor", role="editor", email="eda@example.org")
    make_article("Quay", slug="quay")
    assert post_comment("quay").status_code == 303
    assert smtp.messages == [] and mails(mail_app)[0].attempts == 0
    health = client.get("/healthz").get_json()
    assert (health["queue"], health["queue_pending"], health["mail_due"]) == ("ok", 1, 1)

    huey = mail_app.extensions["jobs"].huey  # a consumer's step, run here: take the task, execute it
    assert huey.storage.filename.endswith("jobs.sqlite3")
    huey.execute(huey.dequeue())
    assert len(smtp.messages) == 1
    (sent,) = mails(mail_app)
    assert sent.sent_at is not None and smtp.messages[0][1]["Message-ID"] == sent.message_id
    assert client.get("/healthz").get_json()["queue_pending"] == 0


def test_no_editors_no_mail(app, make_article, post_comment):
    make_article("Alone", slug="alone")
    assert post_comment("alone").status_code == 303
    assert mails(app) == []


def test_queue_storage_follows_the_settings(tmp_path):
    from blog.jobs import backend, sqlite_path

    inst = str(tmp_path)
    assert backend({"SQLALCHEMY_DATABASE_URI": "sqlite:///blog.sqlite3"}) == "sqlite"
    assert backend({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == "redis"
    assert backend({"REDIS_URL": "redis://127.0.0.1:6379/0", "JOBS_BACKEND": "sqlite"}) == "sqlite"
    with pytest.raises(ValueError, match="JOBS_BACKEND must be one of"):
        backend({"JOBS_BACKEND": "cron"})
    assert sqlite_path({"SQLALCHEMY_DATABASE_URI": "sqlite:///blog.sqlite3"}, inst) == f"{inst}/blog.jobs.sqlite3"
    assert sqlite_path({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/site/b.db"}, inst) == "/srv/site/b.jobs.sqlite3"
    assert sqlite_path({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/b"}, inst) == f"{inst}/jobs.sqlite3"
    assert sqlite_path({"SQLALCHEMY_DATABASE_URI": "sqlite://", "JOBS_SQLITE_PATH": "q.db"}, inst) == f"{inst}/q.db"


def test_retry_delay_doubles_up_to_the_maximum(app):
    with app.app_context():
        delays = [outbox_mail.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 50)]
    assert delays == [60, 120, 240, 3600, 3600, 3600]


def test_counts_on_an_empty_outbox(app):
    with app.app_context():
        assert outbox_mail.counts(utcnow()) == (0, 0)


@pytest.mark.parametrize("backend", ["sqlite-file", "postgresql"])
def test_workers_racing_for_one_mail_send_it_once(request, tmp_path, smtp, backend):
    """Several worker threads handed the same mail at the same moment (a repeat delivery, the periodic retry):
    the claim lets one of them send it. Each thread has its own connection (a file, not an in-memory SQLite)."""
    from blog import create_app
    from tests.conftest import app_config

    url = f"sqlite:///{tmp_path}/race.sqlite3" if backend == "sqlite-file" else request.getfixturevalue("postgres_url")
    app = create_app(
        app_config(SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port),
        instance_path=str(tmp_path / "racer"),
    )
    smtp.start()
    with app.app_context():
        flask_migrate.upgrade()  # PostgreSQL: at head already when other tests ran first
        row = OutboxMail(recipients=["eda@example.org"], subject="Once", body="Only once.", message_id="<1@localhost>")
        db.session.add(row)
        db.session.commit()
        mail_id = row.id
    start = threading.Barrier(4)
    outcomes: list = []

    def worker() -> None:
        start.wait(10)
        with app.app_context():
            outcomes.append(outbox_mail.deliver_mail(mail_id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        db.session.execute(sa.delete(OutboxMail))  # PostgreSQL's database is shared with the tests that follow
        db.session.commit()
        db.engine.dispose()
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert [message["Subject"] for _, message in smtp.messages] == ["Once"]


def test_the_worker_refuses_to_start_in_immediate_mode(runner):
    result = runner.invoke(args=["blog", "worker"])
    assert result.exit_code == 1
    assert "JOBS_BACKEND is immediate" in result.output
