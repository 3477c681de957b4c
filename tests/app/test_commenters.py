"""Commenters on the desk: one commenter's comments, bans by address or network, the IP hash filter, and readers'
reports of published comments (the Reported tab, and the rule that takes a comment down after enough of them)."""

import functools
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.core import privacy
from blog.extensions import db
from blog.models import BanKind, Comment, CommenterBan, CommentReport, CommentStatus, ModerationEvent
from blog.orm import utcnow
from blog.services import personal_data, retention
from tests import helpers
from tests.helpers import form_fields, page_text, parse, set_settings

EMAIL = "pat@example.net"


@pytest.fixture
def article(make_article) -> int:
    return make_article("Harbour plan", slug="harbour")


@pytest.fixture
def comment_from(client):
    """``comment_from("192.0.2.7", email=…)``: the comment form sent from that client address; the comment's id."""
    return functools.partial(helpers.comment_from, client, slug="harbour", email=EMAIL)


def status_and_reasons(app, comment_id: int) -> tuple[CommentStatus, list[str]]:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.status, comment.moderation_reasons


def key_of(app, email: str = EMAIL) -> str:
    return privacy.person_key(app.config["HASH_KEY"], email)


# --- Bans ---------------------------------------------------------------------------------------------------------


def test_an_editor_bans_an_address_from_the_commenter_view_and_its_next_comment_is_spam(
    app, client, article, comment_from, sign_in
):
    first = comment_from("192.0.2.7")
    assert status_and_reasons(app, first)[0] is CommentStatus.PENDING
    sign_in("editor")
    desk = parse(client.get("/moderation/"))
    (link,) = desk.xpath(f"//tr[@id='row-{first}']//a[normalize-space()='Pat Reader']/@href")
    assert link == f"/moderation/commenters/{key_of(app)}"
    assert EMAIL not in link and "pat%40" not in link.lower()
    view = client.get(link)
    assert view.status_code == 200 and "Nice piece." in page_text(view)
    token = form_fields(view.get_data(as_text=True), "(//form[contains(@action, '/moderation/bans')])[1]")
    assert client.post("/moderation/bans", data={**token, "kind": "address"}).status_code == 303
    assert "their address" in page_text(client.get(link))
    client.post("/logout")

    later = comment_from("198.51.100.9", body="Buy my boat.")  # another network: the address is what is banned
    assert status_and_reasons(app, later) == (CommentStatus.SPAM, ["banned address"])
    other = comment_from("192.0.2.8", email="sam@example.net", body="Agreed.")  # the same network, not banned
    assert status_and_reasons(app, other)[0] is CommentStatus.PENDING
    with app.app_context():  # keyed hashes only: nothing that reads as the address
        (ban,) = db.session.scalars(sa.select(CommenterBan)).all()
        assert (ban.kind, ban.key_hash, ban.comment_id) == (BanKind.ADDRESS, key_of(app), first)
        assert ban.key_hash not in (hashlib.sha256(EMAIL.encode()).hexdigest(), hashlib.md5(EMAIL.encode()).hexdigest())  # noqa: S324


@pytest.mark.parametrize(
    ("banned_from", "same_network", "other_network"),
    [
        ("192.0.2.7", "192.0.2.250", "192.0.3.7"),
        ("2001:db8:1:2::7", "2001:db8:1:2:ffff::1", "2001:db8:1:3::7"),
        ("::ffff:192.0.2.7", "192.0.2.99", "192.0.3.7"),
    ],
    ids=["ipv4-24", "ipv6-64", "ipv4-mapped"],
)
def test_a_banned_network_sends_any_address_from_it_to_spam(
    app, client, article, comment_from, sign_in, make_user, banned_from, same_network, other_network
):
    first = comment_from(banned_from)
    sign_in("editor")
    client.post("/moderation/bans", data={"comment_id": str(first), "kind": "network", "confirm": "yes"})
    client.post("/logout")
    neighbour = comment_from(same_network, email="sam@example.net", name="Sam Other")
    assert status_and_reasons(app, neighbour) == (CommentStatus.SPAM, ["banned network"])
    elsewhere = comment_from(other_network, email="kim@example.net", name="Kim Else")
    assert status_and_reasons(app, elsewhere)[0] is CommentStatus.PENDING


def test_bad_ban_requests_are_refused_with_a_reason(app, client, article, sign_in, make_comment):
    sign_in("editor")
    old = make_comment(article)  # stored without a network (as comments from before bans are)
    assert client.post("/moderation/bans", data={"comment_id": str(old), "kind": "everyone"}).status_code == 400
    assert client.post("/moderation/bans", data={"comment_id": "x", "kind": "address"}).status_code == 400
    assert client.post("/moderation/bans", data={"comment_id": "999", "kind": "address"}).status_code == 404
    refused = client.post("/moderation/bans", data={"comment_id": str(old), "kind": "network"})
    assert refused.status_code == 409 and "ban the address instead" in page_text(refused)
    assert (
        client.post("/moderation/bans", data={"comment_id": str(old), "kind": "address", "confirm": "yes"}).status_code
        == 303
    )
    assert (
        client.post("/moderation/bans", data={"comment_id": str(old), "kind": "address", "confirm": "yes"}).status_code
        == 303
    )
    with app.app_context():  # banning twice keeps one ban
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommenterBan)) == 1


def test_admins_list_and_lift_bans_in_the_settings(app, client, article, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("admin")
    client.post("/moderation/bans", data={"comment_id": str(first), "kind": "address", "confirm": "yes"})
    client.post("/moderation/bans", data={"comment_id": str(first), "kind": "network", "confirm": "yes"})
    settings = client.get("/editorial/settings")
    bans = parse(settings).xpath("//ul[@class='bans']/li")
    assert [" ".join(li.text_content().split())[:7] for li in bans] == ["Network", "Address"]
    assert EMAIL not in settings.get_data(as_text=True)
    with app.app_context():
        address_ban = db.session.scalar(sa.select(CommenterBan.id).where(CommenterBan.kind == BanKind.ADDRESS))
    assert client.post(f"/editorial/settings/bans/{address_ban}/revoke").status_code == 303
    assert client.post(f"/editorial/settings/bans/{address_ban}/revoke").status_code == 303  # already lifted: no error
    page = client.get("/editorial/settings")
    assert len(parse(page).xpath("//ul[@class='bans']/li")) == 1
    history = " ".join(parse(page).xpath("//ol[@class='history']")[0].text_content().split())
    assert f"Ban: address {key_of(app)[:12]} → —" in history and "Admin Person" in history
    client.post("/logout")
    assert status_and_reasons(app, comment_from("198.51.100.9", body="Back again."))[0] is CommentStatus.PENDING
    assert status_and_reasons(app, comment_from("192.0.2.9", body="And here."))[0] is CommentStatus.SPAM


def test_an_editor_cannot_lift_a_ban(app, client, article, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("editor")
    client.post("/moderation/bans", data={"comment_id": str(first), "kind": "address", "confirm": "yes"})
    assert client.post("/editorial/settings/bans/1/revoke").status_code == 403


def test_a_banned_editor_network_still_publishes_their_own_comments(app, client, article, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    sign_in("editor", email="ed@example.org")
    client.post("/moderation/bans", data={"comment_id": str(first), "kind": "network", "confirm": "yes"})
    mine = comment_from("192.0.2.8", email="ed@example.org", name="Editor Person", body="House rules apply.")
    assert status_and_reasons(app, mine) == (CommentStatus.APPROVED, ["editor"])


# --- The commenter view and the IP filter ---------------------------------------------------------------------------


def test_the_commenter_view_lists_every_comment_from_one_address_only(app, client, article, make_comment, sign_in):
    pending = make_comment(article, email=EMAIL, body="First words.", status=CommentStatus.PENDING)
    spam = make_comment(article, email="PAT@example.net", body="Second words.", status=CommentStatus.SPAM)
    make_comment(article, email="sam@example.net", body="Someone else.")
    sign_in("editor")
    view = client.get(f"/moderation/commenters/{key_of(app)}")
    rows = [tr.get("id") for tr in parse(view).xpath("//table[@class='desk-table']/tbody/tr")]
    assert rows == [f"row-{spam}", f"row-{pending}"]
    assert "Someone else." not in page_text(view)
    assert client.get(f"/moderation/commenters/{'0' * 64}").status_code == 404
    assert client.get(f"/moderation/commenters/{EMAIL}").status_code == 404  # never the address itself
    assert client.get("/moderation/commenters/ABC").status_code == 404


def test_the_desk_filters_by_ip_hash(app, client, article, comment_from, sign_in):
    here = comment_from("192.0.2.7")
    there = comment_from("198.51.100.9", email="sam@example.net", name="Sam Other")
    ip_hash = privacy.ip_hash(app.config["HASH_KEY"], "192.0.2.7")
    sign_in("editor")
    desk = parse(client.get("/moderation/"))
    (link,) = desk.xpath(f"//tr[@id='row-{here}']//a[starts-with(normalize-space(), 'IP #')]/@href")
    assert f"ip={ip_hash}" in link and "192.0.2.7" not in link
    for ip in (ip_hash, ip_hash[:10], ip_hash[:10].upper()):
        rows = parse(client.get("/moderation/", query_string={"ip": ip})).xpath("//tbody/tr/@id")
        assert rows == [f"row-{here}"]
    assert f"row-{there}" in parse(client.get("/moderation/")).xpath("//tbody/tr/@id")
    for bad in ("192.0.2.7", "xyz123", "abc"):
        refused = client.get("/moderation/", query_string={"ip": bad})
        assert refused.status_code == 400 and "IP hash" in page_text(refused)


# --- Readers' reports -----------------------------------------------------------------------------------------------


def report(client, comment_id: int, ip: str, **headers):
    return client.post(
        f"/articles/harbour/comments/{comment_id}/report", environ_base={"REMOTE_ADDR": ip}, headers=headers
    )


def reports_of(app, comment_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(CommentReport.comment_id == comment_id))


def test_reports_from_three_networks_take_a_comment_off_the_page(app, client, article, make_comment, sign_in):
    target = make_comment(article, body="Something rude.")
    page = client.get("/articles/harbour")
    (href,) = parse(page).xpath(f"//li[@id='comment-{target}']//p[@class='comment-report']/a/@href")
    assert href == f"/articles/harbour/comments/{target}/report"
    form = client.get(href)
    assert form.status_code == 200 and "Something rude." in page_text(form)
    assert "no-store" in form.headers["Cache-Control"]
    thanks = report(client, target, "192.0.2.7")
    assert thanks.status_code == 200 and "the editors will look" in page_text(thanks)
    again = report(client, target, "192.0.2.99")  # the same /24: the same reader
    assert "already been reported from your network" in page_text(again)
    report(client, target, "2001:db8:1:2::1")
    assert reports_of(app, target) == 2
    assert status_and_reasons(app, target)[0] is CommentStatus.APPROVED
    assert "Something rude." in page_text(client.get("/articles/harbour"))

    report(client, target, "::ffff:198.51.100.1")
    status, reasons = status_and_reasons(app, target)
    assert (status, reasons[-1]) == (CommentStatus.PENDING, "reported by readers from 3 networks")
    assert "Something rude." not in page_text(client.get("/articles/harbour"))
    assert client.get(f"/articles/harbour/comments/{target}/report").status_code == 404  # nothing to report now
    with app.app_context():
        event = db.session.scalars(sa.select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
        assert (event.action, event.actor_id, event.to_status) == ("reported", None, CommentStatus.PENDING)

    sign_in("editor")
    tab = client.get("/moderation/", query_string={"status": "reported"})
    assert [" ".join(td.text_content().split()) for td in parse(tab).xpath("//td[@class='report-count']")] == [
        "3 reports"
    ]
    assert "Reported (1)" in " ".join(page_text(client.get("/moderation/")).split())


def test_an_editor_who_approves_again_after_reports_is_not_overruled(app, client, article, make_comment, sign_in):
    set_settings(app, unpublish_after_reports=2)
    target = make_comment(article, body="Sharp but fair.")
    report(client, target, "192.0.2.7")
    report(client, target, "198.51.100.7")
    assert status_and_reasons(app, target)[0] is CommentStatus.PENDING
    sign_in("editor")
    assert client.post(f"/moderation/comments/{target}/approve").status_code == 303
    assert parse(client.get("/moderation/?status=reported")).xpath("//tbody/tr") == []  # dealt with
    client.post("/logout")
    for ip in ("203.0.113.1", "203.0.114.1", "203.0.115.1"):
        report(client, target, ip)
    assert status_and_reasons(app, target)[0] is CommentStatus.APPROVED
    sign_in("editor")
    tab = client.get("/moderation/?status=reported")  # the new reports are listed, for the editor to see
    assert [" ".join(td.text_content().split()) for td in parse(tab).xpath("//td[@class='report-count']")] == [
        "3 reports"
    ]


def test_keep_published_deals_with_the_reports_for_good(app, client, article, make_comment, sign_in):
    target = make_comment(article, body="Blunt.")
    report(client, target, "192.0.2.7")
    sign_in("editor")
    tab = client.get("/moderation/?status=reported")
    assert parse(tab).xpath(f"//tr[@id='row-{target}']//button[normalize-space()='Keep published']")
    assert client.post(f"/moderation/comments/{target}/reports/keep").status_code == 303
    assert parse(client.get("/moderation/?status=reported")).xpath("//tbody/tr") == []
    client.post("/logout")
    for ip in ("203.0.113.1", "203.0.114.1", "203.0.115.1"):
        report(client, target, ip)
    assert status_and_reasons(app, target)[0] is CommentStatus.APPROVED
    sign_in("editor")
    client.post(f"/moderation/comments/{target}/unapprove")
    refused = client.post(f"/moderation/comments/{target}/reports/keep")
    assert refused.status_code == 409 and "approve it instead" in page_text(refused)
    assert client.post("/moderation/comments/999/reports/keep").status_code == 404


def test_with_the_setting_at_zero_reports_never_unpublish(app, client, article, make_comment):
    set_settings(app, unpublish_after_reports=0)
    target = make_comment(article)
    for ip in ("192.0.2.7", "198.51.100.7", "203.0.113.7", "203.0.114.7"):
        report(client, target, ip)
    assert reports_of(app, target) == 4
    assert status_and_reasons(app, target)[0] is CommentStatus.APPROVED


def test_only_published_comments_of_published_articles_can_be_reported(
    app, client, article, make_article, make_comment
):
    held = make_comment(article, status=CommentStatus.PENDING)
    draft = make_article("Draft", slug="draft", published=False)
    on_draft = make_comment(draft)
    elsewhere = make_comment(make_article("Other", slug="other"))
    assert report(client, held, "192.0.2.7").status_code == 404
    assert client.post(f"/articles/draft/comments/{on_draft}/report").status_code == 404
    assert report(client, elsewhere, "192.0.2.7").status_code == 404  # not this article's comment
    assert client.get("/articles/harbour/comments/99999999/report").status_code == 404
    assert reports_of(app, held) == reports_of(app, elsewhere) == 0


def test_a_cross_site_report_is_refused_and_not_counted(app, client, article, make_comment):
    target = make_comment(article)
    refused = report(client, target, "192.0.2.7", **{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    assert refused.status_code == 403 and "sent from another site" in page_text(refused)
    assert report(client, target, "192.0.2.7", Origin="https://evil.example").status_code == 403
    assert reports_of(app, target) == 0
    assert report(client, target, "192.0.2.7", **{"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert reports_of(app, target) == 1


@pytest.mark.app_config(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2/minute")
def test_reports_are_rate_limited_per_client(app, client, article, make_comment):
    targets = [make_comment(article, body=f"Comment {n}.") for n in range(3)]
    answers = [report(client, t, "192.0.2.7") for t in targets]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Too many requests in a short time. Please wait a minute" in page_text(answers[2])  # the site's page
    assert parse(answers[2]).xpath("//main")
    assert report(client, targets[2], "198.51.100.7").status_code == 200  # another reader


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_signed_in_reader_needs_their_sessions_token(app, client, article, make_comment, sign_in):
    target = make_comment(article)
    sign_in("author")
    assert report(client, target, "192.0.2.7").status_code == 400
    token = form_fields(
        client.get(f"/articles/harbour/comments/{target}/report").get_data(as_text=True), "//main//form[@method='post']"
    )
    response = client.post(
        f"/articles/harbour/comments/{target}/report", data=token, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert response.status_code == 200 and reports_of(app, target) == 1


# --- Privacy: the hashes go where the address goes -----------------------------------------------------------------


def test_erasing_a_commenters_data_leaves_no_key_to_find_them_by(app, client, article, comment_from, sign_in):
    first = comment_from("192.0.2.7")
    with app.app_context():
        personal_data.erase(EMAIL, personal_data.Mode.ANONYMISE, via="admin", now=utcnow())
        db.session.commit()
        comment = db.session.get(Comment, first)
        assert (comment.author_key, comment.network_hash, comment.ip_hash) == ("", "", "")
    sign_in("editor")
    assert client.get(f"/moderation/commenters/{key_of(app)}").status_code == 404


def test_the_retention_purge_drops_the_network_hash_with_the_ip_hash(app, article, comment_from):
    first = comment_from("192.0.2.7")
    with app.app_context():
        assert db.session.get(Comment, first).network_hash == privacy.network_key(app.config["HASH_KEY"], "192.0.2.7")
        retention.purge(utcnow() + timedelta(days=400))
        db.session.commit()
        comment = db.session.get(Comment, first)
        assert (comment.ip_hash, comment.network_hash) == ("", "")
