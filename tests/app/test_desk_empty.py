"""Permanent delete asks first; Empty Spam / Empty Trash delete a whole tab after a confirmation with the count."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from blog.extensions import db
from blog.models import Comment, CommentStatus, ModerationEvent
from tests.helpers import form_fields, page_text, parse

CONFIRM = "//section[contains(@class, 'confirm')]//form"
P, A, S, T = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.TRASH


@pytest.fixture
def tabs(app, sign_in, make_article, make_comment):
    sign_in("editor")
    article = make_article("Harbour vote", slug="harbour")
    made = {status: [] for status in (P, S, T)}
    for n, status in enumerate([S, S, S, T, T, P]):
        made[status].append(make_comment(article, name=f"R{n}", email=f"r{n}@example.net", body=f"b{n}", status=status))
    return article, made


def remaining(app, status):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(Comment.status == status))


def test_a_permanent_delete_asks_first(app, client, tabs):
    _, made = tabs
    spam = made[S][0]
    asked = client.post(f"/moderation/comments/{spam}/delete", data={"next": "/moderation/?status=spam"})
    assert asked.status_code == 200
    assert f"Delete comment {spam} for good?" in page_text(asked)
    fields = form_fields(asked.get_data(as_text=True), CONFIRM)
    assert fields["confirm"] == "yes" and fields["next"] == "/moderation/?status=spam"
    assert remaining(app, S) == 3  # nothing deleted by asking
    done = client.post(f"/moderation/comments/{spam}/delete", data=fields)
    assert done.status_code == 303 and done.headers["Location"] == "/moderation/?status=spam"
    assert remaining(app, S) == 2


def test_a_bulk_delete_asks_first_and_refuses_what_it_cannot_do(app, client, tabs):
    _, made = tabs
    asked = client.post("/moderation/bulk", data={"action": "delete", "ids": made[S][:2]})
    assert asked.status_code == 200 and "Delete 2 comments for good?" in page_text(asked)
    assert remaining(app, S) == 3
    refused = client.post("/moderation/bulk", data={"action": "delete", "ids": [made[S][0], made[P][0]]})
    assert refused.status_code == 400 and "cannot be given the action 'delete'" in page_text(refused)
    fields = parse(asked).xpath(CONFIRM + "//input")
    data = MultiDict([(i.get("name"), i.get("value")) for i in fields])
    assert client.post("/moderation/bulk", data=data).status_code == 303
    assert remaining(app, S) == 1


@pytest.mark.parametrize("status", [S, T])
def test_empty_a_tab_after_a_confirmation_with_the_count(app, client, tabs, make_comment, status):
    article, made = tabs
    desk = parse(client.get(f"/moderation/?status={status.value}"))
    assert desk.xpath(f"//form[@action='/moderation/empty/{status.value}']//button/text()") == [
        f"Empty {status.value.title()}"
    ]
    asked = client.post(f"/moderation/empty/{status.value}")
    n = len(made[status])
    assert asked.status_code == 200
    assert f"{n} {status.value} comments will be deleted permanently" in page_text(asked)
    assert remaining(app, status) == n
    fields = form_fields(asked.get_data(as_text=True), CONFIRM)
    late = make_comment(article, name="Late", email="late@example.net", body="late", status=status)  # not seen
    done = client.post(f"/moderation/empty/{status.value}", data=fields)
    assert done.status_code == 303
    assert f"{n} {status.value} comments deleted permanently." in page_text(client.get(done.headers["Location"]))
    with app.app_context():
        left = db.session.scalars(sa.select(Comment.id).where(Comment.status == status)).all()
        deletions = db.session.scalars(sa.select(ModerationEvent).where(ModerationEvent.action == "delete")).all()
    assert left == [late]
    assert sorted(e.comment_number for e in deletions) == sorted(made[status])
    assert all(e.snapshot["status"] == status.value and e.actor_id is not None for e in deletions)
    assert remaining(app, P) == 1  # the other tabs untouched


def test_empty_refuses_other_tabs_and_an_empty_tab_says_so(app, client, tabs):
    assert client.post("/moderation/empty/pending").status_code == 404
    assert client.post("/moderation/empty/approved", data={"confirm": "yes"}).status_code == 404
    client.post(
        "/moderation/empty/trash",
        data=form_fields(client.post("/moderation/empty/trash").get_data(as_text=True), CONFIRM),
    )
    again = client.post("/moderation/empty/trash")
    assert again.status_code == 303 and "The trash is empty already." in page_text(
        client.get(again.headers["Location"])
    )
    assert client.post("/moderation/empty/spam", data={"confirm": "yes", "upto": "x"}).status_code == 400
    assert remaining(app, S) == 3
