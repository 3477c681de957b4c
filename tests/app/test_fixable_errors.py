"""Errors people can fix: a refusal on a staff page re-renders that page, the message beside its cause, nothing
typed or ticked lost (no bare "ERROR 400" page)."""

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Comment, CommentStatus, RelatedLink, Role, User
from tests.helpers import parse

P = CommentStatus.PENDING


def test_bulk_apply_with_nothing_selected_shows_the_desk_again(app, client, sign_in, make_article, make_comment):
    sign_in("editor")
    harbour = make_article("Harbour vote", slug="harbour")
    pending = make_comment(harbour, name="Pat One", body="first pending", status=P)
    response = client.post(
        "/moderation/bulk", data={"action": "trash", "next": "/moderation/?status=pending&article=harbour"}
    )
    assert response.status_code == 400
    doc = parse(response)
    assert doc.xpath("string(//*[@id='bulk-error'])") == "Select at least one comment first."
    assert doc.xpath("//select[@name='action']/option[@selected]/@value") == ["trash"]  # the choice kept
    assert doc.xpath("//form[contains(@class, 'desk-form')]/input[@name='next']/@value") == [
        "/moderation/?status=pending&article=harbour"
    ]
    assert doc.xpath("//tr/@id") == [f"row-{pending}"]  # the same desk: the article's pending comments
    with app.app_context():
        assert db.session.get(Comment, pending).status is P


def test_a_refused_bulk_selection_stays_ticked(app, client, sign_in, make_article, make_comment):
    sign_in("editor")
    harbour = make_article("Harbour vote", slug="harbour")
    one = make_comment(harbour, name="Pat One", body="one", status=P)
    two = make_comment(harbour, name="Sam Two", body="two", status=P, minutes=1)
    response = client.post("/moderation/bulk", data={"action": "explode", "ids": [str(one)], "next": "/moderation/"})
    assert response.status_code == 400
    doc = parse(response)
    assert "Choose what to do" in doc.xpath("string(//*[@id='bulk-error'])")
    assert doc.xpath("//input[@name='ids'][@checked]/@value") == [str(one)]
    assert doc.xpath("//input[@name='ids'][not(@checked)]/@value") == [str(two)]


def test_demoting_the_last_admin_shows_the_users_page_with_the_reason_in_that_row(app, client, sign_in, make_user):
    admin = sign_in("admin", name="Ada Admin")
    make_user("Ed Itor", role="editor")
    response = client.post(f"/editorial/users/{admin}", data={"role": "editor", "is_active": "y"})
    assert response.status_code == 409
    doc = parse(response)
    assert "last active admin" in doc.xpath(f"string(//*[@id='user-error-{admin}'])")
    assert doc.xpath(f"//select[@id='role-{admin}']/@aria-describedby") == [f"user-error-{admin}"]
    assert doc.xpath(f"//select[@id='role-{admin}']/option[@selected]/@value") == ["editor"]  # as sent
    assert "Ed Itor" in doc.xpath("string(//table)")  # the whole page, not an error page
    with app.app_context():
        assert db.session.get(User, admin).role is Role.ADMIN
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_a_bad_keep_reading_link_keeps_what_was_typed(app, client, sign_in, make_article):
    sign_in("editor")
    article = make_article("Harbour vote", slug="harbour")
    response = client.post(
        f"/editorial/articles/{article}/links", data={"url": "javascript:alert(1)", "title": "Council minutes"}
    )
    assert response.status_code == 422
    doc = parse(response)
    assert doc.xpath("//input[@name='title'][@value='Council minutes']")
    assert doc.xpath("//input[@name='url']/@value") == ["javascript:alert(1)"]
    assert doc.xpath("//*[contains(@class,'field-error')]//input[@name='url']")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RelatedLink)) == 0


def test_a_refused_action_on_a_comments_own_page_shows_that_page_with_the_reason(
    app, client, sign_in, make_article, make_comment
):
    sign_in("editor")
    harbour = make_article("Harbour vote", slug="harbour")
    approved = make_comment(harbour, name="Pat One", body="already approved")
    own_page = f"/moderation/comments/{approved}"
    response = client.post(f"/moderation/comments/{approved}/restore", data={"next": own_page})
    assert response.status_code == 409
    doc = parse(response)
    assert "cannot be given the action 'restore'" in doc.xpath("string(//*[@id='action-error'])")
    assert "already approved" in doc.xpath("string(//main)")  # the comment's page, not an error page
    from_desk = client.post(f"/moderation/comments/{approved}/restore", data={"next": "/moderation/?status=approved"})
    assert from_desk.status_code == 409
    assert "cannot be given the action" in parse(from_desk).xpath("string(//*[@id='bulk-error'])")
    assert parse(from_desk).xpath("//tr/@id") == [f"row-{approved}"]
