"""A commenter's own data at /your-data: a link by mail (a real SMTP server), the list, the export, the erasure;
the admins' page for any address (with its audit trail) and the command line."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import (
    Comment,
    CommentRevision,
    CommentStatus,
    ConsentPurpose,
    ConsentRecord,
    MailNotice,
    MailSubscription,
    OutboxMail,
    PrivacyRequest,
    Topic,
    User,
)
from blog.orm import utcnow
from blog.services import personal_data
from tests.app.test_privacy_crawl import crawl, encodings
from tests.helpers import SMTPInbox, form_fields, page_text

MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_DEFAULT_SENDER": "desk@example.org"}
ME, OTHER = "me.myself@example.net", "someone.else@example.org"


@pytest.fixture
def smtp(app):
    inbox = SMTPInbox().start()
    app.config["MAIL_PORT"] = inbox.port
    yield inbox
    inbox.stop()


@pytest.fixture
def thread(make_article, make_comment):
    """An article with my two comments (one published, one held), another person's, and their reply to mine."""
    article = make_article("Harbour vote tonight", slug="harbour")
    mine = make_comment(article, name="Me Myself", email=ME, body="My first thoughts.", website="https://me.example")
    held = make_comment(article, name="Me Myself", email=ME, body="A second thought.", status=CommentStatus.PENDING)
    theirs = make_comment(article, name="Other Person", email=OTHER, body="Their own view.", minutes=1)
    reply = make_comment(article, name="Other Person", email=OTHER, body="An answer to you.", parent_id=mine, minutes=2)
    return {"article": article, "mine": mine, "held": held, "theirs": theirs, "reply": reply}


def request_link(client, email: str, **headers):
    return client.post("/your-data", data={"email": email}, headers=headers)


def link_path(smtp) -> str:
    (message,) = [m for recipients, m in smtp.messages if recipients == [ME]]
    url = re.search(r"https?://\S+/your-data/comments\?token=\S+", message.get_content()).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(path: str) -> str:
    return unquote(path.partition("token=")[2])


def row(app, comment_id: int) -> Comment | None:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge_all()
        return comment


@pytest.mark.app_config(**MAIL)
def test_a_request_mails_a_link_that_lists_only_that_addresses_comments(app, client, smtp, thread):
    page = client.get("/your-data")
    assert page.status_code == 200 and "Send me the link" in page.get_data(as_text=True)
    assert "Your comments and data" in client.get("/").get_data(as_text=True)  # linked from the footer

    answer = request_link(client, "Me.Myself@Example.net", **{"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 200
    assert "If we hold comments from that address, we have sent a link to it" in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == [ME] and message["Subject"] == "Your comments and data"
    path = link_path(smtp)
    assert ME not in path and "me.myself" not in path.lower()  # the token is sealed, not merely signed

    mine = client.get(path)
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, no-store" and mine.headers["X-Robots-Tag"] == "noindex"
    assert mine.headers["Referrer-Policy"] == "no-referrer"
    assert not mine.headers.getlist("Set-Cookie")
    text = page_text(mine)
    assert "My first thoughts." in text and "A second thought." in text
    assert "Published" in text and "Awaiting moderation" in text
    assert "Their own view." not in text and "An answer to you." not in text and "Other Person" not in text
    assert f"/articles/harbour/comments/{thread['mine']}" in mine.get_data(as_text=True)  # approved: a link


@pytest.mark.app_config(**MAIL)
def test_the_same_answer_for_an_unknown_address_and_nothing_mailed(app, client, smtp, thread):
    known = request_link(client, ME).get_data(as_text=True)
    unknown = request_link(client, "nobody@example.net")
    assert unknown.status_code == 200 and unknown.get_data(as_text=True) == known
    assert [recipients for recipients, _ in smtp.messages] == [[ME]]


@pytest.mark.app_config(**MAIL)
def test_a_request_from_another_site_is_refused_and_nothing_is_mailed(app, client, smtp, thread):
    assert request_link(client, ME, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert request_link(client, ME, Origin="https://evil.example").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0
    assert smtp.messages == []


def test_a_bad_address_is_a_clear_422(client):
    answer = request_link(client, "not an address")
    assert answer.status_code == 422 and "valid email address" in answer.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, DATA_REQUEST_RATE_LIMIT_ADDRESS="2/hour")
def test_requests_for_one_address_are_rate_limited(client, thread):
    assert [request_link(client, ME).status_code for _ in range(3)] == [200, 200, 429]
    assert request_link(client, OTHER).status_code == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, DATA_REQUEST_RATE_LIMIT="2/minute")
def test_requests_from_one_client_are_rate_limited(client, thread):
    assert [request_link(client, f"n{n}@example.net").status_code for n in range(3)] == [200, 200, 429]


def test_a_bad_expired_or_tampered_link_is_a_clear_400(app, client, thread):
    with app.app_context():
        fresh = personal_data.make_token(ME)
        old = personal_data.make_token(ME, now=utcnow() - timedelta(hours=25))
    assert client.get(f"/your-data/comments?token={fresh}").status_code == 200
    expired = client.get(f"/your-data/comments?token={old}")
    assert expired.status_code == 400 and "This link has expired" in expired.get_data(as_text=True)
    tampered = fresh[:-6] + ("A" if fresh[-6] != "A" else "B") + fresh[-5:]
    for token in (tampered, "nonsense", fresh[:40]):
        answer = client.get(f"/your-data/comments?token={token}")
        assert answer.status_code == 400 and "damaged or incomplete" in answer.get_data(as_text=True)
    assert "needs the link" in client.get("/your-data/comments").get_data(as_text=True)
    for action in ("export", "erase"):
        assert client.post(f"/your-data/{action}", data={"token": tampered}).status_code == 400
    assert client.post("/your-data/erase", data={"token": fresh, "mode": "shred"}).status_code == 400


def test_the_export_holds_every_comment_of_that_address_and_nothing_of_anyone_elses(app, client, thread):
    with app.app_context():
        token = personal_data.make_token(ME)
        at = datetime(2026, 11, 1, 12, tzinfo=UTC)
        db.session.add_all(
            [
                CommentRevision(comment_id=thread["mine"], body_text="My frist thoughts.", edited_at=at),
                CommentRevision(comment_id=thread["theirs"], body_text="Their earlier view.", edited_at=at),
                MailSubscription(email=ME, topic=Topic.REPLIES, created_at=at, confirmed_at=at),
                MailSubscription(email=OTHER, topic=Topic.REPLIES, created_at=at),
                ConsentRecord(email=ME, purpose=ConsentPurpose.REPLY_MAIL, given_at=at, comment_id=thread["mine"]),
                ConsentRecord(email=OTHER, purpose=ConsentPurpose.REMEMBER_ME, given_at=at),
            ]
        )
        db.session.commit()
    answer = client.post("/your-data/export", data={"token": token})  # no cookie, no session: the token is all
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert 'filename="your-data.zip"' in answer.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert sorted(archive.namelist()) == ["README.txt", "your-data.json"]
    data = json.loads(archive.read("your-data.json"))
    assert data["email"] == ME and data["account"] is None
    assert data["generated_at"]
    assert data["subscriptions"] == [
        {
            "topic": "replies",
            "delivery": "immediate",
            "created_at": "2026-11-01T12:00:00+00:00",
            "confirmed_at": "2026-11-01T12:00:00+00:00",
            "unsubscribed_at": None,
        }
    ]
    assert data["consents"] == [
        {
            "purpose": "reply-mail",
            "given_at": "2026-11-01T12:00:00+00:00",
            "withdrawn_at": None,
            "comment_id": thread["mine"],
        }
    ]
    comments = {c["id"]: c for c in data["comments"]}
    assert set(comments) == {thread["mine"], thread["held"]}
    first = comments[thread["mine"]]
    assert first["name"] == "Me Myself" and first["website"] == "https://me.example"
    assert first["body_text"] == "My first thoughts." and first["status"] == "published"
    assert first["revisions"] == [
        {"edited_at": "2026-11-01T12:00:00+00:00", "body_text": "My frist thoughts.", "by": "you"}
    ]
    assert first["article"] == {"title": "Harbour vote tonight", "url": "http://localhost/articles/harbour"}
    assert comments[thread["held"]]["status"] == "awaiting moderation" and comments[thread["held"]]["url"] is None
    whole = b"".join(archive.read(name) for name in archive.namelist()).decode().lower()
    for foreign in (OTHER, "other person", "their own view", "their earlier view", "an answer to you"):
        assert foreign not in whole
    with app.app_context():
        (event,) = db.session.scalars(sa.select(PrivacyRequest)).all()
        assert (event.action, event.via, event.counts) == (
            "export",
            "self",
            {"comments": 2, "account": 0, "subscriptions": 1, "consents": 1},
        )


def erase(client, token: str, mode: str):
    question = client.post("/your-data/erase", data={"token": token, "mode": mode})
    assert question.status_code == 200 and "This cannot be undone" in question.get_data(as_text=True)
    confirm = form_fields(question.get_data(as_text=True), "//form[@method='post']")
    assert confirm == {"token": token, "mode": mode, "confirm": "yes"}
    done = client.post("/your-data/erase", data=confirm)
    assert done.status_code == 200 and "Erased" in done.get_data(as_text=True)
    return done


def test_anonymise_keeps_the_text_and_thread_and_drops_who_wrote_it(app, client, thread):
    with app.app_context():
        token = personal_data.make_token(ME)
    assert "Me Myself" in client.get("/articles/harbour").get_data(as_text=True)
    erase(client, token, "anonymise")

    article = client.get("/articles/harbour").get_data(as_text=True)
    assert "Anonymous" in article and "My first thoughts." in article and "An answer to you." in article
    assert "Me Myself" not in article and "me.example" not in article
    for ident in (thread["mine"], thread["held"]):
        comment = row(app, ident)
        assert comment.author_name == "Anonymous" and comment.author_email == f"erased-{ident}@invalid"
        assert (comment.author_website, comment.ip_hash, comment.user_agent, comment.avatar_colour) == ("", "", "", 0)
    assert row(app, thread["reply"]).parent_id == thread["mine"]  # the thread is kept
    with app.app_context():
        (event,) = db.session.scalars(sa.select(PrivacyRequest)).all()
        assert (event.action, event.via, event.counts["comments"]) == ("anonymise", "self", 2)
        stored = " ".join(str(v) for v in db.session.execute(sa.select(Comment.__table__)).all())
        assert ME not in stored and "Me Myself" not in stored


def test_delete_removes_the_text_and_the_replies_stay(app, client, make_comment, thread):
    deeper = make_comment(thread["article"], name="Third", email="third@example.net", body="Deeper.", minutes=3)
    with app.app_context():
        db.session.get(Comment, deeper).parent_id = thread["reply"]
        db.session.get(Comment, deeper).depth = 2
        db.session.commit()
        token = personal_data.make_token(ME)
    erase(client, token, "delete")

    article = client.get("/articles/harbour").get_data(as_text=True)
    assert "My first thoughts." not in article and "Me Myself" not in article
    assert "An answer to you." in article and "Deeper." in article and "Their own view." in article
    assert row(app, thread["mine"]) is None and row(app, thread["held"]) is None
    reply = row(app, thread["reply"])
    assert (reply.parent_id, reply.depth) == (None, 0)  # moved up to the top of the thread
    assert (row(app, deeper).parent_id, row(app, deeper).depth) == (thread["reply"], 1)
    with app.app_context():
        from blog.models import Article

        assert db.session.get(Article, thread["article"]).comment_count == 3
    assert client.get(f"/your-data/comments?token={token}").status_code == 200  # an empty list now


@pytest.mark.app_config(**MAIL, WTF_CSRF_ENABLED=True)
def test_after_erasure_the_privacy_crawl_finds_nothing_of_that_person(
    app, client, smtp, thread, post_comment, make_user
):
    make_user("Eda Editor", role="editor", email="eda@example.org")  # told about held comments, quoting them
    # Under another name: not a "previously approved commenter", so held, and the editors are told
    post_comment("harbour", name="Mel Myself", email=ME, body="Sent through the form.", website="https://me.example")
    client._cookies.clear()
    request_link(client, ME)
    erase(client, token_of(link_path(smtp)), "anonymise")
    # the editors were told, quoting the name and the text (never the address)
    assert any(recipients == ["eda@example.org"] and "Mel Myself" in m.get_content() for recipients, m in smtp.messages)
    with app.app_context():  # the mails to me, and the editors' mail about my held comment, are gone
        assert db.session.scalars(sa.select(OutboxMail)).all() == []
    client._cookies.clear()
    pages = crawl(client, ["/", "/feed.atom", "/articles/harbour/comments.atom", "/your-data"])
    assert any(url.startswith("/articles/harbour") for url in pages)
    needles = encodings(ME) | {"me myself", "mel myself", "me.example"}
    leaks = [(n, url) for url, (_, body, headers) in pages.items() for n in needles if n in (body + headers).lower()]
    assert leaks == []


def test_the_request_page_is_cacheable_and_sets_no_cookie(client):
    page = client.get("/your-data")
    assert page.headers["Cache-Control"].startswith("public") and not page.headers.getlist("Set-Cookie")


# --- Admins ------------------------------------------------------------------------------------------


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_admins_find_export_and_erase_any_address_with_an_audit_event(app, client, sign_in, thread):
    admin = sign_in("admin")
    page = client.get("/editorial/personal-data")
    assert page.status_code == 200
    token = form_fields(page.get_data(as_text=True), "//main//form[@method='post']")["csrf_token"]
    found = client.post("/editorial/personal-data", data={"email": ME, "csrf_token": token})
    assert found.status_code == 200
    text = page_text(found)
    assert "Comments: 2." in text and "My first thoughts." in text and "Their own view." not in text

    export = client.post("/editorial/personal-data/export", data={"email": ME, "csrf_token": token})
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("your-data.json"))
    assert {c["id"] for c in data["comments"]} == {thread["mine"], thread["held"]}
    assert client.post("/editorial/personal-data/export", data={"email": ME}).status_code == 400  # no CSRF token

    unconfirmed = client.post(
        "/editorial/personal-data/erase", data={"email": ME, "mode": "delete", "csrf_token": token}
    )
    assert unconfirmed.status_code == 422 and row(app, thread["mine"]) is not None
    erased = client.post(
        "/editorial/personal-data/erase",
        data={"email": ME, "mode": "delete", "confirm": "y", "csrf_token": token},
        follow_redirects=True,
    )
    assert erased.status_code == 200 and "2 comment(s) deleted" in erased.get_data(as_text=True)
    assert row(app, thread["mine"]) is None
    with app.app_context():
        events = db.session.scalars(sa.select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        assert [(e.action, e.via, e.actor_id) for e in events] == [
            ("export", "admin", admin),
            ("delete", "admin", admin),
        ]
        assert len({e.person_hash for e in events}) == 1 and len(events[0].person_hash) == 64
        stored = " ".join(str(v) for v in db.session.execute(sa.select(PrivacyRequest.__table__)).all())
        assert ME not in stored and "me.myself" not in stored.lower()
    assert ME not in client.get("/editorial/personal-data").get_data(as_text=True)  # the log shows the hash only


def test_only_admins_may_use_the_personal_data_page(client, sign_in):
    sign_in("editor")
    assert client.get("/editorial/personal-data").status_code == 403
    assert client.post("/editorial/personal-data/erase", data={"email": ME}).status_code == 403


def test_erasing_a_staff_account_deactivates_and_strips_it_and_keeps_its_articles(
    app, client, sign_in, make_user, make_article, make_comment
):
    sign_in("admin")
    writer = make_user("Ruth Calloway", email="ruth@example.org", bio="Covers the council.")
    article = make_article("Council budget", author_id=writer, slug="budget")
    make_comment(article, name="Ruth Calloway", email="ruth@example.org", body="A note from the author.")
    found = page_text(client.post("/editorial/personal-data", data={"email": "ruth@example.org"}))
    assert "Staff account: Ruth Calloway" in found and "Comments: 1." in found
    answer = client.post(
        "/editorial/personal-data/erase", data={"email": "ruth@example.org", "mode": "anonymise", "confirm": "y"}
    )
    assert answer.status_code == 303
    with app.app_context():
        user = db.session.get(User, writer)
        assert not user.is_active and user.display_name == "Former contributor" and user.bio_markdown == ""
        assert user.email == f"erased-{writer}@invalid" and user.password_hash is None
    page = client.get("/articles/budget").get_data(as_text=True)
    assert "Former contributor" in page and "Ruth Calloway" not in page and "A note from the author." in page


def test_an_admin_cannot_erase_their_own_account(client, sign_in):
    sign_in("admin", email="boss@example.org")
    answer = client.post(
        "/editorial/personal-data/erase", data={"email": "boss@example.org", "mode": "anonymise", "confirm": "y"}
    )
    assert answer.status_code == 409 and "your own account" in answer.get_data(as_text=True)


# --- The command line --------------------------------------------------------------------------------


def test_the_command_line_exports_and_erases(app, runner, thread, tmp_path):
    printed = runner.invoke(args=["blog", "personal-data", "export", ME])
    assert printed.exit_code == 0, printed.output
    assert {c["id"] for c in json.loads(printed.output)["comments"]} == {thread["mine"], thread["held"]}
    target = tmp_path / "me.zip"
    written = runner.invoke(args=["blog", "personal-data", "export", ME, "--output", str(target)])
    assert written.exit_code == 0 and "your-data.json" in zipfile.ZipFile(target).namelist()

    refused = runner.invoke(args=["blog", "personal-data", "erase", ME], input="n\n")
    assert refused.exit_code == 1 and row(app, thread["mine"]).author_name == "Me Myself"
    erased = runner.invoke(args=["blog", "personal-data", "erase", ME, "--delete-text", "--yes"])
    assert erased.exit_code == 0 and "Erased (delete): 2 comment(s)" in erased.output
    assert row(app, thread["mine"]) is None and row(app, thread["reply"]) is not None
    assert "--delete-text" in runner.invoke(args=["blog", "personal-data", "erase", "--help"]).output
    with app.app_context():
        assert [e.via for e in db.session.scalars(sa.select(PrivacyRequest))] == ["cli", "cli", "cli"]


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_erasure_reaches_revisions_subscriptions_consents_and_mail_quoting_the_comments(app, thread, mode):
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    with app.app_context():
        told = OutboxMail(  # someone else's reply notification, quoting my comment
            recipients=[OTHER],
            subject="Me Myself replied",
            body="My first thoughts.",
            message_id="<n@x>",
            created_at=at,
            next_attempt_at=at,
            sent_at=at,
        )
        theirs = MailSubscription(email=OTHER, topic=Topic.REPLIES, created_at=at, confirmed_at=at)
        db.session.add_all([told, theirs])
        db.session.flush()
        db.session.add_all(
            [
                CommentRevision(comment_id=thread["mine"], body_text="My frist thoughts.", edited_at=at),
                MailSubscription(email=ME, topic=Topic.REPLIES, created_at=at, confirmed_at=at),
                MailNotice(subscription_id=theirs.id, comment_id=thread["mine"], created_at=at, mail_id=told.id),
                ConsentRecord(email=ME, purpose=ConsentPurpose.REMEMBER_ME, given_at=at),
                ConsentRecord(email=OTHER, purpose=ConsentPurpose.REMEMBER_ME, given_at=at),
            ]
        )
        db.session.commit()
        personal_data.erase(ME, personal_data.Mode(mode), via="cli", now=at)
        db.session.commit()
        assert db.session.scalars(sa.select(MailSubscription.email)).all() == [OTHER]
        assert db.session.scalars(sa.select(ConsentRecord.email)).all() == [OTHER]
        assert db.session.scalars(sa.select(OutboxMail)).all() == []
        revisions = db.session.scalars(sa.select(CommentRevision.body_text)).all()
        assert revisions == (["My frist thoughts."] if mode == "anonymise" else [])  # kept with the kept text
