"""The audit trail that survives (issue 22): deletions keep the comment's number and a keyed-hash snapshot, a
command's actor is named, and admins read the whole log at /moderation/log and /moderation/log.csv."""

import csv
import getpass
import io
import json

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, CommentStatus, ModerationEvent
from tests.helpers import page_text, parse

P, A, S, T = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.TRASH


@pytest.fixture
def logged(app, client, sign_in, make_article, make_comment):
    admin = sign_in("admin", name="Ada Admin")
    article = make_article("Harbour vote", slug="harbour")
    ids = {
        "formula": make_comment(
            article, name='=HYPERLINK("http://evil.example","click")', email="evil@example.net", body="hi", status=P
        ),
        "spam": make_comment(article, name="Sam Spam", email="sam@example.net", body="buy pills now", status=S),
        "other": make_comment(article, name="Olga", email="olga@example.net", body="nice", status=P, minutes=1),
    }
    return admin, ids


def events(app):
    with app.app_context():
        return db.session.scalars(sa.select(ModerationEvent).order_by(ModerationEvent.id)).all()


def test_a_deleted_comment_keeps_its_number_and_a_snapshot_without_clear_text(app, client, logged):
    _, ids = logged
    assert client.post(f"/moderation/comments/{ids['spam']}/delete", data={"confirm": "yes"}).status_code == 303
    deletion = events(app)[-1]
    assert (deletion.action, deletion.comment_id, deletion.comment_number) == ("delete", None, ids["spam"])
    assert deletion.from_status is S and deletion.snapshot["status"] == "spam"
    dumped = json.dumps(deletion.snapshot)
    assert "sam" not in dumped.lower() and "pills" not in dumped
    # its earlier events still name it too
    submitted = [e for e in events(app) if e.comment_number == ids["spam"]]
    assert [e.action for e in submitted] == ["submitted", "delete"]
    row = parse(client.get("/moderation/log")).xpath(f"//tr[@id='event-{deletion.id}']")[0]
    assert f"#{ids['spam']} (deleted; was spam" in " ".join(row.text_content().split())


def test_emptying_in_bulk_keeps_numbers_and_snapshots(app, logged):
    _, ids = logged
    with app.app_context():
        from blog.orm import utcnow
        from blog.services import moderation

        assert moderation.delete_for_good(Comment.id == ids["spam"], actor=None, now=utcnow()) == 1
        db.session.commit()
    deletion = events(app)[-1]
    assert deletion.comment_number == ids["spam"] and deletion.snapshot["status"] == "spam"


def test_a_command_line_action_names_the_os_user(app, client, runner, logged):
    _, ids = logged
    result = runner.invoke(args=["comments", "moderate", str(ids["other"]), "approve"])
    assert result.exit_code == 0, result.output
    actor = f"command line ({getpass.getuser()})"
    assert events(app)[-1].actor_label == actor
    history = page_text(client.get(f"/moderation/comments/{ids['other']}"))
    assert f"approve pending → approved by {actor}" in " ".join(history.split())
    assert actor in page_text(client.get("/moderation/log?actor=cli"))
    result = runner.invoke(args=["comments", "moderate", str(ids["other"]), "approve"])
    assert "approved already" in result.output and len(events(app)) == 4  # three submitted, one approve


def test_the_log_filters_by_actor_action_and_day(app, client, logged):
    admin, ids = logged
    client.post(f"/moderation/comments/{ids['other']}/spam")
    client.post(f"/moderation/comments/{ids['formula']}/trash")

    def shown(query=""):
        return [tr.get("id") for tr in parse(client.get(f"/moderation/log{query}")).xpath("//tbody/tr")]

    everything = shown()
    assert len(everything) == 5  # three submitted, spam, trash; newest first
    spam_id, trash_id = (e.id for e in events(app)[-2:])
    assert everything[:2] == [f"event-{trash_id}", f"event-{spam_id}"]
    assert shown("?action=spam") == [f"event-{spam_id}"]
    assert shown(f"?actor={admin}") == [f"event-{trash_id}", f"event-{spam_id}"]
    assert len(shown("?actor=none")) == 3
    today = events(app)[-1].created_at.date().isoformat()
    assert len(shown(f"?since={today}&until={today}")) == 2  # the fixtures' comments are dated 2026-11-01
    assert shown("?until=2026-10-31") == []


@pytest.mark.parametrize("query", ["?since=yesterday", "?until=2026-13-01", "?actor=bob", "?before=-1"])
def test_bad_filters_are_400(client, logged, query):
    response = client.get(f"/moderation/log{query}")
    assert response.status_code == 400
    assert client.get(f"/moderation/log.csv{query}").status_code == 400


def test_the_csv_escapes_cells_a_spreadsheet_would_run(app, client, logged):
    _, ids = logged
    client.post(f"/moderation/comments/{ids['formula']}/approve")
    client.post(f"/moderation/comments/{ids['spam']}/delete", data={"confirm": "yes"})
    response = client.get("/moderation/log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5
    formula = [r for r in rows if r["comment"] == str(ids["formula"])]
    assert {r["comment author"] for r in formula} == {'\'=HYPERLINK("http://evil.example","click")'}
    deleted = next(r for r in rows if r["action"] == "delete")
    assert deleted["to"] == "deleted" and json.loads(deleted["deleted comment"])["status"] == "spam"
    assert "sam@example.net" not in response.get_data(as_text=True)
    assert (
        len(list(csv.DictReader(io.StringIO(client.get("/moderation/log.csv?action=delete").get_data(as_text=True)))))
        == 1
    )


def test_editors_may_not_read_the_log(client, sign_in):
    sign_in("editor")
    assert client.get("/moderation/log").status_code == 403
    assert client.get("/moderation/log.csv").status_code == 403
