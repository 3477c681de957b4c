"""The desk in place (issue 22): JSON answers for the desk's script with counts, badge and Undo; reply and edit
from the desk with revisions; keyboard shortcuts switched on per user on their profile."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentRevision, CommentStatus, ModerationEvent, User
from tests.helpers import page_text, parse

P, A, S, T = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.TRASH
JSON = {"Accept": "application/json"}


@pytest.fixture
def desk(app, client, sign_in, make_article, make_comment):
    editor = sign_in("editor", name="Eda Editor")
    harbour = make_article("Harbour vote", slug="harbour")
    ids = {
        "p1": make_comment(harbour, name="Pat One", email="pat@example.net", body="first pending", status=P, minutes=1),
        "p2": make_comment(
            harbour, name="Sam Two", email="sam@example.net", body="second pending", status=P, minutes=2
        ),
        "a1": make_comment(harbour, name="Ann", body="approved one", status=A, minutes=3),
        "s1": make_comment(harbour, name="Spammy", body="buy now", status=S, minutes=4),
    }
    return editor, ids


def status_of(app, comment_id):
    with app.app_context():
        return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment_id))


def test_an_action_answers_json_with_counts_badge_and_undo(app, client, desk):
    _, ids = desk
    answer = client.post(f"/moderation/comments/{ids['p1']}/approve", data={"next": "/moderation/"}, headers=JSON)
    assert answer.status_code == 200 and answer.is_json
    body = answer.get_json()
    assert body["message"] == f"Comment {ids['p1']} approved." and body["status"] == "approved"
    assert body["counts"] == {"pending": "1", "approved": "2", "spam": "1", "trash": "0"}
    assert body["pending"] == "1"
    assert body["undo"] == {"action": "unapprove", "url": f"/moderation/comments/{ids['p1']}/unapprove"}
    undone = client.post(body["undo"]["url"], headers=JSON).get_json()
    assert undone["status"] == "pending" and undone["counts"]["pending"] == "2"
    assert status_of(app, ids["p1"]) is P
    with app.app_context():
        assert db.session.scalar(sa.select(Article.comment_count)) == 1
    # nothing flashed for the next page: the script showed it
    assert "approved." not in page_text(client.get("/moderation/"))


@pytest.mark.parametrize(
    ("key", "action", "undo"),
    [("p1", "spam", "restore"), ("p1", "trash", "restore"), ("a1", "spam", "approve"), ("s1", "restore", "spam")],
)
def test_undo_goes_back_where_the_comment_was(app, client, desk, key, action, undo):
    _, ids = desk
    before = status_of(app, ids[key])
    body = client.post(f"/moderation/comments/{ids[key]}/{action}", headers=JSON).get_json()
    assert body["undo"]["action"] == undo
    client.post(body["undo"]["url"], headers=JSON)
    assert status_of(app, ids[key]) is before


def test_json_refusals_are_json(app, client, desk):
    _, ids = desk
    refused = client.post(f"/moderation/comments/{ids['a1']}/restore", headers=JSON)
    assert refused.status_code == 409 and "cannot be given the action" in refused.get_json()["error"]
    missing = client.post("/moderation/comments/999999/approve", headers=JSON)
    assert missing.status_code == 404 and missing.get_json()["error"]
    unconfirmed = client.post(f"/moderation/comments/{ids['s1']}/delete", headers=JSON)
    assert unconfirmed.status_code == 409 and status_of(app, ids["s1"]) is S
    deleted = client.post(f"/moderation/comments/{ids['s1']}/delete", data={"confirm": "yes"}, headers=JSON)
    assert deleted.status_code == 200 and deleted.get_json()["undo"] is None
    assert deleted.get_json()["counts"]["spam"] == "0"


def test_restore_reads_not_spam_on_the_spam_tab(client, desk):
    client.post(f"/moderation/comments/{desk[1]['p1']}/trash")
    labels = parse(client.get("/moderation/?status=spam")).xpath("//div[@class='row-actions']/button/text()")
    assert "Not spam" in labels and "Restore" not in labels
    assert "Restore" in parse(client.get("/moderation/?status=trash")).xpath(
        "//div[@class='row-actions']/button/text()"
    )


def test_a_reply_from_the_desk_is_published_as_the_editor_and_approves_its_parent(app, client, desk):
    editor, ids = desk
    answer = client.post(f"/moderation/comments/{ids['p1']}/reply", data={"body": "Thanks, *Pat*."}, headers=JSON)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "approved" and body["counts"]["pending"] == "1"
    with app.app_context():
        made = db.session.get(Comment, body["reply_id"])
        assert (made.status, made.parent_id, made.user_id, made.author_name) == (A, ids["p1"], editor, "Eda Editor")
        assert db.session.scalar(sa.select(Article.comment_count)) == 3
    assert body["reply_url"] == f"/articles/harbour#comment-{made.id}"
    assert status_of(app, ids["p1"]) is A
    assert "Thanks, " in page_text(client.get("/articles/harbour"))


def test_a_reply_without_script_and_its_refusals(app, client, desk):
    _, ids = desk
    here = f"/moderation/comments/{ids['a1']}"
    assert "Your reply, published under your name" in page_text(client.get(here))
    sent = client.post(f"/moderation/comments/{ids['a1']}/reply", data={"body": "Agreed.", "next": here})
    assert sent.status_code == 303 and sent.headers["Location"] == here
    assert client.post(f"/moderation/comments/{ids['a1']}/reply", data={"body": "  "}).status_code == 422
    assert client.post(f"/moderation/comments/{ids['a1']}/reply", data={"body": "x" * 5001}).status_code == 422
    spam = client.post(f"/moderation/comments/{ids['s1']}/reply", data={"body": "hi"}, headers=JSON)
    assert spam.status_code == 422 and "approve it before replying" in spam.get_json()["error"]
    assert client.post("/moderation/comments/999999/reply", data={"body": "hi"}).status_code == 404


def test_an_edit_keeps_the_earlier_version_with_who_and_when(app, client, desk):
    editor, ids = desk
    url = f"/moderation/comments/{ids['a1']}/edit"
    saved = client.post(url, data={"body": "approved one, fixed", "name": "Ann B.", "website": "https://ann.example"})
    assert saved.status_code == 303
    with app.app_context():
        comment = db.session.get(Comment, ids["a1"])
        assert (comment.body_text, comment.author_name, comment.author_website) == (
            "approved one, fixed",
            "Ann B.",
            "https://ann.example",
        )
        assert comment.edited_at is not None
        (revision,) = db.session.scalars(sa.select(CommentRevision)).all()
        assert (revision.body_text, revision.author_name, revision.author_website, revision.editor_id) == (
            "approved one",
            "Ann",
            "",
            editor,
        )
    history = " ".join(page_text(client.get(f"/moderation/comments/{ids['a1']}")).split())
    assert "changed by Eda Editor; the name before: Ann" in history
    article = parse(client.get("/articles/harbour"))
    assert article.xpath(f"//*[@id='comment-{ids['a1']}']//*[@class='comment-edited']")
    assert client.post(url, data={"body": "approved one, fixed", "name": "Ann B.", "website": "https://ann.example"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentRevision)) == 1  # unchanged: none


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "", "name": "Ann"}, "Write something first."),
        ({"body": "ok", "name": ""}, "The name must be"),
        ({"body": "ok", "name": "ann@example.net"}, "must not contain an email address"),
        ({"body": "ok", "name": "Ann", "website": "javascript:alert(1)"}, "http:// or https://"),
    ],
)
def test_a_bad_edit_is_422_with_what_was_typed(app, client, desk, data, message):
    _, ids = desk
    response = client.post(f"/moderation/comments/{ids['a1']}/edit", data=data)
    assert response.status_code == 422 and message in page_text(response)
    assert parse(response).xpath("//input[@id='edit-name']/@value") == [data["name"]]
    assert status_of(app, ids["a1"]) is A
    with app.app_context():
        assert db.session.get(Comment, ids["a1"]).body_text == "approved one"


def test_keyboard_shortcuts_are_off_until_turned_on_on_the_profile(app, client, desk):
    editor, _ = desk
    assert parse(client.get("/moderation/")).xpath("//section[@class='desk']/@data-shortcuts") == ["off"]
    assert not parse(client.get("/moderation/")).xpath("//*[@id='desk-keys']")
    profile = parse(client.get("/account/profile"))
    assert profile.xpath("//input[@name='keyboard_shortcuts' and not(@checked)]")
    saved = client.post(
        "/account/profile", data={"user_id": str(editor), "display_name": "Eda Editor", "keyboard_shortcuts": "y"}
    )
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(User, editor).keyboard_shortcuts is True
    page = parse(client.get("/moderation/"))
    assert page.xpath("//section[@class='desk']/@data-shortcuts") == ["on"]
    assert page.xpath("//*[@id='desk-keys']//kbd/text()")[:3] == ["j", "k", "a"]
    client.post("/account/profile", data={"user_id": str(editor), "display_name": "Eda Editor"})
    with app.app_context():
        assert db.session.get(User, editor).keyboard_shortcuts is False


def test_authors_are_not_offered_desk_shortcuts(client, sign_in):
    sign_in("author")
    assert not parse(client.get("/account/profile")).xpath("//input[@name='keyboard_shortcuts']")


def test_no_event_for_a_reply_beyond_the_approval(app, client, desk):
    _, ids = desk
    client.post(f"/moderation/comments/{ids['p2']}/reply", data={"body": "Noted."})
    with app.app_context():
        actions = db.session.scalars(
            sa.select(ModerationEvent.action).where(ModerationEvent.comment_number == ids["p2"])
        ).all()
    assert actions == ["submitted", "approve"]


def test_without_the_script_the_next_desk_page_offers_undo(app, client, desk):
    _, ids = desk
    response = client.post(f"/moderation/comments/{ids['p1']}/spam", data={"next": "/moderation/"})
    page = parse(client.get(response.headers["Location"]))
    (form,) = page.xpath("//form[@class='undo-form']")
    assert form.get("action") == f"/moderation/comments/{ids['p1']}/restore"
    assert client.post(form.get("action"), data={"next": "/moderation/"}).status_code == 303
    assert status_of(app, ids["p1"]) is P
    # the Undo of the undo is offered once, then gone
    assert parse(client.get("/moderation/")).xpath("//form[@class='undo-form']/@action") == [
        f"/moderation/comments/{ids['p1']}/spam"
    ]
    assert not parse(client.get("/moderation/")).xpath("//form[@class='undo-form']")
