"""Retention: the purge drops old IP hashes, deletes old spam, trash and sent mail, in batches, once; the desk
says when; the settings and the privacy page carry the figures. Time is passed in or frozen, never waited for."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from blog import jobs
from blog.core.retention import PURGE_AT, next_purge
from blog.extensions import db
from blog.models import Comment, CommentStatus, ModerationEvent, OutboxMail, SiteSettings
from blog.services import moderation, retention
from blog.services.site import ensure_settings
from tests.conftest import NOW
from tests.helpers import page_text, parse

A, P, S, T = CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH
DAY = timedelta(days=1)
LATER = NOW + 40 * DAY  # "now" for the purge: 40 days after the fixtures' comments
RULES = [
    "spam comments deleted",
    "trashed comments deleted",
    "IP hashes and user agents dropped",
    "sent or undeliverable mail deleted",
    "unconfirmed reply subscriptions deleted",
    "security log IP hashes dropped",
]


@pytest.fixture
def article(make_article):
    return make_article("Harbour vote", slug="harbour")


def comment(app, make_comment, article, *, days_before_later: float, status=A, ip="abc123", **kwargs) -> int:
    """A comment written ``days_before_later`` days before LATER, with an IP hash and a user agent."""
    comment_id = make_comment(article, status=status, **kwargs)
    with app.app_context():
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment_id)
            .values(
                created_at=LATER - timedelta(days=days_before_later), ip_hash=ip, user_agent="Firefox" if ip else ""
            )
        )
        db.session.commit()
    return comment_id


def moderate(app, comment_id: int, action: str, at: datetime) -> None:
    with app.app_context():
        moderation.moderate(db.session.get(Comment, comment_id), action, actor=None, now=at)
        db.session.commit()


def mail(app, **times) -> int:
    with app.app_context():
        row = OutboxMail(recipients=["r@example.net"], subject="s", body="b", message_id=f"<{times}@x>", **times)
        db.session.add(row)
        db.session.commit()
        return row.id


def set_settings(app, **values) -> None:
    with app.app_context():
        settings = ensure_settings()
        for name, value in values.items():
            setattr(settings, name, value)
        db.session.commit()


def purge(app, now=LATER, *, batches: list[int] | None = None, **kwargs) -> dict[str, int]:
    """Purge as the command does: a commit after each batch (``batches`` collects their sizes)."""

    def committed(rows: int) -> None:
        db.session.commit()
        if batches is not None:
            batches.append(rows)

    with app.app_context():
        done = retention.purge(now, on_batch=committed, **kwargs)
        db.session.commit()
        return done


def survivors(app) -> dict[int, tuple[CommentStatus, str, str]]:
    with app.app_context():
        return {c.id: (c.status, c.ip_hash, c.user_agent) for c in db.session.scalars(sa.select(Comment))}


def test_ip_hash_and_user_agent_are_dropped_only_from_old_comments(app, make_comment, article):
    old = comment(app, make_comment, article, days_before_later=30)  # exactly 30 days: due
    young = comment(app, make_comment, article, days_before_later=29.9)
    held = comment(app, make_comment, article, days_before_later=31, status=P)
    assert purge(app)["IP hashes and user agents dropped"] == 2
    assert survivors(app) == {old: (A, "", ""), young: (A, "abc123", "Firefox"), held: (P, "", "")}


def test_spam_and_trash_go_after_their_days_counted_from_when_they_got_there(app, make_comment, article):
    arrived_as_spam = comment(app, make_comment, article, days_before_later=31, status=S, ip="")
    young_spam = comment(app, make_comment, article, days_before_later=29, status=S, ip="")
    old_but_trashed_lately = comment(app, make_comment, article, days_before_later=90, ip="")
    moderate(app, old_but_trashed_lately, "trash", LATER - 10 * DAY)
    trashed_long_ago = comment(app, make_comment, article, days_before_later=90, ip="")
    moderate(app, trashed_long_ago, "trash", LATER - 30 * DAY)
    old_approved = comment(app, make_comment, article, days_before_later=400, ip="")

    done = purge(app)
    assert (done["spam comments deleted"], done["trashed comments deleted"]) == (1, 1)
    assert set(survivors(app)) == {young_spam, old_but_trashed_lately, old_approved}  # not arrived_as_spam
    assert arrived_as_spam not in survivors(app)
    with app.app_context():  # the audit trail keeps the deletions, without the rows
        purged = db.session.execute(
            sa.select(ModerationEvent.comment_id, ModerationEvent.from_status, ModerationEvent.actor_id)
            .where(ModerationEvent.action == "purge")
            .order_by(ModerationEvent.from_status)
        ).all()
        assert purged == [(None, S, None), (None, T, None)]
        orphans = db.session.scalar(sa.select(sa.func.count()).where(ModerationEvent.comment_id.is_(None)))
        assert orphans == 2 + 2 + 1  # the two purges, and the earlier events of the two purged comments


def test_a_reply_to_purged_spam_stays(app, make_comment, article):
    spam = comment(app, make_comment, article, days_before_later=31, status=A, ip="")
    reply = comment(app, make_comment, article, days_before_later=31, status=A, ip="", parent_id=spam)
    moderate(app, spam, "spam", LATER - 31 * DAY)
    purge(app)
    with app.app_context():
        assert db.session.get(Comment, spam) is None
        assert db.session.get(Comment, reply).parent_id is None


def test_rules_set_to_never_take_nothing(app, make_comment, article):
    spam = comment(app, make_comment, article, days_before_later=999, status=S)
    set_settings(app, purge_spam_days=None, keep_ip_days=36_500)
    assert set(purge(app).values()) == {0}
    assert survivors(app) == {spam: (S, "abc123", "Firefox")}


@pytest.mark.app_config(RETENTION_OUTBOX_DAYS=30)
def test_sent_and_undeliverable_mail_is_deleted_after_its_days_unsent_mail_never(app):
    mail(app, sent_at=LATER - 31 * DAY)
    mail(app, failed_at=LATER - 30 * DAY)  # undeliverable, exactly 30 days ago
    sent_lately = mail(app, sent_at=LATER - 29 * DAY)
    unsent = mail(app, created_at=LATER - 90 * DAY)
    assert purge(app)["sent or undeliverable mail deleted"] == 2
    with app.app_context():
        assert set(db.session.scalars(sa.select(OutboxMail.id))) == {sent_lately, unsent}


def test_batches_cover_every_row_and_a_second_run_changes_nothing(app, make_comment, article):
    for n in range(7):
        comment(app, make_comment, article, days_before_later=31 + n, status=S if n % 2 else A)
    batches = []
    done = purge(app, batch=2, batches=batches)
    assert done == dict(zip(RULES, [3, 0, 4, 0, 0, 0], strict=True))  # the spam first; then the others' IP hashes
    assert batches == [2, 1, 2, 2]
    assert survivors(app) == {cid: (A, "", "") for cid in survivors(app)}
    assert purge(app, batch=2) == dict.fromkeys(RULES, 0)


def test_the_command_shows_progress_and_a_summary_and_is_idempotent(app, runner, make_comment, article, monkeypatch):
    comment(app, make_comment, article, days_before_later=31)
    comment(app, make_comment, article, days_before_later=31, status=T, ip="")
    monkeypatch.setattr("blog.orm.utcnow", lambda: LATER)
    result = runner.invoke(args=["blog", "retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Applying retention rules" in result.output
    summary = result.output.splitlines()[-6:]
    assert summary == [
        "spam comments deleted: 0",
        "trashed comments deleted: 1",
        "IP hashes and user agents dropped: 1",
        "sent or undeliverable mail deleted: 0",
        "unconfirmed reply subscriptions deleted: 0",
        "security log IP hashes dropped: 0",
    ]
    again = runner.invoke(args=["blog", "retention", "run"])
    assert [line.rsplit(": ", 1)[1] for line in again.output.splitlines()[-6:]] == ["0"] * 6
    assert "Drops the IP hash" in runner.invoke(args=["blog", "retention", "run", "--help"]).output


def test_the_daily_task_is_registered_and_runs_the_same_purge(app, make_comment, article, monkeypatch):
    run = datetime.combine(LATER.date(), PURGE_AT)  # Huey's schedule reads naive UTC
    with app.app_context():
        huey = jobs.current().huey
        assert "purge_daily" in [task.name for task in huey.read_periodic(run)]
        assert "purge_daily" not in [task.name for task in huey.read_periodic(run + timedelta(minutes=1))]

    old = comment(app, make_comment, article, days_before_later=31, status=S)
    monkeypatch.setattr("blog.services.retention.utcnow", lambda: LATER)
    with app.app_context():
        retention.purge_daily()
    assert old not in survivors(app)


def test_the_desk_says_when_the_purge_takes_each_comment(
    app, client, sign_in, make_comment, article, monkeypatch, count_queries
):
    sign_in("editor")
    monkeypatch.setattr("blog.moderation.views.utcnow", lambda: LATER)
    spam = comment(app, make_comment, article, days_before_later=10, status=S)
    approved = comment(app, make_comment, article, days_before_later=10)

    page = client.get("/moderation/?status=spam")
    (cell,) = parse(page).xpath(f"//tr[@id='row-{spam}']//span[contains(@class, 'purge-date')]")
    deleted = next_purge(LATER + 20 * DAY)
    assert " ".join(cell.text_content().split()) == f"Deleted for good on {deleted.day} {deleted:%B} {deleted.year}"
    (cell,) = parse(client.get("/moderation/?status=approved")).xpath(
        f"//tr[@id='row-{approved}']//span[contains(@class, 'purge-date')]"
    )
    assert "IP hash and browser dropped on" in cell.text_content()

    details = page_text(client.get(f"/moderation/comments/{spam}"))
    assert f"Deleted for good on {deleted.day} {deleted:%B} {deleted.year}" in details

    with count_queries() as one:
        client.get("/moderation/?status=spam")
    for n in range(5):
        comment(app, make_comment, article, days_before_later=n, status=S)
    with count_queries() as six:
        assert page_text(client.get("/moderation/?status=spam")).count("Deleted for good on") == 6
    assert len(six) == len(one)


def test_the_settings_form_saves_and_checks_the_retention_figures(app, client, sign_in):
    sign_in("admin")
    form = parse(client.get("/editorial/settings"))
    assert form.xpath("//input[@name='keep_ip_days']/@value") == ["30"]
    base = {"max_links": "2", "thread_depth": "5", "comments_per_page": "50", "edit_window_minutes": "10"}
    for bad in ({"keep_ip_days": "0"}, {"keep_ip_days": ""}, {"purge_spam_days": "0"}, {"purge_trash_days": "x"}):
        assert client.post("/editorial/settings", data={**base, **bad}).status_code == 422, bad
    notice = "Hello **readers**.\n\nWe are a small team.<script>alert(1)</script>"
    data = {
        **base,
        "keep_ip_days": "14",
        "purge_spam_days": "",
        "purge_trash_days": "60",
        "privacy_notice_markdown": notice,
    }
    assert client.post("/editorial/settings", data=data).status_code == 303
    with app.app_context():
        settings = db.session.get(SiteSettings, 1)
        assert (settings.keep_ip_days, settings.purge_spam_days, settings.purge_trash_days) == (14, None, 60)
        assert settings.privacy_notice_markdown == notice  # kept as typed: blank lines are Markdown
        assert (
            "<strong>readers</strong>" in settings.privacy_notice_html and "<script" not in settings.privacy_notice_html
        )


def test_the_privacy_page_shows_the_settings_figures_and_the_admins_words(app, client):
    text = page_text(client.get("/privacy"))
    assert "IP address hash and the user agent: 30 days" in text
    assert "Comments marked as spam: 30 days" in text
    set_settings(
        app,
        keep_ip_days=7,
        purge_spam_days=None,
        purge_trash_days=1,
        privacy_notice_html='<p>We are <a href="https://team.example">a small team</a>.</p>',
    )
    response = client.get("/privacy")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    text = page_text(response)
    assert "IP address hash and the user agent: 7 days" in text
    assert "Comments marked as spam: until an editor deletes them" in text
    assert "Comments in the trash: 1 day after they were trashed" in text
    assert parse(response).xpath("//div[@class='privacy-notice']//a/@href") == ["https://team.example"]
    assert parse(response).xpath("//a[text()='your comments and data']/@href") == ["/your-data"]


def test_the_comment_form_and_every_footer_link_to_the_privacy_page(client, article):
    page = parse(client.get("/articles/harbour"))
    assert page.xpath("//p[@class='comment-privacy']/a/@href") == ["/privacy"]
    assert "/privacy" in page.xpath("//footer//a/@href")
