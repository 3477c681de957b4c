"""The comment pipeline through the test client: form, rules, verdict, storage, what readers see."""

import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent
from tests.helpers import form_fields, page_text, parse, query_plan, set_settings


def stored(app) -> list[Comment]:
    with app.app_context():
        comments = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
        db.session.expunge_all()
        return comments


@pytest.fixture
def article(make_article):
    make_article("The harbour vote", slug="harbour")
    return "harbour"


def test_form_has_the_promised_anatomy(client, article):
    doc = parse(client.get(f"/articles/{article}"))
    (respond,) = doc.xpath("//div[@id='respond']")
    assert respond.xpath("./h2/text()") == ["Leave a Reply"]
    notes = " ".join(respond.xpath(".//p[@class='comment-notes']")[0].text_content().split())
    assert notes == "Your email address will not be published. Required fields are marked *"
    form = respond.xpath(".//form")[0]
    assert form.get("method") == "post" and form.get("action").startswith(f"/articles/{article}/comments")
    for name, label in [("body", "Comment *"), ("name", "Name *"), ("email", "Email *"), ("website", "Website")]:
        (field,) = form.xpath(f".//*[@name='{name}']")
        (lab,) = form.xpath(f".//label[@for='{field.get('id')}']")
        assert " ".join(lab.text_content().split()) == label
    consent = form.xpath(".//input[@type='checkbox'][@name='remember']")[0]
    consent_label = form.xpath(f".//label[@for='{consent.get('id')}']")[0].text_content()
    assert consent_label == "Save my name, email, and website in this browser for the next time I comment."
    assert set(form_fields(client.get(f"/articles/{article}").get_data(as_text=True))) >= {"ts", "parent_id"}
    assert form.xpath(".//button[@type='submit']")


def test_the_comment_box_says_which_markdown_it_takes(client, article):
    response = client.get(f"/articles/{article}")
    doc = parse(response)
    (box,) = doc.xpath("//form//textarea[@name='body']")
    (hint,) = doc.xpath("//*[@id='body-hint']")
    assert hint.text_content() == "Markdown: *italic*, **bold**, [link](https://…), > quote"
    assert "body-hint" in box.get("aria-describedby").split()
    assert box.getparent() is hint.getparent()  # under the box, in its field
    assert "<code>&gt; quote</code>" in response.get_data(as_text=True)  # escaped, not a stray ">"
    assert box.get("maxlength") == "5000"
    assert doc.xpath("//script[@src='/static/comments.js'][@defer]")  # the counter: an external file


def test_submit_pending_visible_only_to_submitter_then_approved_for_all(app, client, article, post_comment, runner):
    response = post_comment(article, name="Ada Reader", email="Ada@Example.net", body="First *thoughts*.")
    assert response.status_code == 303
    (comment,) = stored(app)
    assert response.headers["Location"].endswith(f"/articles/{article}#comment-{comment.id}")
    assert comment.status is CommentStatus.PENDING
    assert comment.author_email == "ada@example.net"
    assert comment.body_html == "<p>First <em>thoughts</em>.</p>"
    assert comment.moderation_reasons == ["first comment"]
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash and len(comment.ip_hash) == 64

    mine = parse(client.get(f"/articles/{article}"))
    (li,) = mine.xpath(f"//li[@id='comment-{comment.id}']")
    assert "Your comment is awaiting moderation." in li.text_content()

    stranger = app.test_client()
    assert f"comment-{comment.id}" not in stranger.get(f"/articles/{article}").get_data(as_text=True)

    result = runner.invoke(args=["comments", "moderate", str(comment.id), "approve"])
    assert result.exit_code == 0, result.output
    assert "pending -> approved" in result.output
    page = parse(stranger.get(f"/articles/{article}"))
    (li,) = page.xpath(f"//li[@id='comment-{comment.id}']")
    assert "awaiting moderation" not in li.text_content()
    assert page.xpath("//h2[@id='comments-title']/text()") == ["1 Comment"]
    with app.app_context():
        assert db.session.scalar(sa.select(Article.comment_count)) == 1
        events = db.session.execute(
            sa.select(ModerationEvent.action, ModerationEvent.from_status, ModerationEvent.to_status).order_by(
                ModerationEvent.id
            )
        ).all()
    assert events == [
        ("submitted", None, CommentStatus.PENDING),
        ("approve", CommentStatus.PENDING, CommentStatus.APPROVED),
    ]


def test_known_commenter_is_approved_at_once(app, client, article, post_comment, make_comment):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    make_comment(article_id, name="Ada Reader", email="ada@example.net", body="Earlier.")
    assert post_comment(article, name="Ada Reader", email="ADA@example.net", body="Again!").status_code == 303
    assert stored(app)[-1].status is CommentStatus.APPROVED
    # same email, different name: waits
    post_comment(article, name="Someone Else", email="ada@example.net", body="Impostor?")
    assert stored(app)[-1].status is CommentStatus.PENDING


def notice(response) -> list[str]:
    """The note on what became of the comment just sent, shown with the comments (not among other flashes)."""
    doc = parse(response)
    assert not doc.xpath("//div[@class='flashes']")
    return [" ".join(p.text_content().split()) for p in doc.xpath("//section[@id='comments']//*[@role='status']/p")]


def test_the_commenter_is_told_what_became_of_their_comment(app, client, article, post_comment, make_comment):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    make_comment(article_id, name="Ada Reader", email="ada@example.net", body="Earlier.")
    assert post_comment(article, name="Ada Reader", email="ada@example.net", body="Again!").status_code == 303
    assert notice(client.get(f"/articles/{article}")) == ["Your comment is published."]
    assert notice(client.get(f"/articles/{article}")) == []  # said once

    assert post_comment(article, name="New Reader", email="new@example.net", body="Hello").status_code == 303
    assert notice(client.get(f"/articles/{article}")) == ["Your comment is awaiting moderation."]


def test_a_comment_sent_to_spam_looks_held_to_its_author(app, client, article, post_comment):
    """The author of a comment the block words sent to spam is told what a held one's author is: no rule leaks."""
    set_settings(app, block_words="casino")
    post_comment(article, name="Held Reader", email="held@example.net", body="A fair point")
    post_comment(article, name="Spam Reader", email="spam@example.net", body="Best casino in town")
    held, spam = stored(app)
    assert (held.status, spam.status) == (CommentStatus.PENDING, CommentStatus.SPAM)
    response = client.get(f"/articles/{article}")
    assert notice(response) == ["Your comment is awaiting moderation."]
    doc = parse(response)
    for comment in (held, spam):
        (li,) = doc.xpath(f"//li[@id='comment-{comment.id}']")
        assert "comment-pending" in li.get("class")
        assert "Your comment is awaiting moderation." in li.text_content()
    stranger = app.test_client().get(f"/articles/{article}").get_data(as_text=True)
    assert f"comment-{held.id}" not in stranger and f"comment-{spam.id}" not in stranger


def test_settings_rules_apply(app, article, post_comment):
    set_settings(app, block_words="casino", hold_words="refund", max_links=1)
    post_comment(article, body="Best CASINO in town")
    post_comment(article, body="I want a refund")
    post_comment(article, body="Both reports say the same thing: https://a.example and https://b.example")
    assert [(c.status, c.moderation_reasons) for c in stored(app)] == [
        (CommentStatus.SPAM, ["block word: casino"]),
        (CommentStatus.PENDING, ["hold word: refund"]),
        (CommentStatus.PENDING, ["2 links (more than 1)"]),
    ]


def test_replies_nest_and_bad_parents_are_refused(app, client, article, post_comment, make_comment, make_article):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id).where(Article.slug == article))
    top = make_comment(article_id, name="Top", body="Top level")
    pending = make_comment(article_id, name="Waiting", body="pending one", status=CommentStatus.PENDING)
    spam = make_comment(article_id, name="Spam", body="spam one", status=CommentStatus.SPAM)
    other = make_comment(make_article("Other"), name="Elsewhere", body="other article")

    form = parse(client.get(f"/articles/{article}?replytocom={top}"))
    assert form.xpath("//input[@name='parent_id']/@value") == [str(top)]
    assert form.xpath("//div[@id='respond']/h2/text()") == ["Reply to Top"]

    response = post_comment(article, query=f"?replytocom={top}", body="A reply")
    assert response.status_code == 303
    reply = stored(app)[-1]
    assert (reply.parent_id, reply.depth) == (top, 1)

    for parent, message in [
        (pending, "not published"),
        (spam, "not published"),
        (other, "another article"),
        (999999, "does not exist"),
        ("abc", "can't be replied to"),
        ("-1", "can't be replied to"),
    ]:
        before = len(stored(app))
        response = post_comment(article, parent_id=str(parent), body=f"reply to {parent}")
        assert response.status_code == 422, parent
        assert message in page_text(response), parent
        assert f"reply to {parent}" in page_text(response)  # what was typed is kept
        assert len(stored(app)) == before


def test_depth_limit(app, article, post_comment, make_comment):
    set_settings(app, thread_depth=3)
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    c0 = make_comment(article_id, body="d0")
    c1 = make_comment(article_id, body="d1", parent_id=c0)
    c2 = make_comment(article_id, body="d2", parent_id=c1)
    assert post_comment(article, parent_id=str(c1), body="ok at depth 2").status_code == 303
    response = post_comment(article, parent_id=str(c2), body="too deep")
    assert response.status_code == 422
    assert "as deep as it can go" in page_text(response)


def test_threads_render_nested_oldest_first(client, app, article, make_comment):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    a = make_comment(article_id, name="A", minutes=1)
    b = make_comment(article_id, name="B", minutes=2)
    a1 = make_comment(article_id, name="A1", parent_id=a, minutes=3)
    a1x = make_comment(article_id, name="A1x", parent_id=a1, minutes=4)
    doc = parse(client.get(f"/articles/{article}"))
    items = doc.xpath("//ol[@class='comment-list']/li")
    assert [(li.get("id"), li.get("class")) for li in items] == [
        (f"comment-{a}", "comment depth-0"),
        (f"comment-{a1}", "comment depth-1"),
        (f"comment-{a1x}", "comment depth-2"),
        (f"comment-{b}", "comment depth-0"),
    ]
    assert doc.xpath(f"//li[@id='comment-{a}']//a[text()='Reply']/@href") == [
        f"/articles/{article}?replytocom={a}#respond"
    ]


def test_each_comment_shows_its_own_fields_in_their_places(client, app, article, make_comment):
    """Every value of a shown comment lands where it belongs (the thread template unpacks them by position)."""
    from blog.core.privacy import avatar_colour

    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    first = make_comment(
        article_id,
        name="Ada Lovelace",
        email="ada@example.net",
        body="First *words*.",
        website="https://ada.example.org/",
        minutes=1,
    )
    second = make_comment(article_id, name="grace", email="grace@example.net", body="Second.", minutes=2)
    with app.app_context():
        created = dict(db.session.execute(sa.select(Comment.id, Comment.created_at)).all())
    doc = parse(client.get(f"/articles/{article}"))
    colours = {
        first: avatar_colour(app.config["HASH_KEY"], "ada@example.net"),
        second: avatar_colour(app.config["HASH_KEY"], "grace@example.net"),
    }
    for ident, initials, name, website, body in [
        (first, "AL", "Ada Lovelace", "https://ada.example.org/", "First words."),
        (second, "G", "grace", None, "Second."),
    ]:
        li = doc.xpath(f"//li[@id='comment-{ident}']")[0]
        assert li.xpath(".//span[contains(@class, 'avatar')]/@class") == [f"avatar avatar-{colours[ident]}"]
        assert li.xpath("string(.//span[contains(@class, 'avatar')])") == initials
        assert li.xpath("string(.//span[@class='comment-author'])") == name
        assert li.xpath(".//span[@class='comment-author']/a/@href") == ([website] if website else [])
        assert li.xpath("article/@aria-label") == [f"Comment by {name}"]
        assert li.xpath("normalize-space(.//div[@class='comment-body'])") == body
        assert li.xpath(".//a[@class='comment-date']/@href") == [f"#comment-{ident}"]
        assert li.xpath(".//time/@datetime") == [created[ident].isoformat()]
        assert li.xpath(".//a[text()='Reply']/@aria-label") == [f"Reply to {name}"]
        assert not li.xpath(".//*[@class='comment-awaiting']")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Please enter your name."),
        ({"name": "x" * 81}, "name", "Field cannot be longer than 80 characters."),
        ({"name": "pat@example.net"}, "name", "Please enter your name, not an email address"),
        ({"name": "Pat <pat@example.net>"}, "name", "not an email address"),
        ({"email": ""}, "email", "Please enter your email address."),
        ({"email": "not-an-email"}, "email", "Please enter a valid email address"),
        ({"email": "a" * 250 + "@example.net"}, "email", "cannot be longer than 254"),
        ({"website": "javascript:alert(1)"}, "website", "starting with http:// or https://"),
        ({"website": "ftp://example.net"}, "website", "starting with http:// or https://"),
        ({"website": "https://example.net/" + "a" * 200}, "website", "cannot be longer than 200"),
        ({"body": "   "}, "body", "Please write a comment."),
        ({"body": "x" * 5001}, "body", "cannot be longer than 5000"),
        ({"body": "bell\x07byte"}, "body", "can't be stored"),  # a NUL is refused before any form: test_bad_input
        ({"name": "Evil\r\nBcc: x@example.net"}, "name", "single line"),
        ({"email": "a@example.net\r\nBcc: b@example.net"}, "email", "single line"),
    ],
)
def test_invalid_fields_are_shown_inline_with_input_kept(app, article, post_comment, fields, field, message):
    response = post_comment(article, **{"body": "Kept text here", **fields})
    assert response.status_code == 422
    doc = parse(response)
    (input_,) = doc.xpath(f"//form//*[@name='{field}']")
    assert input_.get("aria-invalid") == "true"
    error = doc.xpath(f"//*[@id='{input_.get('aria-describedby').split()[-1]}']")[0].text_content()
    assert message in error
    assert input_.get("autofocus") is not None  # focus lands on the field to fix
    assert len(doc.xpath("//*[@autofocus]")) == 1
    if field != "body":
        assert [t.strip() for t in doc.xpath("//textarea[@name='body']/text()")] == ["Kept text here"]
    assert stored(app) == []


def test_length_is_counted_as_the_browser_counts_it(app, article, post_comment):
    """A browser counts a line break as one character (its maxlength) but sends it as CRLF."""
    lines = ["x" * 77] * 64
    body = "\r\n".join(lines)  # 64 * 77 + 63 = 4,991 characters to the browser, 5,054 on the wire
    assert len(body.replace("\r\n", "\n")) <= 5000 < len(body)
    assert post_comment(article, body=body).status_code == 303
    (comment,) = stored(app)
    assert comment.body_text == "\n".join(lines)  # stored with LF only
    response = post_comment(article, body="\r\n".join(["y" * 99] * 51))  # 5,050 characters even as LF
    assert response.status_code == 422
    assert "cannot be longer than 5000" in page_text(response)


def test_honeypot_and_timing(app, article, post_comment):
    response = post_comment(article, url="http://spam.example")
    assert response.status_code == 422
    assert "must be left empty" in page_text(response)
    response = post_comment(article, ts="forged")
    assert response.status_code == 422
    assert "could not be verified" in page_text(response)
    assert stored(app) == []


@pytest.mark.app_config(COMMENT_MIN_SECONDS=30)
def test_too_fast_is_refused_with_a_clear_message(app, article, post_comment, monkeypatch):
    from blog.public import forms

    monkeypatch.setattr(forms.time, "time", lambda: 1_800_000_000.0)  # a whole minute: the token's own time
    response = post_comment(article)
    assert response.status_code == 422
    assert "That was very fast!" in page_text(response)
    assert stored(app) == []


def test_too_old_or_foreign_form_is_refused(app, client, article, make_article, post_comment, monkeypatch):
    from blog.public import forms

    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
        now = time.time()
        monkeypatch.setattr(forms.time, "time", lambda: now - 3 * 24 * 3600)
        old = forms.form_token(article_id)
        monkeypatch.setattr(forms.time, "time", lambda: now)
    response = post_comment(article, ts=old)
    assert response.status_code == 422
    assert "open for too long" in page_text(response)

    other = make_article("Another")
    with app.app_context():
        foreign = forms.form_token(other)
    response = post_comment(article, ts=foreign)
    assert response.status_code == 422
    assert "belongs to another article" in page_text(response)
    assert stored(app) == []


def test_duplicate_is_refused(app, article, post_comment):
    assert post_comment(article, body="Same words").status_code == 303
    response = post_comment(article, body="Same words", email="PAT@example.net")
    assert response.status_code == 422
    assert "Duplicate comment detected" in page_text(response)
    assert len(stored(app)) == 1


def test_closed_comments(app, client, make_article, post_comment):
    slug = "closed"
    article_id = make_article("Closed", slug=slug)
    with app.app_context():
        db.session.get(Article, article_id).comments_open = False
        db.session.commit()
    doc = parse(client.get(f"/articles/{slug}"))
    assert doc.xpath("//form[contains(@class,'comment-form')]") == []
    assert doc.xpath("//*[@id='respond']/text()") == ["Comments are closed."]
    response = client.post(f"/articles/{slug}/comments", data={"name": "A", "email": "a@example.net", "body": "x"})
    assert response.status_code == 403
    assert "Comments are closed." in page_text(response)
    assert stored(app) == []


def test_comments_close_after_n_days(app, client, make_article):
    set_settings(app, close_after_days=7)  # make_article publishes before 2026-11-01
    slug = "old-news"
    make_article("Old news", slug=slug)
    assert "Comments are closed." in client.get(f"/articles/{slug}").get_data(as_text=True)
    assert client.post(f"/articles/{slug}/comments", data={}).status_code == 403


@pytest.mark.parametrize("slug", ["nope", "a-draft"])
def test_posting_to_unknown_or_draft_article_is_404(app, client, make_article, slug):
    make_article("Draft", slug="a-draft", published=False)
    assert client.post(f"/articles/{slug}/comments", data={"name": "x"}).status_code == 404


def test_remember_me_only_with_consent(app, client, article, post_comment):
    post_comment(article, name="Remembered Reader", email="rr@example.net", website="https://rr.example", remember="y")
    cookie = client.get_cookie("blog_commenter")
    assert cookie is not None and cookie.http_only
    doc = parse(client.get(f"/articles/{article}"))
    assert doc.xpath("//input[@name='name']/@value") == ["Remembered Reader"]
    assert doc.xpath("//input[@name='email']/@value") == ["rr@example.net"]
    assert doc.xpath("//input[@name='remember']/@checked")

    post_comment(article, name="Remembered Reader", email="rr@example.net", body="second, no consent")
    assert client.get_cookie("blog_commenter") is None
    doc = parse(client.get(f"/articles/{article}"))
    assert doc.xpath("//input[@name='name']/@value") in ([], [""])


def test_the_remember_me_cookie_reveals_no_address(app, client, article, post_comment):
    import base64
    import binascii
    import contextlib

    post_comment(article, name="Opaque Reader", email="opaque@example.net", website="https://op.example", remember="y")
    value = client.get_cookie("blog_commenter").value
    readable = [value]
    for part in re.split(r"[.~]", value):  # whatever a reader of the cookie may decode
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                readable.append(decode(part + "=" * (-len(part) % 4)).decode("latin-1"))
    for text in readable:
        assert "opaque" not in text.lower() and "op.example" not in text and "Opaque Reader" not in text
    doc = parse(client.get(f"/articles/{article}"))  # and it still fills the form in
    assert doc.xpath("//input[@name='email']/@value") == ["opaque@example.net"]
    assert doc.xpath("//input[@name='name']/@value") == ["Opaque Reader"]


def test_an_old_readable_remember_cookie_is_ignored(app, client, article):
    from itsdangerous import URLSafeSerializer

    with app.app_context():
        old = URLSafeSerializer(app.config["SECRET_KEY"], salt="remember-commenter").dumps(
            {"n": "Old Reader", "e": "old@example.net", "w": ""}
        )
    client.set_cookie("blog_commenter", old)
    response = client.get(f"/articles/{article}")
    assert response.status_code == 200
    assert "old@example.net" not in response.get_data(as_text=True)


def test_a_remember_cookie_from_another_secret_key_is_ignored(app, client, article, post_comment):
    post_comment(article, name="Keyed Reader", email="keyed@example.net", remember="y")
    app.config["SECRET_KEY"] = "another-secret-key-for-this-test"
    response = client.get(f"/articles/{article}")
    assert response.status_code == 200
    assert "keyed@example.net" not in response.get_data(as_text=True)


def test_no_consent_remembers_nothing(client, article, post_comment):
    post_comment(article, name="Private Person", email="pp@example.net")
    assert client.get_cookie("blog_commenter") is None
    assert "pp@example.net" not in client.get(f"/articles/{article}").get_data(as_text=True)


def test_forged_remember_cookie_is_ignored(client, article):
    client.set_cookie("blog_commenter", "garbage.signature")
    assert client.get(f"/articles/{article}").status_code == 200


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_signed_in_commenter_without_the_csrf_token_gets_400_with_text_kept(app, client, article, sign_in):
    sign_in("editor")
    fields = form_fields(client.get(f"/articles/{article}").get_data(as_text=True))
    assert fields["csrf_token"]  # signed-in people's forms carry their session's token
    data = {**fields, "csrf_token": "", "name": "A", "email": "a@example.net", "body": "Keep me"}
    response = client.post(f"/articles/{article}/comments", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert "could not be verified" in text
    assert "Keep me" in text
    assert stored(app) == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_protected_form_works_end_to_end(app, article, post_comment):
    assert post_comment(article).status_code == 303
    assert len(stored(app)) == 1


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2/minute")
def test_rate_limit_is_a_429_with_a_human_message(app, article, post_comment):
    assert post_comment(article, body="one").status_code == 303
    assert post_comment(article, body="two").status_code == 303
    response = post_comment(article, body="three is too many")
    assert response.status_code == 429
    text = page_text(response)
    assert "You're commenting faster than we allow" in text
    assert "three is too many" in text
    assert len(stored(app)) == 2
    assert app.test_client().get(f"/articles/{article}").status_code == 200  # reading is never limited


def test_oversized_request_is_413(app, client, article):
    response = client.post(f"/articles/{article}/comments", data={"body": "x" * (5 * 1024 * 1024), "name": "A"})
    assert response.status_code == 413
    assert "Too Large" in page_text(response)
    assert stored(app) == []


def test_invalid_utf8_is_refused(app, client, article):
    page = client.get(f"/articles/{article}").get_data(as_text=True)
    fields = form_fields(page)
    prefix = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    for raw in (b"&name=A&email=a%40example.net&body=bad\xff\xfebytes", b"&name=A\xff&email=a%40example.net&body=ok"):
        response = client.post(
            f"/articles/{article}/comments", data=prefix + raw, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 422  # the undecodable field is dropped, so it is reported missing
    assert stored(app) == []


def test_user_agent_is_stored_truncated(app, client, article):
    fields = form_fields(client.get(f"/articles/{article}").get_data(as_text=True))
    client.post(
        f"/articles/{article}/comments",
        data=fields | {"name": "A", "email": "a@example.net", "body": "hi"},
        headers={"User-Agent": "X" * 400},
    )
    assert stored(app)[0].user_agent == "X" * 255


def test_count_on_lists_counts_approved_only(app, client, article, make_comment, runner):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    ids = [
        make_comment(article_id, name=f"R{n}", email=f"r{n}@example.net", body=f"b{n}", status=CommentStatus.PENDING)
        for n in range(3)
    ]
    runner.invoke(args=["comments", "moderate", str(ids[0]), "approve"])
    runner.invoke(args=["comments", "moderate", str(ids[1]), "approve"])
    runner.invoke(args=["comments", "moderate", str(ids[1]), "trash"])
    home = parse(client.get("/"))
    assert re.search(r"\b1 comment\b", home.xpath("//p[@class='byline']")[0].text_content())


def test_cli_moderate_refuses_bad_requests(app, runner, article, make_comment):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    cid = make_comment(article_id, status=CommentStatus.PENDING)
    assert runner.invoke(args=["comments", "moderate", "999", "approve"]).exit_code == 1
    result = runner.invoke(args=["comments", "moderate", str(cid), "delete"])
    assert result.exit_code == 1 and "cannot be given the action 'delete'" in result.output
    assert runner.invoke(args=["comments", "moderate", str(cid), "frobnicate"]).exit_code == 2
    assert runner.invoke(args=["comments", "moderate", str(cid), "trash"]).exit_code == 0
    assert runner.invoke(args=["comments", "moderate", str(cid), "delete"]).exit_code == 0
    assert stored(app) == []


def test_get_on_the_post_address_leads_back_to_the_discussion(client, article):
    response = client.get(f"/articles/{article}/comments")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/articles/{article}#comments"


def test_signed_in_editor_comments_are_published_at_once(app, client, article, sign_in, post_comment):
    sign_in("editor", name="Eda Editor", email="eda@example.org")
    form = parse(client.get(f"/articles/{article}"))
    assert form.xpath("//input[@name='name']/@value") == ["Eda Editor"]
    assert post_comment(article, name="Eda Editor", email="eda@example.org", body="From the desk").status_code == 303
    (comment,) = stored(app)
    assert (comment.status, comment.moderation_reasons, comment.user_id is not None) == (
        CommentStatus.APPROVED,
        ["editor"],
        True,
    )


def test_signed_in_author_comments_still_wait(app, client, article, sign_in, post_comment):
    sign_in("author")
    assert post_comment(article, body="From an author").status_code == 303
    assert stored(app)[0].status is CommentStatus.PENDING


def test_long_threads_are_paged_by_top_level_comment_with_replies_kept(app, client, article, make_comment):
    set_settings(app, comments_per_page=5)
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    roots = [
        make_comment(article_id, name=f"Root {n}", email=f"r{n}@example.net", body=f"root {n}", minutes=n * 10)
        for n in range(12)
    ]
    # a late reply to the first comment stays with it on page 1, whatever its date
    late = make_comment(article_id, name="Late", body="late reply", parent_id=roots[0], minutes=500)
    nested = make_comment(article_id, name="Nested", body="nested", parent_id=late, minutes=501)

    def ids(response):
        return [li.get("id") for li in parse(response).xpath("//ol[@class='comment-list']/li")]

    first = client.get(f"/articles/{article}")
    assert ids(first) == [f"comment-{roots[0]}", f"comment-{late}", f"comment-{nested}"] + [
        f"comment-{r}" for r in roots[1:5]
    ]
    assert parse(first).xpath("//h2[@id='comments-title']/text()") == ["14 Comments"]
    next_url = parse(first).xpath("//nav[@class='pager comments-pager']/a[@rel='next']/@href")[0]
    second = client.get(next_url)
    assert ids(second) == [f"comment-{r}" for r in roots[5:10]]
    third = client.get(parse(second).xpath("//nav[@class='pager comments-pager']/a[@rel='next']/@href")[0])
    assert ids(third) == [f"comment-{r}" for r in roots[10:]]
    assert parse(third).xpath("//nav[@class='pager comments-pager']/a[@rel='next']") == []
    assert parse(third).xpath("//nav[@class='pager comments-pager']/a/text()") == ["← First comments"]
    for bad in ("garbage", "2024-01-01~x", "~1", "2024-01-01T00:00:00~1"):  # naive time, junk: the first page
        assert ids(client.get(f"/articles/{article}?comments_after={bad}")) == ids(first)


def test_comments_newest_first_are_paged_both_ways(app, client, article, make_comment):
    set_settings(app, comments_per_page=5)
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    roots = [make_comment(article_id, name=f"Root {n}", body=f"root {n}", minutes=n * 10) for n in range(12)]
    early = make_comment(article_id, name="Early", body="early reply", parent_id=roots[11], minutes=200)
    later = make_comment(article_id, name="Later", body="later reply", parent_id=roots[11], minutes=210)

    def ids(response):
        return [li.get("id") for li in parse(response).xpath("//ol[@class='comment-list']/li")]

    def pager(response):
        nav = parse(response).xpath("//nav[@class='pager comments-pager']")[0]
        return {" ".join(a.text_content().split()): a.get("href") for a in nav.xpath("./a")}

    oldest = client.get(f"/articles/{article}")
    order = parse(oldest).xpath("//nav[@class='comments-order']")[0]
    assert order.xpath(".//*[@aria-current]/text()") == ["Oldest first"]
    (to_newest,) = order.xpath(".//a[text()='Newest first']/@href")
    first = client.get(to_newest)
    assert first.status_code == 200
    # newest first; replies still follow their comment, oldest first
    assert ids(first) == [f"comment-{roots[11]}", f"comment-{early}", f"comment-{later}"] + [
        f"comment-{r}" for r in roots[10:6:-1]
    ]
    assert parse(first).xpath("//nav[@class='comments-order']//*[@aria-current]/text()") == ["Newest first"]
    replies = parse(first).xpath("//p[@class='comment-reply']/a/@href")
    assert replies and all("comments=newest" in href and "replytocom=" in href for href in replies)
    older = pager(first)["Older comments →"]
    assert "comments=newest" in older
    second = client.get(older)
    assert ids(second) == [f"comment-{r}" for r in roots[6:1:-1]]
    third = client.get(pager(second)["Older comments →"])
    assert ids(third) == [f"comment-{r}" for r in roots[1::-1]]
    back = pager(third)
    assert list(back) == ["← Newest comments"]
    assert ids(client.get(back["← Newest comments"])) == ids(first)
    assert ids(client.get(f"/articles/{article}?comments=oldest")) == ids(oldest)

    # a permalink in this order finds the page of that order
    location = client.get(f"/articles/{article}/comments/{roots[3]}?comments=newest").headers["Location"]
    assert "comments=newest" in location and ids(client.get(location)) == ids(second)


@pytest.mark.parametrize("value", ["random", "NEWEST", "newest ", "1"])
def test_an_unknown_comment_order_is_a_400_that_says_so(client, article, value):
    for url in (f"/articles/{article}", f"/articles/{article}/comments/1"):
        response = client.get(url, query_string={"comments": value})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "must be “oldest” or “newest”" in text


def test_a_comments_permalink_finds_its_page(app, client, article, make_comment, make_article):
    set_settings(app, comments_per_page=5)
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    roots = [make_comment(article_id, name=f"Root {n}", body=f"root {n}", minutes=n * 10) for n in range(12)]
    reply = make_comment(article_id, name="Reply", body="a reply", parent_id=roots[7], minutes=300)
    deeper = make_comment(article_id, name="Deeper", body="deeper", parent_id=reply, minutes=301)
    held = make_comment(article_id, name="Held", body="held", status=CommentStatus.PENDING, minutes=400)
    under_held = make_comment(article_id, name="Under", body="under held", parent_id=held, minutes=401)

    for comment, page_roots in [(roots[0], roots[:5]), (roots[4], roots[:5]), (roots[5], roots[5:10]),
                                (deeper, roots[5:10]), (roots[11], roots[10:])]:  # fmt: skip
        response = client.get(f"/articles/{article}/comments/{comment}")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.endswith(f"#comment-{comment}")
        page = parse(client.get(location))
        shown = [li.get("id") for li in page.xpath("//ol[@class='comment-list']/li") if "depth-0" in li.get("class")]
        assert shown == [f"comment-{r}" for r in page_roots]
        assert page.xpath(f"//li[@id='comment-{comment}']")
    assert "comments_after" not in client.get(f"/articles/{article}/comments/{roots[2]}").headers["Location"]

    make_article("Another story", slug="another")
    for slug, comment in [(article, held), (article, under_held), ("another", roots[0]), ("missing", roots[0])]:
        assert client.get(f"/articles/{slug}/comments/{comment}").status_code == 404
    assert client.get(f"/articles/{article}/comments/99999999").status_code == 404


def test_the_addressed_comment_is_highlighted():
    css = (Path(__file__).resolve().parents[2] / "blog" / "static" / "site.css").read_text()
    assert re.search(r"\.comment:target\b[^{]*\{[^}]*background", css)


def test_a_new_comments_checks_look_up_the_address_not_the_article_or_status(app, article, post_comment):
    """The duplicate and known-commenter checks must not walk the article's (or every approved) comments:
    that made each new comment slower as the site grew (SQLite picked those indexes without statistics)."""
    statements = []
    with app.app_context():
        engine = db.engine
        sa.event.listen(
            engine, "before_cursor_execute", lambda c, cur, stmt, params, ctx, many: statements.append((stmt, params))
        )
        assert post_comment(article).status_code == 303
        sql, params = next((s, p) for s, p in statements if "EXISTS" in s and "author_email" in s)
        plan = query_plan(engine, sql, params)
    assert plan.count("ix_comments_author_email_") == 2, plan  # both checks, by address
    assert "ix_comments_article_id_status_created_at" not in plan and "ix_comments_status_created_at" not in plan, plan


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="1/minute")
def test_over_the_limit_on_a_missing_or_draft_article_is_a_plain_429(app, client, make_article):
    make_article("Not yet", slug="draft-piece", published=False)
    for slug in ("no-such-article", "draft-piece"):
        client.post(f"/articles/{slug}/comments", data={"name": "A", "email": "a@example.net", "body": "x"})
        response = client.post(f"/articles/{slug}/comments", data={"name": "A", "email": "a@example.net", "body": "x"})
        assert response.status_code == 429, slug
        assert "too many requests" in page_text(response).lower()
    assert stored(app) == []
