"""Authors write (issue 21): their own drafts, preview, review; editors publish or send back with a note (mailed
through the outbox to a real SMTP server); the comments on their stories through the public projection;
revisions with diff and restore. Who may do what is enforced on the server, whatever the form shows."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, ArticleRevision, ArticleStatus, CommentStatus
from tests.conftest import PASSWORD
from tests.helpers import SMTPInbox, form_fields, free_port, page_text, parse, set_settings

SMTP_PORT = free_port()


def signed_in(app, make_user, role: str, name: str, email: str):
    """A test client of its own, signed in as a new user of that role; returns (client, user id)."""
    user_id = make_user(name, role=role, email=email, password=PASSWORD)
    client = app.test_client()
    token = form_fields(client.get("/login").get_data(as_text=True), "//form[@method='post']").get("csrf_token")
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token or ""})
    assert response.status_code == 303
    return client, user_id


@pytest.fixture
def author(app, make_user):
    return signed_in(app, make_user, "author", "Ann Author", "ann@example.org")


@pytest.fixture
def editor(app, make_user):
    return signed_in(app, make_user, "editor", "Eda Editor", "eda@example.org")


def draft_data(**overrides):
    return {
        "title": "Tide tables for the winter",
        "slug": "",
        "summary": "When the causeway floods.",
        "body": "High water at **noon**.\n\nLow water at six.",
        "tags": "Harbour",
        "comments_open": "y",
        "action": "save",
    } | overrides


def create(client, **overrides) -> int:
    response = client.post("/editorial/articles/new", data=draft_data(**overrides))
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def article(app, article_id: int) -> Article:
    with app.app_context():
        found = db.session.get(Article, article_id)
        db.session.expunge(found)
        return found


def test_an_author_drafts_previews_and_submits_and_an_editor_publishes(app, author, editor):
    (ann, ann_id), (eda, _) = author, editor
    form = parse(ann.get("/editorial/articles/new"))
    assert form.xpath("//select[@name='author_id'] | //input[@name='publish_at']") == []  # choices left out
    article_id = create(ann, author_id="999", slug="tide-tables")  # a byline chosen by hand is ignored
    assert article(app, article_id).author_id == ann_id

    preview = ann.get(f"/editorial/articles/{article_id}/preview")
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in preview.headers["X-Robots-Tag"]
    assert parse(preview).xpath("//meta[@name='robots']/@content") == ["noindex, nofollow"]
    assert parse(preview).xpath("//div[@class='story-body']//strong/text()") == ["noon"]
    assert ann.get("/articles/tide-tables").status_code == 404

    assert ann.post(f"/editorial/articles/{article_id}", data=draft_data(action="publish")).status_code == 403
    assert article(app, article_id).status is ArticleStatus.DRAFT
    assert ann.post(f"/editorial/articles/{article_id}", data=draft_data(action="submit")).status_code == 303
    assert article(app, article_id).status is ArticleStatus.REVIEW
    # WordPress lets an author edit a pending post: so may ours, and it stays in review
    assert ann.post(f"/editorial/articles/{article_id}", data=draft_data(title="Winter tide tables")).status_code == 303
    assert article(app, article_id).status is ArticleStatus.REVIEW

    desk = parse(eda.get("/editorial/"))
    assert desk.xpath("//section[@aria-labelledby='review-title']//a/text()")[0] == "Winter tide tables"
    response = eda.post(
        f"/editorial/articles/{article_id}",
        data=draft_data(title="Winter tide tables", action="publish", author_id=str(ann_id)),
    )
    assert response.status_code == 303
    page = ann.get("/articles/tide-tables")
    assert page.status_code == 200
    assert "Winter tide tables" in page_text(page)

    # published: the author may read it, not change it (nor its address)
    response = ann.post(f"/editorial/articles/{article_id}", data=draft_data(title="Sneaky edit"))
    assert response.status_code == 403
    assert "ask an editor" in response.get_data(as_text=True)
    assert article(app, article_id).title == "Winter tide tables"


def test_an_author_never_opens_or_changes_another_authors_article(app, author, make_user, make_article):
    ann, _ = author
    other = make_user("Otto Other", role="author")
    theirs = make_article("Otto's draft", author_id=other, published=False)
    for url in (
        f"/editorial/articles/{theirs}",
        f"/editorial/articles/{theirs}/preview",
        f"/editorial/articles/{theirs}/comments",
        f"/editorial/articles/{theirs}/revisions",
    ):
        assert ann.get(url).status_code == 403, url
    assert ann.post(f"/editorial/articles/{theirs}", data=draft_data(action="submit")).status_code == 403
    with app.app_context():
        revision = ArticleRevision(article_id=theirs, title="Otto's first take")
        db.session.add(revision)
        db.session.commit()
        revision_id = revision.id
    assert ann.post(f"/editorial/articles/{theirs}/revisions/{revision_id}/restore").status_code == 403
    assert ann.get(f"/editorial/articles/{theirs}/revisions/diff?from={revision_id}").status_code == 403
    assert article(app, theirs).title == "Otto's draft"
    assert "Otto's draft" not in page_text(ann.get("/editorial/"))
    assert ann.get("/editorial/articles/9999").status_code == 404
    # Keep Reading links and sending back are the editors'
    assert ann.post(f"/editorial/articles/{theirs}/links", data={"target_id": "1"}).status_code == 403
    assert ann.post(f"/editorial/articles/{theirs}/send-back", data={"note": "x"}).status_code == 403


def test_an_author_cannot_change_the_address_once_published(app, author, editor):
    (ann, ann_id), (eda, _) = author, editor
    article_id = create(ann, slug="first-address")
    assert ann.post(f"/editorial/articles/{article_id}", data=draft_data(slug="second-address")).status_code == 303
    for action in ("publish", "unpublish"):
        response = eda.post(
            f"/editorial/articles/{article_id}",
            data=draft_data(slug="second-address", action=action, author_id=str(ann_id)),
        )
        assert response.status_code == 303
    response = ann.post(f"/editorial/articles/{article_id}", data=draft_data(slug="third-address"))
    assert response.status_code == 422
    page = parse(response)
    assert "Only an editor can change the address" in page.xpath("string(//span[@class='error-message'])")
    assert page.xpath("//input[@name='slug']/@value") == ["third-address"]  # what was typed is kept
    assert article(app, article_id).slug == "second-address"


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT, MAIL_DEFAULT_SENDER="desk@example.org")
def test_send_back_with_a_note_mails_the_author_and_shows_the_note(app, author, editor):
    (ann, _), (eda, _) = author, editor
    inbox = SMTPInbox(SMTP_PORT).start()
    try:
        article_id = create(ann)
        ann.post(f"/editorial/articles/{article_id}", data=draft_data(action="submit"))
        empty = eda.post(f"/editorial/articles/{article_id}/send-back", data={"note": "  "})
        assert empty.status_code == 422
        assert "Tell the author what to change." in page_text(empty)
        note = "Please check the <low water> time & add a source."
        assert eda.post(f"/editorial/articles/{article_id}/send-back", data={"note": note}).status_code == 303
    finally:
        inbox.stop()
    found = article(app, article_id)
    assert (found.status, found.review_note) == (ArticleStatus.DRAFT, note)
    [(recipients, message)] = inbox.messages
    assert recipients == ["ann@example.org"]
    assert message["Subject"] == "Your article was sent back: Tide tables for the winter"
    assert note in message.get_content()
    assert f"http://localhost/editorial/articles/{article_id}" in message.get_content()
    page = ann.get(f"/editorial/articles/{article_id}")
    assert note in page_text(page)  # escaped in the page, read as text
    assert "<low water>" not in page.get_data(as_text=True)
    # resubmitting answers the note
    ann.post(f"/editorial/articles/{article_id}", data=draft_data(action="submit"))
    assert article(app, article_id).review_note is None
    assert eda.post(f"/editorial/articles/{article_id}/send-back", data={"note": "again"}).status_code == 303
    assert eda.post(f"/editorial/articles/{article_id}/send-back", data={"note": "twice"}).status_code == 422


def test_authors_see_the_comments_on_their_stories_without_addresses(app, author, make_article, make_comment):
    ann, ann_id = author
    story = make_article("Ann's story", author_id=ann_id)
    make_comment(story, name="Pat Reader", email="pat.secret@example.net", body="Well **said**.")
    make_comment(story, name="Held Person", email="held@example.net", body="hold me", status=CommentStatus.PENDING)
    make_comment(story, name="Spam Bot", email="bot@example.net", body="buy", status=CommentStatus.SPAM)
    response = ann.get(f"/editorial/articles/{story}/comments")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Pat Reader" in text and "Well <strong>said</strong>." in text
    assert "1 awaiting moderation" in page_text(response)
    for secret in ("pat.secret@example.net", "held@example.net", "Held Person", "hold me", "Spam Bot"):
        assert secret not in text
    listing = ann.get("/editorial/")
    assert "1 awaiting moderation" in page_text(listing)
    assert "pat.secret" not in listing.get_data(as_text=True)


def test_revisions_are_kept_compared_and_restored(app, author, editor):
    (ann, ann_id), (eda, _) = author, editor
    article_id = create(ann, body="Line one.\nLine two.")
    ann.post(f"/editorial/articles/{article_id}", data=draft_data(body="Line one.\nLine <b>2</b>."))
    ann.post(f"/editorial/articles/{article_id}", data=draft_data(body="Line one.\nLine <b>2</b>."))  # no change
    eda.post(
        f"/editorial/articles/{article_id}",
        data=draft_data(title="Edited title", body="Line one.\nLine <b>2</b>.", author_id=str(ann_id)),
    )
    with app.app_context():
        kept = db.session.execute(
            sa.select(ArticleRevision.id, ArticleRevision.title, ArticleRevision.body_markdown).order_by(
                ArticleRevision.id
            )
        ).all()
    assert [(r.title, r.body_markdown) for r in kept] == [
        ("Tide tables for the winter", "Line one.\nLine two."),
        ("Tide tables for the winter", "Line one.\nLine <b>2</b>."),
    ]
    history = parse(ann.get(f"/editorial/articles/{article_id}/revisions"))
    assert "by Eda Editor" in history.xpath("string(//tbody/tr[2])")

    diff = ann.get(f"/editorial/articles/{article_id}/revisions/diff?from={kept[0].id}&to=")
    assert diff.status_code == 200
    page = parse(diff)
    assert page.xpath("//div[@class='diff']//del/text()") == ["Tide tables for the winter", "Line two."]
    assert page.xpath("//div[@class='diff']//ins/text()") == ["Edited title", "Line <b>2</b>."]
    assert "<b>2</b>" not in diff.get_data(as_text=True)  # escaped: no markup of the article's text
    assert ann.get(f"/editorial/articles/{article_id}/revisions/diff?from=x").status_code == 400
    assert ann.get(f"/editorial/articles/{article_id}/revisions/diff?from=9999").status_code == 404
    assert ann.get(f"/editorial/articles/{article_id}/revisions/diff").status_code == 400

    assert ann.post(f"/editorial/articles/{article_id}/revisions/{kept[0].id}/restore").status_code == 303
    restored = article(app, article_id)
    assert (restored.title, restored.body_markdown) == ("Tide tables for the winter", "Line one.\nLine two.")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleRevision)) == 3  # history kept
    assert ann.post(f"/editorial/articles/{article_id}/revisions/9999/restore").status_code == 404


def test_an_editor_schedules_and_the_form_says_so(app, editor):
    eda, eda_id = editor
    article_id = create(eda, slug="later", author_id=str(eda_id))
    response = eda.post(
        f"/editorial/articles/{article_id}",
        data=draft_data(action="publish", publish_at="2999-01-02T08:30", author_id=str(eda_id)),
    )
    assert response.status_code == 303
    page = eda.get(f"/editorial/articles/{article_id}")
    assert "Scheduled for 2 January 2999, 8:30 UTC" in page_text(page)
    assert eda.get("/articles/later").status_code == 404
    assert article(app, article_id).status is ArticleStatus.PUBLISHED


def test_the_publish_time_is_typed_and_shown_in_the_sites_time_zone(app, editor):
    eda, eda_id = editor
    set_settings(app, time_zone="Europe/Paris")
    article_id = create(eda, slug="later", author_id=str(eda_id))
    response = eda.post(
        f"/editorial/articles/{article_id}",
        data=draft_data(action="publish", publish_at="2999-07-02T09:30", author_id=str(eda_id)),
    )
    assert response.status_code == 303
    assert article(app, article_id).published_at == datetime(2999, 7, 2, 7, 30, tzinfo=UTC)  # CEST is UTC+2
    page = eda.get(f"/editorial/articles/{article_id}")
    assert "Scheduled for 2 July 2999, 9:30 CEST" in page_text(page)
    doc = parse(page)
    assert doc.xpath("//input[@name='publish_at']/@value") == ["2999-07-02T09:30"]
    assert "Publish at (Europe/Paris time)" in doc.xpath("string(//label[@for='publish_at'])")
