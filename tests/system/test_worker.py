"""The job queue's real consumer: ``flask blog worker`` beside a gunicorn node, sending a held comment's mail to a
real SMTP server (aiosmtpd) after the request has answered."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blog.extensions import db
from blog.services import users
from tests.helpers import SMTPInbox
from tests.system.cluster import Browser, Node, migrated_database, node_env, running, scalar, seed_article


def start_worker(env: dict[str, str], logs: Path) -> subprocess.Popen:
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "worker.out", "wb") as out, open(logs / "worker.err", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "blog", "blog", "worker", "--workers", "2"],
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # graceful: tasks under way finish
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session this test started, and nothing else
            process.wait(timeout=10)
    return process.returncode


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_worker_sends_a_held_comments_mail(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path}/blog.sqlite3" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    smtp = SMTPInbox().start()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_DEFAULT_SENDER": "desk@example.org"}
    if backend == "postgresql":  # the queue's file would otherwise go to the instance folder
        settings["BLOG_JOBS_SQLITE_PATH"] = str(tmp_path / "jobs.sqlite3")
    env = node_env(url, **settings)
    worker = None
    try:
        with migrated_database(url, tmp_path) as app:
            seed_article(app, "pier")
            with app.app_context():
                users.create_user(email="eda@example.org", name="Eda Editor", role="editor", password=None)
                db.session.commit()
            with running(Node(env, tmp_path / "logs", workers=1, threads=2)) as (node,):
                worker = start_worker(env, tmp_path / "logs")
                posted = Browser(node.port).post_comment(
                    "pier", name="Pat Reader", email="pat.reader@example.net", body="First words here."
                )
                assert posted.status == 303
                wait_for(lambda: smtp.messages, what="the editors' mail")
                wait_for(
                    lambda: scalar(app, "SELECT COUNT(*) FROM outbox_mails WHERE sent_at IS NOT NULL") == 1,
                    what="the mail marked sent",
                )
                assert scalar(app, "SELECT attempts FROM outbox_mails") == 1
                health = Browser(node.port).get("/healthz")
            assert stop_worker(worker) == 0
    finally:
        if worker is not None:
            stop_worker(worker)
        smtp.stop()

    (recipients, message), *others = smtp.messages
    assert others == [] and recipients == ["eda@example.org"]
    assert message["Subject"] == "[News: pier] New comment awaiting moderation"
    assert "From: Pat Reader" in message.get_content()
    assert "pat.reader" not in message.as_string()  # a mail to someone else: the address is on the desk
    assert message["Message-ID"].endswith("@127.0.0.1>")  # the site's host name (BLOG_SITE_URL)
    assert health.status == 200 and '"queue":"ok"' in health.text.replace(" ", "")
    if backend == "sqlite":
        assert (tmp_path / "blog.jobs.sqlite3").exists()  # the queue beside the site's database
    logs = tmp_path / "logs"
    worker_output = (logs / "worker.out").read_text() + (logs / "worker.err").read_text()
    assert "deliver_mail" in worker_output  # the consumer ran the task
    assert "pat.reader" not in worker_output
