"""The moderation desk: tabs with counts, filters, search, keyset pages, actions with audit, bulk."""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, ModerationEvent
from tests.helpers import page_text, parse, query_plan

P, A, S, T = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.TRASH


@pytest.fixture
def desk(app, client, sign_in, make_article, make_comment):
    editor = sign_in("editor", name="Eda Editor")
    harbour = make_article("Harbour vote", slug="harbour")
    ferry = make_article("Ferry news", slug="ferry")
    ids = {
        "p1": make_comment(harbour, name="Pat One", email="pat@example.net", body="first pending", status=P, minutes=1),
        "p2": make_comment(ferry, name="Sam Two", email="sam@example.net", body="ferry pending", status=P, minutes=2),
        "p3": make_comment(
            harbour,
            name="Kim Three",
            email="kim@example.net",
            body="casino spam-ish",
            status=P,
            minutes=3,
            website="https://kim.example",
        ),
        "a1": make_comment(harbour, name="Ann Approved", body="approved one", status=A, minutes=4),
        "s1": make_comment(harbour, name="Spammy", body="buy now", status=S, minutes=5),
    }
    return editor, ids


def rows(response):
    return [tr.get("id") for tr in parse(response).xpath("//table[@class='desk-table']/tbody/tr")]


def status_of(app, comment_id):
    with app.app_context():
        return db.session.get(Comment, comment_id).status


def test_tabs_show_live_counts_newest_first(client, desk):
    _, ids = desk
    response = client.get("/moderation/")
    tabs = [" ".join(a.text_content().split()) for a in parse(response).xpath("//nav[@class='tabs']//a")]
    assert tabs == ["Pending (3)", "Approved (1)", "Spam (1)", "Trash (0)", "Reported (0)"]
    assert rows(response) == [f"row-{ids['p3']}", f"row-{ids['p2']}", f"row-{ids['p1']}"]
    text = page_text(response)
    assert "pat@example.net" in text  # editors see emails on the desk
    assert "Held because: first comment" not in text  # made directly, no reasons
    assert rows(client.get("/moderation/?status=spam")) == [f"row-{ids['s1']}"]


def test_staff_bar_shows_the_pending_count_everywhere(client, desk):
    for url in ("/", "/articles/harbour", "/moderation/?status=approved"):
        badge = parse(client.get(url)).xpath("//nav[@class='staff-bar']//span[@class='badge']/text()")
        assert badge == ["3"], url


def test_filter_by_article_and_search(client, desk):
    _, ids = desk
    assert rows(client.get("/moderation/?article=ferry")) == [f"row-{ids['p2']}"]
    tabs = [
        " ".join(a.text_content().split())
        for a in parse(client.get("/moderation/?article=ferry")).xpath("//nav[@class='tabs']//a")
    ]
    assert tabs[0] == "Pending (1)"
    assert rows(client.get("/moderation/?q=KIM.example")) == [f"row-{ids['p3']}"]  # website, any case
    assert rows(client.get("/moderation/?q=sam@")) == [f"row-{ids['p2']}"]  # email
    assert rows(client.get("/moderation/?q=casino")) == [f"row-{ids['p3']}"]  # body
    assert rows(client.get("/moderation/?q=100%25")) == []  # LIKE wildcards are literal
    assert client.get("/moderation/?article=nope").status_code == 404
    assert client.get("/moderation/?status=bogus").status_code == 404


def test_one_click_actions_record_events_and_return_to_the_same_view(app, client, desk):
    editor, ids = desk
    here = "/moderation/?status=pending&article=harbour"
    response = client.post(f"/moderation/comments/{ids['p1']}/approve", data={"next": here})
    assert response.status_code == 303 and response.headers["Location"] == here
    assert status_of(app, ids["p1"]) is A
    assert f"Comment {ids['p1']} approved." in page_text(client.get(here))
    for action, expected in [("unapprove", P), ("spam", S), ("restore", P), ("trash", T), ("restore", P), ("trash", T)]:
        assert client.post(f"/moderation/comments/{ids['p1']}/{action}").status_code == 303
        assert status_of(app, ids["p1"]) is expected
    assert client.post(f"/moderation/comments/{ids['p1']}/delete", data={"confirm": "yes"}).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, ids["p1"]) is None
        events = db.session.execute(
            sa.select(
                ModerationEvent.action, ModerationEvent.actor_id, ModerationEvent.from_status, ModerationEvent.to_status
            )
            .where(ModerationEvent.actor_id == editor)
            .order_by(ModerationEvent.id)
        ).all()
    assert [e.action for e in events] == [
        "approve",
        "unapprove",
        "spam",
        "restore",
        "trash",
        "restore",
        "trash",
        "delete",
    ]
    assert events[0][2:] == (P, A) and events[-1][2:] == (T, None)


def test_approval_updates_the_public_count(app, client, desk):
    _, ids = desk
    client.post(f"/moderation/comments/{ids['p1']}/approve")
    with app.app_context():
        assert db.session.scalar(sa.select(Article.comment_count).where(Article.slug == "harbour")) == 2


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/moderation/comments/{p1}/frobnicate", 400, "Unknown action"),
        ("/moderation/comments/999999/approve", 404, "no such comment"),
        ("/moderation/comments/{p1}/delete", 409, "cannot be given the action 'delete'"),
        ("/moderation/comments/{a1}/restore", 409, "cannot be given the action 'restore'"),
    ],
)
def test_bad_actions_are_clear_4xx(app, client, desk, url, status, message):
    _, ids = desk
    response = client.post(url.format(**ids))
    assert response.status_code == status
    assert message in page_text(response)
    assert status_of(app, ids["p1"]) is P


def test_actions_are_idempotent(app, client, desk):
    """A second click (or a second editor) on an action already done changes nothing and writes no event."""
    _, ids = desk
    for _ in range(2):
        assert client.post(f"/moderation/comments/{ids['p1']}/approve").status_code == 303
    assert "was already approved" in page_text(client.get("/moderation/"))
    for _ in range(2):
        assert client.post(f"/moderation/comments/{ids['s1']}/delete", data={"confirm": "yes"}).status_code == 303
    assert f"Comment {ids['s1']} was already deleted." in page_text(client.get("/moderation/"))
    response = client.post("/moderation/bulk", data={"ids": [ids["p1"], ids["p2"]], "action": "approve"})
    assert response.status_code == 303
    assert "1 comment approved (1 already was)." in page_text(client.get("/moderation/"))
    with app.app_context():
        actions = db.session.scalars(sa.select(ModerationEvent.action).order_by(ModerationEvent.id)).all()
        count = db.session.scalar(sa.select(Article.comment_count).where(Article.slug == "harbour"))
    assert actions.count("approve") == 2 and actions.count("delete") == 1
    assert count == 2


def test_bulk_action(app, client, desk):
    _, ids = desk
    response = client.post(
        "/moderation/bulk",
        data={"ids": [ids["p1"], ids["p2"], ids["p3"]], "action": "spam", "next": "/moderation/?status=pending"},
    )
    assert response.status_code == 303
    assert all(status_of(app, ids[k]) is S for k in ("p1", "p2", "p3"))
    assert "3 comments marked as spam." in page_text(client.get("/moderation/?status=pending"))
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(ModerationEvent).where(ModerationEvent.action == "spam")
            )
            == 3
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ids": ["{p1}", "abc"], "action": "spam"}, "not a comment number"),
        ({"ids": ["{p1}", "-3"], "action": "spam"}, "not a comment number"),
        ({"ids": ["{p1}", "999999"], "action": "spam"}, "No comment with number 999999"),
        ({"ids": [], "action": "spam"}, "Select at least one comment"),
        ({"ids": ["{p1}"], "action": "explode"}, "Choose what to do"),
        ({"ids": ["{s1}", "{p1}"], "action": "delete"}, "cannot be given the action 'delete'"),
    ],
)
def test_bad_bulk_requests_change_nothing(app, client, desk, data, message):
    _, ids = desk
    data = {"ids": [v.format(**ids) for v in data["ids"]], "action": data["action"]}
    response = client.post("/moderation/bulk", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert status_of(app, ids["p1"]) is P


@pytest.mark.app_config(DESK_PER_PAGE=20)
def test_keyset_pages(app, client, sign_in, make_article, make_comment):
    sign_in("editor")
    article = make_article("Busy", slug="busy")
    ids = [
        make_comment(article, name=f"R{n}", email=f"r{n}@example.net", body=f"b{n}", status=P, minutes=n)
        for n in range(45)
    ]
    newest_first = [f"row-{i}" for i in reversed(ids)]
    first = client.get("/moderation/")
    assert rows(first) == newest_first[:20]
    older = parse(first).xpath("//a[@rel='next']/@href")[0]
    second = client.get(older)
    assert rows(second) == newest_first[20:40]
    third = client.get(parse(second).xpath("//a[@rel='next']/@href")[0])
    assert rows(third) == newest_first[40:]
    assert parse(third).xpath("//a[@rel='next']") == []
    back = client.get(parse(third).xpath("//a[@rel='prev']/@href")[0])
    assert rows(back) == newest_first[20:40]
    assert client.get("/moderation/?before=garbage").status_code == 200


def test_comment_detail_shows_full_text_and_history(app, client, desk):
    _, ids = desk
    client.post(f"/moderation/comments/{ids['p3']}/approve")
    response = client.get(f"/moderation/comments/{ids['p3']}")
    text = page_text(response)
    assert "casino spam-ish" in text and "kim@example.net" in text
    history = [" ".join(li.text_content().split()) for li in parse(response).xpath("//ol[@class='history']/li")]
    assert len(history) == 2
    assert "submitted pending by the rules" in history[0]
    assert "approve pending → approved by Eda Editor" in history[1]


def test_the_desk_query_uses_the_status_index(app, client, desk):
    from blog.services.moderation import DeskQuery, desk_page

    statements = []
    with app.app_context():
        engine = db.engine
        sa.event.listen(
            engine, "before_cursor_execute", lambda c, cur, stmt, params, ctx, many: statements.append((stmt, params))
        )
        desk_page(DeskQuery(status=P))
        page_sql, params = next((s, p) for s, p in statements if "FROM comments" in s and "LIMIT" in s)
        plan = query_plan(engine, page_sql, params)
    assert "ix_comments_status_created_at" in plan, plan
