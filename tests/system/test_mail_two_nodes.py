"""Mail that is never lost, on two nodes: with the SMTP server down, two gunicorn nodes sharing PostgreSQL (each
with its own worker and queue, as machines without Redis have) still accept comments — held ones, which mail
the editors, and replies published at once, which mail a subscriber. When the server is back, both nodes send
what is due at the same moment, and every mail arrives exactly once, with the Message-ID chosen at first."""

import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, MailSubscription, Topic
from blog.orm import utcnow
from blog.services import comments, users
from tests.conftest import postgres_url_or_skip
from tests.helpers import SMTPInbox
from tests.system.cluster import Browser, Node, migrated_database, node_env, running, scalar, seed_article
from tests.system.test_worker import start_worker, stop_worker, wait_for

SLUG = "sea-wall"
ALICE = "alice.subscriber@example.net"


def test_smtp_down_then_up_every_mail_once_on_two_nodes(tmp_path):
    pg = postgres_url_or_skip()
    smtp = SMTPInbox()  # down until started
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "BLOG_MAIL_RETRY_DELAY": "0"}
    envs = [node_env(pg, BLOG_JOBS_SQLITE_PATH=str(tmp_path / f"jobs-{n}.sqlite3"), **settings) for n in "ab"]
    workers = []
    try:
        with migrated_database(pg, tmp_path) as app:
            seed_article(app, SLUG, known=[("Bob Replier", "bob.replier@example.net")])
            with app.app_context():
                users.create_user(email="eda@example.org", name="Eda Editor", role="editor", password=None)
                article = db.session.scalars(sa.select(Article).filter_by(slug=SLUG)).one()
                parent = comments.record_comment(
                    article,
                    name="Alice",
                    email=ALICE,
                    body="Is the wall finished?",
                    created_at=utcnow(),
                    status=comments.CommentStatus.APPROVED,
                )
                now = utcnow() - timedelta(days=1)
                db.session.add(MailSubscription(email=ALICE, topic=Topic.REPLIES, created_at=now, confirmed_at=now))
                db.session.commit()
                parent_id = parent.id
            nodes = [Node(env, tmp_path / f"logs-{n}", workers=1, threads=2) for env, n in zip(envs, "ab", strict=True)]
            with running(*nodes) as (a, b):
                workers = [start_worker(env, tmp_path / f"logs-{n}") for env, n in zip(envs, "ab", strict=True)]
                wait_for(  # a worker interrupted while still starting exits 1 ("Aborted!"), before its first try
                    lambda: all(
                        "consumer started" in (tmp_path / f"logs-{n}" / "worker.err").read_text() for n in "ab"
                    ),
                    what="both workers to start",
                )
                for n, node in enumerate((a, b, a, b)):  # first comments: held, a mail to the editor each
                    posted = Browser(node.port).post_comment(
                        SLUG,
                        name=f"Reader {n}",
                        email=f"reader{n}@example.net",
                        body=f"I was at the meeting too, and question {n + 1} was never answered.",
                    )
                    assert posted.status == 303
                for n, node in enumerate((a, b)):  # Bob is known: published at once, a mail to Alice each
                    posted = Browser(node.port).post_comment(
                        SLUG,
                        name="Bob Replier",
                        email="bob.replier@example.net",
                        body=f"Good question, I asked the same at the drop-in on day {n + 1}.",
                        parent_id=str(parent_id),
                    )
                    assert posted.status == 303
                assert scalar(app, "SELECT count(*) FROM comments WHERE status = 'approved'") == 4
                wait_for(
                    lambda: scalar(app, "SELECT count(*) FROM outbox_mails WHERE attempts >= 1") == 6,
                    what="each node's worker to try its mail (and fail)",
                )
                assert scalar(app, "SELECT count(*) FROM outbox_mails WHERE sent_at IS NOT NULL") == 0
                # The workers retry with no delay, which is no lease: stopped here, so that what follows is the two
                # nodes' senders racing each other, each claim held for longer than a send takes under load.
                for worker in workers:
                    assert stop_worker(worker) == 0
                workers = []

                smtp.start()
                senders = [
                    subprocess.Popen(
                        [sys.executable, "-m", "flask", "--app", "blog", "blog", "mail", "send"],
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        stdin=subprocess.DEVNULL,
                    )
                    for env in ({**e, "BLOG_MAIL_RETRY_DELAY": "60"} for e in envs)  # lease > a send under load
                ]
                for sender in senders:
                    _, err = sender.communicate(timeout=120)
                    assert sender.returncode == 0, err
                wait_for(
                    lambda: scalar(app, "SELECT count(*) FROM outbox_mails WHERE sent_at IS NOT NULL") == 6,
                    what="every mail sent",
                )
                with app.app_context():
                    rows = db.session.execute(sa.text("SELECT message_id FROM outbox_mails")).all()
    finally:
        for worker in workers:
            stop_worker(worker)
        smtp.stop()

    delivered = [message["Message-ID"] for _, message in smtp.messages]
    assert len(delivered) == 6 and sorted(delivered) == sorted(message_id for (message_id,) in rows)
    to_alice = [message for recipients, message in smtp.messages if recipients == [ALICE]]
    assert len(to_alice) == 2 and all(m["List-Unsubscribe-Post"] for m in to_alice)
    assert all("@example.net" not in m.as_string() for r, m in smtp.messages if r != [ALICE])
