"""Ban from a desk row (issue 22): "this address" or "this network" through POST /moderation/bans, asked first, with
"also move their pending comments to Spam"; in place for the desk's script (Undo lifts the ban, for admins); never
the address or the IP in the control. And paging beyond 200 for the Reported tab and the commenter view, with the
desk's keyset cursor."""

import functools
import re

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.core import privacy
from blog.extensions import db
from blog.models import BanKind, Comment, CommenterBan, CommentReport, CommentStatus, ModerationEvent
from tests import helpers
from tests.helpers import page_text, parse

P, A, S = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.SPAM
EMAIL = "pat@example.net"
JSON = {"Accept": "application/json"}


@pytest.fixture
def article(make_article) -> int:
    return make_article("Harbour plan", slug="harbour")


@pytest.fixture
def comment_from(client, article):
    """``comment_from("192.0.2.7", email=…)``: the comment form sent from that client address; the comment's id."""
    return functools.partial(helpers.comment_from, client, slug="harbour", email=EMAIL)


def status_of(app, comment_id: int) -> tuple[CommentStatus, list[str]]:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.status, comment.moderation_reasons


def bans(app) -> list[tuple[BanKind, str]]:
    with app.app_context():
        return [(b.kind, b.key_hash) for b in db.session.scalars(sa.select(CommenterBan).order_by(CommenterBan.id))]


def row_ban(client, comment_id: int, kind: str, *, spam_pending: bool = True, url: str = "/moderation/") -> dict:
    """What the row's Ban control sends for ``kind``: the hidden fields of its own form, the box and the button."""
    page = parse(client.get(url))
    (row,) = page.xpath(f"//tr[@id='row-{comment_id}']")
    (button,) = row.xpath(f".//details[@class='row-ban']//button[@form='ban-{comment_id}' and @value='{kind}']")
    (box,) = row.xpath(f".//details[@class='row-ban']//input[@name='spam_pending' and @form='ban-{comment_id}']")
    assert box.get("checked") is not None  # on unless the editor unticks it
    (form,) = page.xpath(f"//form[@id='ban-{comment_id}']")
    assert form.get("action") == "/moderation/bans" and not form.xpath("ancestor::form")  # forms do not nest
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    fields[button.get("name")] = button.get("value")
    if spam_pending:
        fields["spam_pending"] = box.get("value")
    return fields


def confirm_fields(response) -> dict:
    (form,) = parse(response).xpath("//form[.//input[@name='confirm']]")
    assert form.get("action") == "/moderation/bans"
    return {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}


# --- Ban from a desk row, without the script ------------------------------------------------------------------


def test_a_ban_from_a_row_asks_first_then_spams_their_next_comment_and_moves_their_pending_ones(
    app, client, comment_from, sign_in
):
    first = comment_from("192.0.2.7", body="First visit.")
    second = comment_from("192.0.2.7", body="Second visit.")
    approved = comment_from("192.0.2.7", body="An approved one.")
    neighbour = comment_from("192.0.2.8", email="sam@example.net", name="Sam Other", body="Same street.")
    editor = sign_in("editor")
    client.post(f"/moderation/comments/{approved}/approve")

    asked = client.post("/moderation/bans", data=row_ban(client, second, "address"))
    assert asked.status_code == 200 and bans(app) == []  # nothing banned before the confirmation
    text = page_text(asked)
    assert f"Ban the address of comment {second}?" in text
    assert "The 2 pending comments from it will be moved to spam now." in text
    assert EMAIL not in asked.get_data(as_text=True) and "192.0.2" not in asked.get_data(as_text=True)
    assert status_of(app, first)[0] is P

    done = client.post("/moderation/bans", data=confirm_fields(asked))
    assert done.status_code == 303 and done.headers["Location"] == "/moderation/"
    flashed = page_text(client.get("/moderation/"))
    assert f"Banned the address of comment {second}: their next comments go to spam." in flashed
    assert "2 pending comments moved to spam." in flashed
    key = privacy.person_key(app.config["HASH_KEY"], EMAIL)
    assert bans(app) == [(BanKind.ADDRESS, key)]
    assert [status_of(app, c)[0] for c in (first, second, approved, neighbour)] == [S, S, A, P]
    with app.app_context():  # as the Spam button would: an event by the editor each
        events = db.session.execute(
            sa.select(ModerationEvent.comment_id, ModerationEvent.action, ModerationEvent.actor_id).where(
                ModerationEvent.action == "spam"
            )
        ).all()
        assert sorted(events) == sorted([(first, "spam", editor), (second, "spam", editor)])
    client.post("/logout")

    later = comment_from("198.51.100.9", body="Back again.")  # another network: the address is what is banned
    assert status_of(app, later) == (S, ["banned address"])


def test_unticked_their_pending_comments_stay_pending(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7", body="First visit.")
    second = comment_from("192.0.2.7", body="Second visit.")
    sign_in("editor")
    asked = client.post("/moderation/bans", data=row_ban(client, first, "address", spam_pending=False))
    assert "The 2 pending comments from it will stay pending." in page_text(asked)
    assert "spam_pending" not in confirm_fields(asked)
    client.post("/moderation/bans", data=confirm_fields(asked))
    assert len(bans(app)) == 1
    assert [status_of(app, c)[0] for c in (first, second)] == [P, P]


def test_a_network_ban_from_a_row_takes_the_networks_pending_comments_and_its_next_ones(
    app, client, comment_from, sign_in
):
    first = comment_from("2001:db8:1:2::7", body="From the /64.")
    housemate = comment_from("2001:db8:1:2::99", email="kim@example.net", name="Kim Else", body="Same /64.")
    elsewhere = comment_from("2001:db8:1:3::7", email="lee@example.net", name="Lee Far", body="Another /64.")
    sign_in("editor")
    staff = comment_from("2001:db8:1:2::8", email="ed@example.org", name="Ed Staff", body="Staff words.")
    asked = client.post("/moderation/bans", data=row_ban(client, first, "network"))
    assert "The 2 pending comments from it will be moved to spam now." in page_text(asked)
    assert "2001:db8" not in asked.get_data(as_text=True)
    client.post("/moderation/bans", data=confirm_fields(asked))
    assert bans(app) == [(BanKind.NETWORK, privacy.network_key(app.config["HASH_KEY"], "2001:db8:1:2::7"))]
    assert [status_of(app, c)[0] for c in (first, housemate, elsewhere)] == [S, S, P]
    assert status_of(app, staff)[0] is not S  # a staff comment is never a ban's
    client.post("/logout")
    assert status_of(app, comment_from("2001:db8:1:2:ffff::1", email="new@example.net", name="New")) == (
        S,
        ["banned network"],
    )
    assert status_of(app, comment_from("2001:db8:1:4::1", email="far@example.net", name="Far"))[0] is P


def test_the_commenter_views_rows_have_the_same_control_and_move_the_networks_pending_ones(
    app, client, comment_from, sign_in
):
    first = comment_from("192.0.2.7", body="First visit.")
    housemate = comment_from("192.0.2.9", email="kim@example.net", name="Kim Else", body="Same street.")
    sign_in("editor")
    view = f"/moderation/commenters/{privacy.person_key(app.config['HASH_KEY'], EMAIL)}"
    asked = client.post("/moderation/bans", data=row_ban(client, first, "network", url=view))
    assert "The 2 pending comments from it will be moved to spam now." in page_text(asked)  # asks first
    done = client.post("/moderation/bans", data=confirm_fields(asked))
    assert done.status_code == 303 and done.headers["Location"] == view
    assert [status_of(app, c)[0] for c in (first, housemate)] == [S, S]
    assert "This network is banned." in page_text(client.get(view))


def test_a_ban_over_a_spam_wave_moves_the_first_ones_now_and_the_rest_in_the_background(
    app, client, comment_from, sign_in, monkeypatch
):
    """Thousands of pending comments from one network must not outlast the editor's request (each move is an
    event and a lesson for the filter): MOVE_AT_ONCE now, the rest by the job queue (here it runs at the commit)."""
    from blog.services import commenters

    monkeypatch.setattr(commenters, "MOVE_AT_ONCE", 2)
    wave = [comment_from(f"192.0.2.{n}", email=f"w{n}@example.net", name=f"Wave {n}") for n in range(1, 6)]
    editor = sign_in("editor")
    asked = client.post("/moderation/bans", data=row_ban(client, wave[0], "network"))
    assert "The 5 pending comments from it will be moved to spam now." in page_text(asked)
    client.post("/moderation/bans", data=confirm_fields(asked))
    flashed = page_text(client.get("/moderation/"))
    assert "2 pending comments moved to spam. The other 3 are being moved in the background" in flashed
    assert [status_of(app, c)[0] for c in wave] == [S] * 5
    with app.app_context():
        events = db.session.execute(
            sa.select(ModerationEvent.comment_id, ModerationEvent.actor_id).where(ModerationEvent.action == "spam")
        ).all()
    assert sorted(events) == [(c, editor) for c in wave]  # each by the editor who banned, as if by hand


def test_the_background_move_stops_when_the_ban_is_lifted(app, client, comment_from, sign_in):
    from blog.services import commenters

    first, second = (comment_from(f"192.0.2.{n}", email=f"w{n}@example.net", name=f"Wave {n}") for n in (1, 2))
    editor = sign_in("admin")
    asked = client.post("/moderation/bans", data=row_ban(client, first, "network", spam_pending=False))
    client.post("/moderation/bans", data=confirm_fields(asked))
    with app.app_context():
        (ban,) = db.session.scalars(sa.select(CommenterBan)).all()
        ban_id = ban.id
    with app.test_request_context():
        assert commenters.spam_pending_of_ban(ban_id, editor) == 2  # a second run finds nothing left
        assert commenters.spam_pending_of_ban(ban_id, editor) == 0
    client.post("/logout")
    third = comment_from("192.0.2.3", email="w3@example.net", name="Wave 3")
    assert status_of(app, third)[0] is S  # banned network
    with app.app_context():
        db.session.execute(sa.delete(CommenterBan))
        db.session.commit()
        db.session.execute(sa.update(Comment).values(status=P))
        db.session.commit()
    with app.test_request_context():
        assert commenters.spam_pending_of_ban(ban_id, editor) == 0  # lifted: nothing moves
    assert [status_of(app, c)[0] for c in (first, second, third)] == [P, P, P]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_ban_without_the_forms_token_is_refused(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("editor")
    same = {"Sec-Fetch-Site": "same-origin"}
    fields = row_ban(client, first, "address")
    assert fields["csrf_token"]
    unsigned = {k: v for k, v in fields.items() if k != "csrf_token"}
    for headers in (same, {**same, **JSON}):
        refused = client.post("/moderation/bans", data={**unsigned, "confirm": "yes"}, headers=headers)
        assert refused.status_code == 400
    assert bans(app) == [] and status_of(app, first)[0] is P
    assert client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=same).status_code == 303
    assert len(bans(app)) == 1 and status_of(app, first)[0] is S


def test_the_row_control_shows_no_address_and_no_ip(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("editor")
    page = parse(client.get("/moderation/"))
    control = lxml_html.tostring(page.xpath(f"//tr[@id='row-{first}']//details[@class='row-ban']")[0], encoding=str)
    form = lxml_html.tostring(page.xpath(f"//form[@id='ban-{first}']")[0], encoding=str)
    with app.app_context():
        comment = db.session.get(Comment, first)
        ip_hash, network_hash = comment.ip_hash, comment.network_hash
    for html in (control, form):
        for secret in (
            EMAIL,
            "pat%40example.net",
            "pat&#64;example.net",
            "192.0.2.7",
            "192.0.2",
            ip_hash,
            network_hash,
        ):
            assert secret not in html
    assert "Ban this address" in control and "Ban this network" in control
    answer = client.post(
        "/moderation/bans", data={**row_ban(client, first, "network"), "confirm": "yes"}, headers=JSON
    ).get_json()
    assert EMAIL not in str(answer) and "192.0.2" not in str(answer)


def test_a_banned_rows_control_says_so(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    second = comment_from("192.0.2.7", body="Again.")
    sign_in("editor")
    client.post("/moderation/bans", data={**row_ban(client, first, "address", spam_pending=False), "confirm": "yes"})
    (control,) = parse(client.get("/moderation/")).xpath(f"//tr[@id='row-{second}']//details[@class='row-ban']")
    assert "This address is banned." in control.text_content()
    assert control.xpath(".//button/@value") == ["network"]  # the network is still to ban


def test_the_reported_tab_rows_have_the_ban_control(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("editor")
    client.post(f"/moderation/comments/{first}/approve")
    client.post("/logout")
    client.post(f"/articles/harbour/comments/{first}/report", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    sign_in("editor")
    fields = row_ban(client, first, "address", url="/moderation/?status=reported")
    assert fields["next"] == "/moderation/?status=reported"
    asked = client.post("/moderation/bans", data=fields)
    done = client.post("/moderation/bans", data=confirm_fields(asked))
    assert done.headers["Location"] == "/moderation/?status=reported" and len(bans(app)) == 1


# --- In place, for the desk's script ---------------------------------------------------------------------------


def test_with_the_script_a_ban_needs_the_second_click_and_answers_json(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7", body="First visit.")
    second = comment_from("192.0.2.7", body="Second visit.")
    sign_in("editor")
    fields = row_ban(client, first, "address")
    unconfirmed = client.post("/moderation/bans", data=fields, headers=JSON)
    assert unconfirmed.status_code == 409 and unconfirmed.get_json()["error"] == "Confirm the ban first."
    assert bans(app) == []
    answer = client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=JSON)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["message"].startswith(f"Banned the address of comment {first}")
    assert (body["action"], body["kind"], body["changed"], body["status"]) == ("ban", "address", True, "spam")
    assert sorted(body["moved"]) == sorted([first, second])
    assert body["counts"]["pending"] == "0" and body["counts"]["spam"] == "2" and body["pending"] == "0"
    assert body["undo"] is None  # an editor may not lift a ban (admins do, in the settings)
    again = client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=JSON).get_json()
    assert again["message"].startswith("Banned already") and again["changed"] is False and again["moved"] == []
    refused = client.post("/moderation/bans", data={**fields, "kind": "everyone", "confirm": "yes"}, headers=JSON)
    assert refused.status_code == 400 and refused.get_json()["error"]


def test_an_admins_undo_lifts_the_ban_and_leaves_the_comment_to_restore(app, client, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("admin")
    fields = row_ban(client, first, "address")
    body = client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=JSON).get_json()
    assert body["moved"] == [first]
    with app.app_context():
        ban_id = db.session.scalar(sa.select(CommenterBan.id))
    assert body["undo"] == {
        "action": "lift",
        "url": f"/editorial/settings/bans/{ban_id}/revoke",
        "then": f"/moderation/comments/{first}/restore",
    }
    lifted = client.post(body["undo"]["url"], headers=JSON)
    assert lifted.status_code == 200 and lifted.get_json()["message"] == "Ban lifted."
    assert bans(app) == [] and status_of(app, first)[0] is S
    restored = client.post(body["undo"]["then"], headers=JSON).get_json()
    assert restored["status"] == "pending" and status_of(app, first)[0] is P
    # a ban that was there already is not this click's to undo
    client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=JSON)
    assert client.post("/moderation/bans", data={**fields, "confirm": "yes"}, headers=JSON).get_json()["undo"] is None


# --- Paging beyond 200: the Reported tab and the commenter view ------------------------------------------------


def row_ids(response) -> list[int]:
    return [int(i.removeprefix("row-")) for i in parse(response).xpath("//table[@class='desk-table']/tbody/tr/@id")]


def pager(response) -> dict[str, str]:
    return {a.text_content().strip(" ←→"): a.get("href") for a in parse(response).xpath("//nav[@class='pager']/a")}


def walk(client, url: str, total: int):
    """Page 1 lists 200, "Older" the rest, "Newer" page 1 again: every comment once, newest first."""
    first = client.get(url)
    page_one = row_ids(first)
    assert len(page_one) == 200 and list(pager(first)) == ["Older"]
    older = client.get(pager(first)["Older"])
    page_two = row_ids(older)
    assert len(page_two) == total - 200 and list(pager(older)) == ["Newer"]
    assert not set(page_one) & set(page_two) and len(set(page_one + page_two)) == total
    assert row_ids(client.get(pager(older)["Newer"])) == page_one
    return first, older


def test_the_reported_tab_pages_beyond_200_with_the_desks_cursor(app, client, make_comment, sign_in, article):
    # two comments a minute: the cursor's id breaks the tie across the page boundary
    ids = [make_comment(article, body=f"Reported {n}.", minutes=n // 2) for n in range(205)]
    with app.app_context():
        db.session.add_all(CommentReport(comment_id=c, network_hash=f"{n:064x}") for n, c in enumerate(ids))
        db.session.commit()
    sign_in("editor")
    first, older = walk(client, "/moderation/?status=reported", 205)
    assert row_ids(first) == ids[::-1][:200]  # newest first
    assert row_ids(older) == ids[::-1][200:]
    assert re.search(r"before=[^&\"]*~\d+", pager(first)["Older"])  # "<created_at>~<id>", as the desk's tabs
    for response in (first, older):
        assert "Reported (205)" in " ".join(page_text(response).split())


def test_the_commenter_view_pages_beyond_200_and_counts_them_all(app, client, make_comment, sign_in, article):
    ids = [make_comment(article, email=EMAIL, body=f"Mine {n}.", minutes=n // 2) for n in range(205)]
    other = make_comment(article, email="sam@example.net", body="Someone else.", minutes=300)
    sign_in("editor")
    url = f"/moderation/commenters/{privacy.person_key(app.config['HASH_KEY'], EMAIL)}"
    first, older = walk(client, url, 205)
    assert row_ids(first) == ids[::-1][:200] and other not in row_ids(first) + row_ids(older)
    for response in (first, older):
        assert (
            parse(response).xpath("normalize-space(//dd[@class='comment-total'])") == "205 (200 a page, newest first)"
        )
        # the header and the ban form speak of their newest comment, whatever the page
        assert parse(response).xpath(
            "//form[contains(@action, '/moderation/bans')][1]//input[@name='comment_id']/@value"
        )[0] == str(ids[-1])
    past_the_end = client.get(url, query_string={"before": f"2000-01-01T00:00:00+00:00~{ids[0]}"})
    assert past_the_end.status_code == 200 and "No comments on this page" in page_text(past_the_end)
    assert row_ids(client.get(url, query_string={"before": "not-a-cursor"})) == row_ids(first)
