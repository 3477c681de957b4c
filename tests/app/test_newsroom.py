"""Newsroom details: section label, site time zone, "Updated", redirects after slug changes."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from blog.extensions import db
from blog.models import Article, Redirect, SiteSettings
from blog.services import redirects
from tests.helpers import parse


def edit_data(app, article_id, **overrides):
    with app.app_context():
        from blog.services.editorial import get_article

        a = get_article(article_id)
        data = {
            "title": a.title,
            "slug": a.slug,
            "summary": a.summary,
            "body": a.body_markdown,
            "tags": ", ".join(t.name for t in a.tags),
            "author_id": str(a.author_id),
            "comments_open": "y",
            "section": "",
            "action": "save",
        }
    return data | overrides


def kicker(client, path):
    return [k.strip() for k in parse(client.get(path)).xpath("//p[@class='kicker']/a/text()")]


# --- Section label ----------------------------------------------------------------------------------


def test_the_editor_chooses_the_section_label(app, client, sign_in, make_article):
    article_id = make_article("Late winner", slug="late-winner", tags=("community", "football"))
    assert kicker(client, "/articles/late-winner") == ["Community"]  # today's rule, kept by default
    sign_in("editor")
    response = client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, section="Football"))
    assert response.status_code == 303
    assert kicker(client, "/articles/late-winner") == ["Football"]
    assert kicker(client, "/") == ["Football"]
    form = parse(client.get(f"/editorial/articles/{article_id}"))
    assert form.xpath("//input[@name='section']/@value") == ["Football"]


def test_breadcrumbs_lead_from_home_through_the_section(app, client, sign_in, make_article):
    article_id = make_article("Late winner", slug="late-winner", tags=("community", "football"))
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, section="Football"))
    doc = parse(client.get("/articles/late-winner"))
    [trail] = doc.xpath("//nav[@aria-label='Breadcrumb']")
    assert [(a.text, a.get("href")) for a in trail.xpath(".//li/a")] == [("Home", "/"), ("Football", "/tags/football")]
    [data] = [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()") if "BreadcrumbList" in s]
    assert [(i["position"], i["name"], i["item"]) for i in data["itemListElement"]] == [
        (1, "Home", "http://localhost/"),
        (2, "Football", "http://localhost/tags/football"),
        (3, "Late winner", "http://localhost/articles/late-winner"),
    ]
    untagged = make_article("No section", slug="no-section")
    assert untagged and not parse(client.get("/articles/no-section")).xpath("//nav[@aria-label='Breadcrumb']")


def test_a_section_that_is_not_one_of_the_tags_is_refused_with_the_form_kept(app, client, sign_in, make_article):
    article_id = make_article("Late winner", slug="late-winner", tags=("community", "football"))
    sign_in("editor")
    data = edit_data(app, article_id, section="Weather", body="Edited body kept")
    response = client.post(f"/editorial/articles/{article_id}", data=data)
    assert response.status_code == 422
    doc = parse(response)
    assert "is not one of this article's tags" in doc.xpath("string(//*[@id='section-error'])")
    assert doc.xpath("string(//textarea[@name='body'])").strip() == "Edited body kept"
    assert kicker(client, "/articles/late-winner") == ["Community"]


def test_removing_the_section_tag_falls_back_to_the_first_tag(app, client, sign_in, make_article):
    article_id = make_article("Late winner", slug="late-winner", tags=("community", "football", "youth"))
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, section="Youth"))
    assert kicker(client, "/articles/late-winner") == ["Youth"]
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, tags="Football, Community"))
    assert kicker(client, "/articles/late-winner") == ["Community"]


# --- Time zone ----------------------------------------------------------------------------------------


def set_zone(app, name):
    with app.app_context():
        from blog.services.site import ensure_settings

        ensure_settings().time_zone = name
        db.session.commit()


def byline_times(client, path):
    doc = parse(client.get(path))
    return [(t.get("datetime"), t.text_content()) for t in doc.xpath("//p[@class='byline']/time")]


def test_dates_are_shown_in_the_site_zone_with_its_name_and_daylight_saving(app, client, make_article):
    make_article("Winter", slug="winter", published_at=datetime(2026, 11, 26, 13, 5, tzinfo=UTC))
    make_article("Summer", slug="summer", published_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    assert byline_times(client, "/articles/winter") == [("2026-11-26T13:05:00+00:00", "26 November 2026, 13:05 UTC")]
    set_zone(app, "Europe/Paris")
    assert byline_times(client, "/articles/winter") == [("2026-11-26T13:05:00+00:00", "26 November 2026, 14:05 CET")]
    # summer time, and the day moves with the zone
    assert byline_times(client, "/articles/summer") == [("2026-07-01T22:30:00+00:00", "2 July 2026, 0:30 CEST")]
    home = parse(client.get("/"))
    assert "2 July 2026" in home.xpath("string(//body)")


def test_the_admin_sets_the_zone_and_a_bad_name_is_refused(app, client, sign_in):
    sign_in("admin")
    fields = {"max_links": "2", "thread_depth": "5", "comments_per_page": "50", "edit_window_minutes": "10"}
    response = client.post("/editorial/settings", data={**fields, "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    doc = parse(response)
    assert "not a time zone we know" in doc.xpath("string(//*[@id='time_zone-error'])")
    assert doc.xpath("//input[@name='time_zone']/@value") == ["Mars/Olympus"]
    assert client.post("/editorial/settings", data={**fields, "time_zone": "America/New_York"}).status_code == 303
    with app.app_context():
        assert db.session.get(SiteSettings, 1).time_zone == "America/New_York"


def test_changing_the_zone_retires_cached_pages(cached, make_article):
    make_article("Winter", slug="winter", published_at=datetime(2026, 11, 26, 13, 5, tzinfo=UTC))
    reader = cached.test_client()
    assert "13:05 UTC" in reader.get("/articles/winter").get_data(as_text=True)
    set_zone(cached, "Asia/Tokyo")
    assert "22:05 JST" in reader.get("/articles/winter").get_data(as_text=True)


# --- "Updated" ------------------------------------------------------------------------------------------


def updated_line(client, path):
    return parse(client.get(path)).xpath("string(//span[@class='updated'])").strip()


def test_updated_only_after_a_text_change(app, client, sign_in, make_article, make_comment):
    published = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    article_id = make_article("Harbour vote", slug="harbour-vote", tags=("harbour",), published_at=published)
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False):
        sign_in("editor")  # in the travelled time: a session signed "later" would not be accepted
        make_comment(article_id)  # an approved comment moves updated_at, not the text
        tags = client.post(
            f"/editorial/articles/{article_id}", data=edit_data(app, article_id, tags="Harbour, Council")
        )
        assert tags.status_code == 303
    assert updated_line(client, "/articles/harbour-vote") == ""
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "<updated>2026-12-01T09:00:00Z</updated>" in feed
    with time_machine.travel(datetime(2026, 12, 2, 16, 45, tzinfo=UTC), tick=False):
        client.post("/logout")
        sign_in("editor")
        response = client.post(
            f"/editorial/articles/{article_id}", data=edit_data(app, article_id, body="Corrected text.")
        )
        assert response.status_code == 303
    assert updated_line(client, "/articles/harbour-vote") == "Updated 2 December 2026, 16:45 UTC"
    page = client.get("/articles/harbour-vote").get_data(as_text=True)
    assert '"dateModified": "2026-12-02T16:45:00+00:00"' in page
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "<updated>2026-12-02T16:45:00Z</updated>" in feed


def test_editing_a_draft_is_not_an_update(app, client, sign_in, make_article):
    article_id = make_article("Draft piece", slug="draft-piece", published=False)
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, body="New text"))
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, action="publish"))
    assert updated_line(client, "/articles/draft-piece") == ""


# --- Redirects --------------------------------------------------------------------------------------


def test_a_changed_slug_answers_301_and_two_changes_make_no_chain(app, client, sign_in, make_article):
    article_id = make_article("Bridge", slug="bridge-a", tags=("transport",))
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, slug="bridge-b"))
    client.post("/logout")
    response = client.get("/articles/bridge-a?comments=newest")
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/bridge-b?comments=newest"
    assert response.headers["Cache-Control"] == "public, max-age=3600"  # not kept for good: a slug may change back
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, slug="bridge-c"))
    client.post("/logout")
    for old in ("/articles/bridge-a", "/articles/bridge-b"):
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (301, "/articles/bridge-c")
    assert client.get("/articles/bridge-c").status_code == 200
    assert client.get("/articles/never-was").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    with app.app_context():
        rows = db.session.execute(sa.select(Redirect.old_path, Redirect.article_id).order_by(Redirect.old_path))
        assert rows.all() == [("/articles/bridge-a", article_id), ("/articles/bridge-b", article_id)]


def test_a_slug_taken_back_needs_no_redirect_and_unpublished_targets_404(app, client, sign_in, make_article):
    article_id = make_article("Bridge", slug="bridge-a")
    sign_in("editor")
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, slug="bridge-b"))
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, slug="bridge-a"))
    assert client.get("/articles/bridge-a").status_code == 200
    assert client.get("/articles/bridge-b").status_code == 301
    client.post(f"/editorial/articles/{article_id}", data=edit_data(app, article_id, action="unpublish"))
    client.post("/logout")
    assert client.get("/articles/bridge-b").status_code == 404  # a draft is not shown, even by a redirect
    with app.app_context():
        assert db.session.scalar(sa.select(Article.slug)) == "bridge-a"


def test_an_old_path_no_route_knows_redirects_and_a_views_own_404_looks_nothing_up(app, client, make_article):
    article_id = make_article("Bridge", slug="bridge")
    with app.app_context():
        redirects.remember_old_path(db.session.get(Article, article_id), "/2019/05/old-bridge/")
        db.session.commit()
    assert (client.get("/2019/05/old-bridge/").headers["Location"]) == "/articles/bridge"  # e.g. an imported permalink
    with app.app_context():  # a row naming a path that a view answers 404 for is not consulted
        redirects.remember_old_path(db.session.get(Article, article_id), "/tags/gone")
        db.session.commit()
    assert client.get("/tags/gone").status_code == 404


# --- Corrections ------------------------------------------------------------------------------------


def test_an_editor_adds_a_dated_sanitised_correction(app, client, sign_in, make_article):
    article_id = make_article("Harbour vote", slug="harbour-vote")
    set_zone(app, "Europe/Paris")
    with time_machine.travel(datetime(2026, 12, 2, 23, 30, tzinfo=UTC), tick=False):
        sign_in("editor")
        text = "The vote was **7–2**, not 6–3. <script>alert(1)</script> [Minutes](javascript:alert(2))"
        response = client.post(f"/editorial/articles/{article_id}/corrections", data={"text": text})
        assert response.status_code == 303
    client.post("/logout")
    doc = parse(client.get("/articles/harbour-vote"))
    (note,) = doc.xpath("//section[@class='corrections']/div[@class='correction']")
    assert " ".join(note.text_content().split()).startswith("Correction, 3 December 2026: The vote was 7–2, not 6–3.")
    assert note.xpath(".//strong/text()")[-1] == "7–2"
    assert not note.xpath(".//script") and not note.xpath(".//a[starts-with(@href, 'javascript')]")
    with app.app_context():
        from blog.models import ArticleCorrection

        (row,) = db.session.scalars(sa.select(ArticleCorrection)).all()
        assert row.text == text and row.editor_id is not None


def test_an_empty_correction_is_refused_on_the_article_form(app, client, sign_in, make_article):
    article_id = make_article("Harbour vote", slug="harbour-vote")
    sign_in("editor")
    response = client.post(f"/editorial/articles/{article_id}/corrections", data={"text": "   "})
    assert response.status_code == 422
    doc = parse(response)
    assert "Write what was wrong" in doc.xpath("string(//*[@id='text-error'])")
    assert doc.xpath("(//input[@name='title'])[1]/@value") == ["Harbour vote"]  # the article's own page
    assert not parse(client.get("/articles/harbour-vote")).xpath("//section[@class='corrections']")


# --- Staff links and badges ---------------------------------------------------------------------------


FROZEN = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # the comment form's signed timestamp is part of the page


@time_machine.travel(FROZEN, tick=False)
def test_staff_see_an_edit_link_and_anonymous_bytes_do_not_change(app, client, sign_in, make_article):
    article_id = make_article("Harbour vote", slug="harbour-vote")
    reader = app.test_client()
    before = reader.get("/articles/harbour-vote")
    sign_in("editor")
    staff_page = client.get("/articles/harbour-vote")
    assert parse(staff_page).xpath("//p[@class='staff-edit']/a/@href") == [f"/editorial/articles/{article_id}"]
    assert "no-store" in staff_page.headers["Cache-Control"]
    after = reader.get("/articles/harbour-vote")
    assert after.get_data() == before.get_data() and after.headers["ETag"] == before.headers["ETag"]
    assert b"staff-edit" not in after.get_data() and "Set-Cookie" not in after.headers


@time_machine.travel(FROZEN, tick=False)
def test_the_shared_cached_page_never_carries_the_edit_link(cached, make_article):
    from tests.conftest import PASSWORD
    from tests.helpers import form_fields

    make_article("Harbour vote", slug="harbour-vote")
    with cached.app_context():
        from blog.services import users

        users.create_user(email="ed@example.org", name="Ed Itor", role="editor", password=PASSWORD)
        db.session.commit()
    staff = cached.test_client()
    reader = cached.test_client()
    first = reader.get("/articles/harbour-vote").get_data()
    # a staff member signs in (another client) and reads the page: the shared copy stays as it was
    token = form_fields(staff.get("/login").get_data(as_text=True), "//form[@method='post']").get("csrf_token")
    staff.post("/login", data={"email": "ed@example.org", "password": PASSWORD, "csrf_token": token or ""})
    assert b"staff-edit" in staff.get("/articles/harbour-vote").get_data()
    assert reader.get("/articles/harbour-vote").get_data() == first


def test_authors_do_not_get_the_editors_edit_link(client, sign_in, make_article):
    make_article("Harbour vote", slug="harbour-vote")
    sign_in("author")
    assert not parse(client.get("/articles/harbour-vote")).xpath("//p[@class='staff-edit']")


def badges(client, path):
    doc = parse(client.get(path))
    return [
        (
            li.xpath("string(.//span[@class='comment-author'])").strip(),
            li.xpath("string(.//span[contains(@class,'comment-badge')])"),
        )
        for li in doc.xpath("//li[contains(@class,'comment ')]")
    ]


def test_comments_by_signed_in_staff_carry_a_badge(app, client, sign_in, make_user, make_article, post_comment):
    from tests.conftest import PASSWORD
    from tests.helpers import form_fields

    author = make_user("Nadia Okafor", role="author", email="nadia@example.org", password=PASSWORD)
    make_article("Harbour vote", slug="harbour-vote", author_id=author)
    post_comment("harbour-vote", name="Pat Reader", body="A reader's view.")
    token = form_fields(client.get("/login").get_data(as_text=True), "//form[@method='post']").get("csrf_token")
    client.post("/login", data={"email": "nadia@example.org", "password": PASSWORD, "csrf_token": token or ""})
    post_comment("harbour-vote", name="Nadia Okafor", email="nadia@example.org", body="Thanks for reading.")
    client.post("/logout")
    sign_in("editor", name="Eda Editor")
    post_comment("harbour-vote", name="Eda Editor", email="eda@example.org", body="Noted, we will follow up.")
    client.post("/logout")
    with app.app_context():
        from blog.models import Comment, CommentStatus

        db.session.execute(sa.update(Comment).values(status=CommentStatus.APPROVED))
        db.session.commit()
    reader = app.test_client()
    assert badges(reader, "/articles/harbour-vote") == [
        ("Pat Reader", ""),
        ("Nadia Okafor", "Author"),
        ("Eda Editor", "Staff"),
    ]
    # a reader who types a staff member's name gets no badge: only a signed-in comment does
    assert "badge" not in reader.get("/articles/harbour-vote").get_data(as_text=True).split("Pat Reader")[1][:80]


# --- Feed links -----------------------------------------------------------------------------------------


def test_home_tag_and_author_pages_show_a_feed_link(client, make_user, make_article):
    author = make_user("Nadia Okafor")
    make_article("Harbour vote", slug="harbour-vote", tags=("harbour",), author_id=author)
    with client.application.app_context():
        from blog.models import User

        author_slug = db.session.get(User, author).slug
    for page, feed in (
        ("/", "/feed.atom"),
        ("/tags/harbour", "/tags/harbour/feed.atom"),
        (f"/authors/{author_slug}", f"/authors/{author_slug}/feed.atom"),
    ):
        links = parse(client.get(page)).xpath("//main//p[@class='feed-link']/a/@href")
        assert links == [feed], page
        assert client.get(feed).status_code == 200
