"""Editors manage articles and Keep Reading; admins manage users and settings."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import (
    Article,
    Comment,
    CommentStatus,
    RelatedKind,
    RelatedLink,
    Role,
    SettingsChange,
    SiteSettings,
    Tag,
    User,
)
from tests.helpers import page_text, parse


@pytest.fixture
def editor(sign_in):
    return sign_in("editor", name="Eda Editor")


def article_data(editor_id, **overrides):
    return {
        "title": "Bridge reopens after repairs",
        "slug": "",
        "summary": "Traffic flows again.",
        "body": "The bridge **reopened** today.\n\n## What changed\n\nNew bearings.",
        "tags": "Transport, Bridges",
        "author_id": str(editor_id),
        "comments_open": "y",
        "action": "save",
    } | overrides


def test_create_publish_unpublish(app, client, editor):
    response = client.post("/editorial/articles/new", data=article_data(editor))
    assert response.status_code == 303
    with app.app_context():
        article = db.session.scalar(sa.select(Article))
        article_id, slug = article.id, article.slug
        assert (slug, article.status.value) == ("bridge-reopens-after-repairs", "draft")
        assert sorted(t.slug for t in db.session.scalars(sa.select(Tag))) == ["bridges", "transport"]
    assert client.get(f"/articles/{slug}").status_code == 404  # a draft

    edit = f"/editorial/articles/{article_id}"
    assert client.post(edit, data=article_data(editor, action="publish")).status_code == 303
    page = client.get(f"/articles/{slug}")
    assert page.status_code == 200
    assert parse(page).xpath("//div[@class='story-body']/h2/text()") == ["What changed"]
    assert "Bridge reopens after repairs" in page_text(client.get("/"))

    assert client.post(edit, data=article_data(editor, action="unpublish")).status_code == 303
    assert client.get(f"/articles/{slug}").status_code == 404
    assert "Bridge reopens" not in page_text(client.get("/"))


def test_reading_time_follows_the_text_as_it_is_edited(app, client, editor):
    def reading_time(slug):
        response = client.get(f"/articles/{slug}")
        assert response.status_code == 200
        return parse(response).xpath("normalize-space(//p[@class='byline'])").split("·")[2]

    client.post("/editorial/articles/new", data=article_data(editor, body="Short. " * 200))
    with app.app_context():
        article_id, slug, words = db.session.execute(sa.select(Article.id, Article.slug, Article.word_count)).one()
    assert words == 200
    client.post(f"/editorial/articles/{article_id}", data=article_data(editor, body="Short. " * 200, action="publish"))
    assert reading_time(slug).strip() == "1 min read"
    client.post(f"/editorial/articles/{article_id}", data=article_data(editor, body="Longer now. " * 400))
    assert reading_time(slug).strip() == "4 min read"  # 800 words at 230 a minute
    client.post(
        f"/editorial/articles/{article_id}",
        data=article_data(editor, body="Longer now. " * 400, title="Only the title changed"),
    )
    with app.app_context():
        assert db.session.execute(sa.select(Article.title, Article.word_count)).one() == ("Only the title changed", 800)


def test_preview_renders_without_saving(app, client, editor):
    response = client.post("/editorial/articles/new", data=article_data(editor, action="preview"))
    assert response.status_code == 200
    assert parse(response).xpath("//div[contains(@class,'preview')]//strong/text()") == ["reopened"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Every article needs a title."),
        ({"slug": "Not A Slug!"}, "slug", "lowercase letters"),
        ({"author_id": "99999"}, "author_id", "Not a valid choice"),
        ({"title": "x" * 201}, "title", "longer than 200"),
    ],
)
def test_bad_article_input_is_422_and_saves_nothing(app, client, editor, overrides, field, message):
    response = client.post("/editorial/articles/new", data=article_data(editor, **overrides))
    assert response.status_code == 422
    input_ = parse(response).xpath(f"//*[@name='{field}']")[0]
    assert input_.get("aria-invalid") == "true"
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_duplicate_slug_is_refused(app, client, editor, make_article):
    make_article("Existing", slug="taken")
    response = client.post("/editorial/articles/new", data=article_data(editor, slug="taken"))
    assert response.status_code == 422
    assert "already uses the address “taken”" in page_text(response)
    other = make_article("Other", slug="other")
    response = client.post(f"/editorial/articles/{other}", data=article_data(editor, slug="taken"))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Article, other).slug == "other"


def test_curate_keep_reading(app, client, editor, make_article):
    main = make_article("Main story", slug="main")
    first = make_article("First related", slug="first")
    second = make_article("Second related", slug="second")
    draft = make_article("Unpublished", slug="draft-one", published=False)
    edit = f"/editorial/articles/{main}"

    found = parse(client.get(f"{edit}?q=related"))
    assert sorted(found.xpath("//ul[@class='candidates']/li/button/@value")) == sorted([str(first), str(second)])
    assert client.post(f"{edit}/links", data={"target_id": str(second)}).status_code == 303
    assert client.post(f"{edit}/links", data={"target_id": str(first)}).status_code == 303
    assert (
        client.post(f"{edit}/links", data={"url": "https://example.org/report", "title": "The report"}).status_code
        == 303
    )
    assert client.post(f"{edit}/links", data={"target_id": str(draft)}).status_code == 422
    assert client.post(f"{edit}/links", data={"target_id": str(main)}).status_code == 422
    assert client.post(f"{edit}/links", data={"target_id": str(first)}).status_code == 422  # already there
    assert client.post(f"{edit}/links", data={"url": "javascript:alert(1)", "title": "x"}).status_code == 422
    assert client.post(f"{edit}/links", data={"target_id": "abc"}).status_code == 400

    def order():
        links = parse(client.get("/articles/main")).xpath("//aside[@class='keep-reading']//li/a")
        return [a.text_content() for a in links]

    assert order()[:3] == ["Second related", "First related", "The report"]
    with app.app_context():
        link_ids = list(
            db.session.scalars(
                sa.select(RelatedLink.id).where(RelatedLink.kind == RelatedKind.CURATED).order_by(RelatedLink.position)
            )
        )
    assert client.post(f"{edit}/links/{link_ids[1]}/up").status_code == 303
    assert order()[:3] == ["First related", "Second related", "The report"]
    assert client.post(f"{edit}/links/{link_ids[2]}/remove").status_code == 303
    assert "The report" not in order()
    assert client.post(f"{edit}/links/{link_ids[0]}/sideways").status_code == 400
    assert client.post(f"{edit}/links/999999/up").status_code == 400


def test_users_admin(app, client, sign_in, make_user):
    admin = sign_in("admin", name="Ada Admin")
    response = client.post(
        "/editorial/users/new",
        data={"email": "new@example.org", "name": "New Writer", "role": "author", "password": "long enough pw"},
    )
    assert response.status_code == 303
    assert "New Writer" in page_text(client.get("/editorial/users"))
    dup = client.post(
        "/editorial/users/new",
        data={"email": "NEW@example.org", "name": "Again", "role": "author", "password": "long enough pw"},
    )
    assert dup.status_code == 422 and "already exists" in page_text(dup)
    with app.app_context():
        new_id = db.session.scalar(sa.select(User.id).where(User.email == "new@example.org"))
    assert client.post(f"/editorial/users/{new_id}", data={"role": "editor", "is_active": "y"}).status_code == 303
    assert client.post(f"/editorial/users/{new_id}", data={"role": "editor"}).status_code == 303  # deactivate
    with app.app_context():
        user = db.session.get(User, new_id)
        assert (user.role, user.is_active) == (Role.EDITOR, False)
    # the last active admin can be neither demoted nor deactivated
    for data in ({"role": "editor", "is_active": "y"}, {"role": "admin"}):
        response = client.post(f"/editorial/users/{admin}", data=data)
        assert response.status_code == 409
        assert "last active admin" in page_text(response)
    assert client.post(f"/editorial/users/{admin}", data={"role": "overlord", "is_active": "y"}).status_code == 422
    with app.app_context():
        assert db.session.get(User, admin).role is Role.ADMIN


def test_settings_take_effect_on_the_next_comment(app, client, sign_in, make_article, post_comment):
    sign_in("admin")
    form = parse(client.get("/editorial/settings"))
    assert form.xpath("//input[@name='max_links']/@value") == ["2"]
    response = client.post(
        "/editorial/settings",
        data={
            "max_links": "0",
            "hold_words": "  Refund \n\n",
            "block_words": "casino",
            "auto_approve_known": "",
            "close_after_days": "",
            "thread_depth": "3",
            "comments_per_page": "50",
            "edit_window_minutes": "10",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        settings = db.session.get(SiteSettings, 1)
        assert (settings.max_links, settings.hold_words, settings.auto_approve_known, settings.thread_depth) == (
            0,
            "Refund",
            False,
            3,
        )
        (change,) = db.session.scalars(sa.select(SettingsChange)).all()
        assert change.actor_id is not None
        assert change.changes == {
            "max_links": [2, 0],
            "hold_words": ["", "Refund"],
            "block_words": ["", "casino"],
            "auto_approve_known": [True, False],
            "thread_depth": [5, 3],
        }
    history = " ".join(
        parse(client.get("/editorial/settings")).xpath("//ol[@class='history']")[0].text_content().split()
    )
    assert "Admin Person" in history and "casino" in history
    make_article("Open thread", slug="open")
    client.post("/logout")
    post_comment("open", body="Try my casino")
    post_comment("open", body="Both reports say the same thing: https://example.com", email="b@example.net")
    with app.app_context():
        got = [(c.status, c.moderation_reasons) for c in db.session.scalars(sa.select(Comment).order_by(Comment.id))]
    assert got == [(CommentStatus.SPAM, ["block word: casino"]), (CommentStatus.PENDING, ["1 link (more than 0)"])]


def test_bad_settings_are_422(app, client, sign_in):
    sign_in("admin")
    response = client.post(
        "/editorial/settings", data={"max_links": "-1", "thread_depth": "0", "comments_per_page": "x"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(SiteSettings, 1) is None


def test_a_setting_in_other_scripts_digits_is_refused_not_read_as_a_number(app, client, sign_in):
    sign_in("admin")
    form = {"max_links": "٣", "thread_depth": "3", "comments_per_page": "50", "edit_window_minutes": "10"}
    response = client.post("/editorial/settings", data=form)
    assert response.status_code == 422
    assert "Enter a whole number using the digits 0 to 9." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SiteSettings, 1) is None
    assert client.post("/editorial/settings", data={**form, "max_links": " 3 "}).status_code == 303
