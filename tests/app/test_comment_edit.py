"""The commenter's edit window: /articles/<slug>/comments/<id>/edit, from the browser that sent the comment, for
``edit_window_minutes`` (server time), until a reply or an editor's action; the same pipeline as a new comment."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentRevision, CommentStatus, ModerationEvent, User
from blog.orm import utcnow
from blog.public import views
from blog.services import moderation
from tests.conftest import PASSWORD
from tests.helpers import parse, set_settings

SLUG = "harbour"
PAT = {"name": "Pat Reader", "email": "pat@example.net"}  # post_comment's commenter


@pytest.fixture
def article(app, make_article, make_comment):
    article_id = make_article("The harbour vote", slug=SLUG)
    make_comment(article_id, body="An earlier word.", **PAT)  # approved: Pat's next comments are published at once
    return article_id


@pytest.fixture
def posted(article, post_comment) -> int:
    """Pat's new (published) comment, sent from ``client``: its id."""
    response = post_comment(SLUG, body="The vote is on Tusday.")
    assert response.status_code == 303
    return int(response.headers["Location"].rpartition("#comment-")[2])


def edit_url(comment_id: int, slug: str = SLUG) -> str:
    return f"/articles/{slug}/comments/{comment_id}/edit"


def comment(app, comment_id: int) -> Comment:
    with app.app_context():
        found = db.session.get(Comment, comment_id)
        db.session.expunge_all()
        return found


def revisions(app, comment_id: int) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [
            (r.body_text, r.editor_id)
            for r in db.session.scalars(sa.select(CommentRevision).filter_by(comment_id=comment_id).order_by("id"))
        ]


def events(app, comment_id: int) -> list[tuple[str, str | None, str | None, int | None]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(ModerationEvent).filter_by(comment_id=comment_id).order_by("id"))
        return [(e.action, e.from_status, e.to_status, e.actor_id) for e in rows]


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Article.comment_count))


def later(monkeypatch, minutes: float) -> None:
    """The server's clock, ``minutes`` on from now."""
    moved = utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr(views, "utcnow", lambda: moved)


def message(response) -> str:
    return " ".join(parse(response).xpath("string(//div[@role='alert'])").split())


def test_the_writer_edits_their_comment_and_readers_see_it_marked_edited(app, client, posted):
    form = client.get(edit_url(posted))
    assert form.status_code == 200 and form.headers["Cache-Control"] == "private, no-store"
    (box,) = parse(form).xpath("//form//textarea[@name='body']")
    assert box.text_content().strip() == "The vote is on Tusday."
    assert not parse(form).xpath("//form//input[@name='name' or @name='email' or @name='website']")

    edited = client.post(edit_url(posted), data={"body": "The vote is on Tuesday.", "action": "save"})
    assert edited.status_code == 303 and edited.headers["Location"].endswith(f"/articles/{SLUG}#comment-{posted}")
    own = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "Your comment is published." in own

    reader = app.test_client()
    page = reader.get(f"/articles/{SLUG}")
    assert page.headers["Cache-Control"].startswith("public")  # readers' pages stay shared
    (item,) = parse(page).xpath(f"//li[@id='comment-{posted}']")
    assert "The vote is on Tuesday." in item.text_content() and "Tusday" not in page.get_data(as_text=True)
    (mark,) = item.xpath(".//*[@class='comment-edited']/time")
    assert mark.text == "edited" and mark.get("datetime") and mark.get("title").startswith("Edited ")
    assert not item.xpath(".//a[contains(@href, '/edit')]")  # no Edit link for anyone else

    stored = comment(app, posted)
    assert stored.edited_at is not None and stored.status is CommentStatus.APPROVED
    assert revisions(app, posted) == [("The vote is on Tusday.", None)]  # the old text, by the commenter
    assert events(app, posted) == [("submitted", None, "approved", None)]  # no status change: no event


def test_an_unchanged_text_keeps_no_revision(app, client, posted):
    assert client.post(edit_url(posted), data={"body": "The vote is on Tusday."}).status_code == 303
    assert revisions(app, posted) == [] and comment(app, posted).edited_at is None


def test_the_edit_link_is_the_writers_own_and_lasts_the_window(app, client, posted, monkeypatch):
    page = client.get(f"/articles/{SLUG}")
    assert page.headers["Cache-Control"] == "private, no-store"
    (link,) = parse(page).xpath(f"//li[@id='comment-{posted}']//a[text()='Edit']")
    assert link.get("href") == edit_url(posted)

    later(monkeypatch, 11)
    closed = client.get(f"/articles/{SLUG}")
    assert not parse(closed).xpath("//a[text()='Edit']")
    assert "blog_session=;" in closed.headers.get("Set-Cookie", "")  # nothing left to remember: the cookie goes
    again = client.get(f"/articles/{SLUG}")
    assert again.headers["Cache-Control"].startswith("public")  # an anonymous reader again


def test_the_window_is_read_from_the_settings_and_the_servers_clock(app, client, posted, monkeypatch):
    later(monkeypatch, 9)
    assert client.get(edit_url(posted)).status_code == 200
    later(monkeypatch, 11)
    closed = client.get(edit_url(posted))
    assert closed.status_code == 409 and closed.headers["Cache-Control"] == "private, no-store"
    assert message(closed) == "The time to edit this comment has passed (10 minutes)."
    refused = client.post(edit_url(posted), data={"body": "Too late."})
    assert refused.status_code == 409 and comment(app, posted).body_text == "The vote is on Tusday."

    set_settings(app, edit_window_minutes=30)  # read at request time
    assert client.get(edit_url(posted)).status_code == 200
    set_settings(app, edit_window_minutes=0)
    off = client.get(edit_url(posted))
    assert off.status_code == 409 and message(off) == "Comments can't be edited on this site."


def test_with_no_window_nothing_is_remembered(app, client, article, post_comment):
    set_settings(app, edit_window_minutes=0)
    post_comment(SLUG, body="Published, not editable.")
    client.get(f"/articles/{SLUG}")  # the notice is shown once
    page = client.get(f"/articles/{SLUG}")
    assert page.headers["Cache-Control"].startswith("public") and not parse(page).xpath("//a[text()='Edit']")


def test_a_reply_closes_the_window_a_spam_reply_does_not(app, client, posted, article, make_comment):
    make_comment(article, name="Sam", email="sam@example.net", parent_id=posted, status=CommentStatus.SPAM)
    assert client.get(edit_url(posted)).status_code == 200
    make_comment(article, name="Sam", email="sam@example.net", parent_id=posted, status=CommentStatus.PENDING)
    replied = client.get(edit_url(posted))
    assert replied.status_code == 409
    assert message(replied) == "Someone has replied to this comment, so it can no longer be edited."
    assert not parse(client.get(f"/articles/{SLUG}")).xpath("//a[text()='Edit']")
    assert client.post(edit_url(posted), data={"action": "delete"}).status_code == 409


def test_an_editors_action_closes_the_window(app, client, posted, make_user):
    editor = make_user("Ed Itor", role="editor")
    with app.app_context():
        found = db.session.get(Comment, posted)
        moderation.moderate(found, "unapprove", actor=db.session.get(User, editor), now=utcnow())
        db.session.commit()
    refused = client.post(edit_url(posted), data={"body": "Sneaky change."})
    assert refused.status_code == 409
    assert message(refused) == "An editor has already looked at this comment, so it can no longer be edited."
    assert comment(app, posted).body_text == "The vote is on Tusday."


def test_another_browser_may_not_edit(app, posted):
    stranger = app.test_client()
    page = stranger.get(edit_url(posted))
    assert page.status_code == 403 and "browser it was sent from" in message(page)
    assert not parse(page).xpath("//textarea")
    assert stranger.post(edit_url(posted), data={"body": "Mine now."}).status_code == 403
    assert stranger.post(edit_url(posted), data={"action": "delete"}).status_code == 403
    assert comment(app, posted).body_text == "The vote is on Tusday." and comment(app, posted).status == "approved"


def test_unknown_comments_and_other_articles_are_not_found(client, posted, make_article):
    make_article("Another story", slug="other")
    assert client.get(edit_url(posted + 100)).status_code == 404
    assert client.get(edit_url(posted, slug="other")).status_code == 404
    assert client.post(edit_url(posted, slug="other"), data={"body": "x"}).status_code == 404
    assert client.get(edit_url(posted, slug="nowhere")).status_code == 404


def test_a_post_from_another_site_is_refused(app, client, posted):
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        assert client.post(edit_url(posted), data={"body": "Forged."}, headers=headers).status_code == 403
        assert client.post(edit_url(posted), data={"action": "delete"}, headers=headers).status_code == 403
    assert comment(app, posted).body_text == "The vote is on Tusday."
    same = client.post(edit_url(posted), data={"body": "Mine."}, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_signed_in_writers_send_their_csrf_token(app, client, article, post_comment, sign_in):
    sign_in("editor", name="Ed Itor")
    posted = post_comment(SLUG, body="Staff note, with a typo: teh.")
    comment_id = int(posted.headers["Location"].rpartition("#comment-")[2])
    assert client.post(edit_url(comment_id), data={"body": "Fixed."}).status_code == 400
    form = client.get(edit_url(comment_id))
    token = parse(form).xpath("string(//input[@name='csrf_token']/@value)")
    assert token
    assert client.post(edit_url(comment_id), data={"body": "Staff note: the.", "csrf_token": token}).status_code == 303
    assert revisions(app, comment_id) == [("Staff note, with a typo: teh.", None)]  # as its writer, not as staff


def test_the_same_field_rules_apply(app, client, posted):
    empty = client.post(edit_url(posted), data={"body": "   "})
    assert empty.status_code == 422 and "Please write a comment." in empty.get_data(as_text=True)
    browser_length = ("a" * 49 + "\r\n") * 100  # 5,000 characters as the browser counts (CRLF as one), 5,100 sent
    assert client.post(edit_url(posted), data={"body": browser_length}).status_code == 303
    assert comment(app, posted).body_text == ("a" * 49 + "\n") * 99 + "a" * 49
    assert client.post(edit_url(posted), data={"body": "a" * 5001}).status_code == 422
    assert client.post(edit_url(posted), data={"body": "a bell \x07"}).status_code == 422


def test_the_text_is_sanitised_as_a_new_comments_is(app, client, posted):
    client.post(edit_url(posted), data={"body": "**Bold** <script>alert(1)</script>"})
    html = comment(app, posted).body_html
    assert "<strong>Bold</strong>" in html and "<script" not in html


def test_a_block_word_in_an_edit_sends_it_to_spam_and_the_writer_is_told_it_awaits(app, client, posted):
    set_settings(app, block_words="casino")
    client.post(edit_url(posted), data={"body": "Visit my casino."})
    assert comment(app, posted).status is CommentStatus.SPAM
    assert events(app, posted)[-1] == ("edit", "approved", "spam", None)
    own = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "Your comment is awaiting moderation." in own and "Visit my casino." in own  # as a held one, to them
    assert "casino" not in app.test_client().get(f"/articles/{SLUG}").get_data(as_text=True)
    assert comment_count(app) == 1  # Pat's earlier comment only


def test_links_beyond_the_limit_send_an_approved_comment_back_to_pending(app, client, posted):
    set_settings(app, max_links=1)
    client.post(edit_url(posted), data={"body": "See https://a.example and https://b.example"})
    stored = comment(app, posted)
    assert stored.status is CommentStatus.PENDING and stored.moderation_reasons == ["2 links (more than 1)"]
    assert events(app, posted)[-1] == ("edit", "approved", "pending", None)
    assert "awaiting moderation" in client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "b.example" not in app.test_client().get(f"/articles/{SLUG}").get_data(as_text=True)


def test_a_held_comment_stays_held_however_it_is_edited(app, client, article, post_comment):
    response = post_comment(SLUG, name="New Voice", email="new@example.net", body="First time here.")
    held = int(response.headers["Location"].rpartition("#comment-")[2])
    assert comment(app, held).status is CommentStatus.PENDING
    assert client.post(edit_url(held), data={"body": "First time here, hello."}).status_code == 303
    assert comment(app, held).status is CommentStatus.PENDING and events(app, held)[-1][0] == "submitted"
    assert "First time here, hello." in client.get(f"/articles/{SLUG}").get_data(as_text=True)  # still theirs to see


def test_the_writer_deletes_their_comment(app, client, posted):
    deleted = client.post(edit_url(posted), data={"action": "delete", "body": ""})
    assert deleted.status_code == 303 and deleted.headers["Location"].endswith(f"/articles/{SLUG}#comments")
    assert comment(app, posted).status is CommentStatus.TRASH
    assert events(app, posted)[-1] == ("withdrawn", "approved", "trash", None)
    own = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "Your comment is deleted." in own and "Tusday" not in own
    assert "Tusday" not in app.test_client().get(f"/articles/{SLUG}").get_data(as_text=True)
    assert client.get(edit_url(posted)).status_code == 404
    assert comment_count(app) == 1  # Pat's earlier comment only


def test_editors_read_every_earlier_text_on_the_desk(app, client, posted, make_user):
    client.post(edit_url(posted), data={"body": "The vote is on Tuesday."})
    client.post(edit_url(posted), data={"body": "The vote is on Tuesday evening."})
    make_user("Ed Itor", role="editor", email="ed@example.org", password=PASSWORD)
    desk = app.test_client()
    assert desk.post("/login", data={"email": "ed@example.org", "password": PASSWORD}).status_code == 303
    page = parse(desk.get(f"/moderation/comments/{posted}"))
    texts = page.xpath("//ol[contains(@class, 'revisions')]/li//pre/text()")
    assert texts == ["The vote is on Tusday.", "The vote is on Tuesday."]
    assert page.xpath("string(//ol[contains(@class, 'revisions')])").count("the commenter") == 2


def test_cached_pages_show_the_new_text_at_once(cached, client, posted):
    reader = cached.test_client()
    assert "Tusday" in reader.get(f"/articles/{SLUG}").get_data(as_text=True)  # now in the cache
    client.post(edit_url(posted), data={"body": "The vote is on Tuesday."})
    fresh = reader.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "Tuesday" in fresh and "Tusday" not in fresh
    assert "Tuesday" in client.get(f"/articles/{SLUG}").get_data(as_text=True)  # the writer's own page too


def test_admins_set_the_window_on_the_settings_page(app, client, sign_in):
    sign_in("admin")
    form = parse(client.get("/editorial/settings"))
    assert form.xpath("//input[@name='edit_window_minutes']/@value") == ["10"]
    fields = {"max_links": "2", "thread_depth": "5", "comments_per_page": "50", "auto_approve_known": "y"}
    assert client.post("/editorial/settings", data={**fields, "edit_window_minutes": "-1"}).status_code == 422
    assert client.post("/editorial/settings", data={**fields, "edit_window_minutes": ""}).status_code == 422
    assert client.post("/editorial/settings", data={**fields, "edit_window_minutes": "0"}).status_code == 303
    with app.app_context():
        from blog.services.site import get_settings

        assert get_settings().edit_window_minutes == 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2/minute")
def test_edits_are_rate_limited_like_comments(app, client, posted):
    for n in range(2):
        assert client.post(edit_url(posted), data={"body": f"Version {n}."}).status_code == 303
    assert client.post(edit_url(posted), data={"body": "Version 2."}).status_code == 429
    assert client.get(edit_url(posted)).status_code == 200  # reading the form is not limited
    assert len(revisions(app, posted)) == 2


def test_the_comments_feed_carries_the_new_text_and_when_it_changed(app, client, posted, monkeypatch):
    later(monkeypatch, 2)
    client.post(edit_url(posted), data={"body": "The vote is on Tuesday."})
    feed = app.test_client().get(f"/articles/{SLUG}/comments.atom").get_data(as_text=True)
    assert "Tuesday" in feed and "Tusday" not in feed
    (entry,) = [e for e in feed.split("<entry>") if "Tuesday" in e]
    published = entry.split("<published>")[1].split("</published>")[0]
    updated = entry.split("<updated>")[1].split("</updated>")[0]
    assert updated > published
