"""Sessions that end, passwords and their resets, the admins' account buttons, and where a sign-in lands."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from blog.extensions import db
from blog.models import OutboxMail, SecurityLogEntry, User
from blog.orm import utcnow
from tests.conftest import PASSWORD
from tests.helpers import SMTPInbox, page_text, parse

NEW_PASSWORD = "lantern quarry velvet oyster"
EMAIL = "nadia@example.org"


@pytest.fixture
def author(make_user):
    return make_user("Nadia Okafor", email=EMAIL, password=PASSWORD)


def sign_in(client, email=EMAIL, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def cookie(client, name):
    found = client.get_cookie(name)
    return None if found is None else found.value


def signed_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def events(app, user_id=None) -> list[str]:
    with app.app_context():
        stmt = sa.select(SecurityLogEntry.event).order_by(SecurityLogEntry.id)
        if user_id is not None:
            stmt = stmt.where(SecurityLogEntry.user_id == user_id)
        return list(db.session.scalars(stmt))


def outbox(app) -> list[tuple[list[str], str, str]]:
    with app.app_context():
        return [
            (m.recipients, m.subject, m.body) for m in db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id))
        ]


def reset_link(app) -> str:
    body = next(body for _, subject, body in outbox(app) if subject == "Choose a new password")
    return next(line for line in body.splitlines() if "/account/reset-password/" in line).removeprefix(
        "http://localhost"
    )


# --- Sessions that end -----------------------------------------------------------------------------------------


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, author):
    assert sign_in(client).status_code == 303
    copied = cookie(client, "blog_session")
    assert client.post("/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie("blog_session", copied)
    response = thief.get("/account/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_copied_remember_me_cookie_stops_working_after_sign_out_and_differs_at_each_sign_in(app, client, author):
    sign_in(client, remember="y")
    first = cookie(client, "blog_remember")
    client.post("/logout")
    sign_in(client, remember="y")
    second = cookie(client, "blog_remember")
    assert first and second and first != second
    other = app.test_client()  # a second browser: its own remember-me cookie differs too
    sign_in(other, remember="y")
    assert cookie(other, "blog_remember") != second

    replay = app.test_client()
    replay.set_cookie("blog_remember", second)
    assert signed_in(replay)  # a remember-me cookie alone signs in ...
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("blog_remember", second)
    assert not signed_in(replay)  # ... until its owner signs out
    assert not signed_in(other)


def test_sign_out_everywhere_ends_every_session(app, client, author):
    sign_in(client)
    laptop = app.test_client()
    sign_in(laptop)
    assert "Sign out everywhere" in page_text(client.get("/account/profile"))
    response = client.post("/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not signed_in(client) and not signed_in(laptop)
    assert events(app)[-1] == "signed-out-everywhere"


def test_deactivation_by_an_admin_ends_the_session(app, client, author, make_user):
    sign_in(client)
    make_user("Ada Admin", role="admin", email="ada@example.org", password=PASSWORD)
    admin = app.test_client()
    sign_in(admin, "ada@example.org")
    assert admin.post(f"/editorial/users/{author}/deactivate").status_code == 303
    assert not signed_in(client)
    assert sign_in(client).status_code == 422
    assert admin.post(f"/editorial/users/{author}/reactivate").status_code == 303
    assert sign_in(client).status_code == 303
    assert events(app, author) == ["signed-in", "deactivated", "sign-in-failed", "reactivated", "signed-in"]


# --- Changing one's password ---------------------------------------------------------------------------


def change(client, current=PASSWORD, new=NEW_PASSWORD, repeat=None):
    return client.post("/account/password", data={"current": current, "new": new, "repeat": repeat or new})


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, author):
    sign_in(client, remember="y")
    phone = app.test_client()
    sign_in(phone)
    response = change(client)
    assert response.status_code == 303
    assert signed_in(client) and not signed_in(phone)
    kept = app.test_client()  # this browser's remember-me cookie was renewed with the new token
    kept.set_cookie("blog_remember", cookie(client, "blog_remember"))
    assert signed_in(kept)
    client.post("/logout")
    assert sign_in(client, password=PASSWORD).status_code == 422
    assert sign_in(client, password=NEW_PASSWORD).status_code == 303
    assert "password-changed" in events(app, author)


def test_the_security_log_names_the_command_line_and_its_user(app, runner, admin_client, author):
    import getpass

    result = runner.invoke(args=["users", "set-password", EMAIL, "--password-stdin"], input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    [row] = parse(admin_client.get(f"/editorial/security-log?user={author}")).xpath("//tbody/tr")
    assert " ".join(row.xpath("td[4]")[0].text_content().split()) == f"command line ({getpass.getuser()})"
    [(_to, _subject, body)] = outbox(app)
    assert "by the server's command line" in body
    [(to, _subject, body)] = [m for m in outbox(app) if m[1] == "Your password was changed"]
    assert to == [EMAIL] and "If this wasn't you" in body and "/account/forgot-password" in body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"current": "wrong"}, "current", "That is not your current password."),
        ({"new": "password123"}, "new", "This is a very common password."),
        ({"new": "nadiaokafor"}, "new", "easy to guess"),  # her own name
        ({"repeat": "something else"}, "repeat", "The two don't match."),
        ({"new": ""}, "new", "Please choose a new password."),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field(app, client, author, fields, field, message):
    sign_in(client)
    data = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": fields.get("new", NEW_PASSWORD), **fields}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    page = parse(response)
    error = page.xpath(f"//*[@id='{field}-error']")
    assert error and message in error[0].text_content()
    assert page.xpath("//input[@name='display_name']/@value") == ["Nadia Okafor"]  # the profile form is all there
    assert signed_in(client)
    with app.app_context():
        assert "password-changed" not in events(app)


# --- Forgot your password? -----------------------------------------------------------------------------


def forgot(client, email):
    return client.post("/account/forgot-password", data={"email": email})


def test_login_page_links_to_forgot_password(client):
    assert parse(client.get("/login")).xpath("//a[@href='/account/forgot-password']/text()") == [
        "Forgot your password?"
    ]


def test_the_same_answer_whether_or_not_the_address_has_an_account(app, client, author, make_user):
    gone = make_user("Gone Writer", email="gone@example.org", password=PASSWORD)
    with app.app_context():
        db.session.get(User, gone).is_active = False
        db.session.commit()
    answers = {}
    for email in (EMAIL, "nobody@example.org", "gone@example.org"):
        response = forgot(client, email)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        answers[email] = page_text(response).replace(email, "ADDRESS")
    assert len(set(answers.values())) == 1
    assert [to for to, subject, _ in outbox(app)] == [[EMAIL]]  # the deactivated account gets nothing
    assert events(app) == ["password-reset-requested"]


@pytest.mark.app_config(MAIL_SERVER="127.0.0.1", MAIL_DEFAULT_SENDER="desk@example.org")
def test_reset_by_mail_signs_in_with_the_new_password_and_the_link_works_once(app, client, author):
    smtp = SMTPInbox().start()
    app.config["MAIL_PORT"] = smtp.port
    try:
        forgot(client, EMAIL)
        [(to, message)] = smtp.messages
    finally:
        smtp.stop()
    assert to == [EMAIL] and message["Subject"] == "Choose a new password"
    link = next(line for line in message.get_content().splitlines() if "/reset-password/" in line)
    path = link.removeprefix("http://localhost")
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(path, data={"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/editorial/"
    assert signed_in(client)
    again = client.post(path, data={"new": "another quite long passphrase", "repeat": "another quite long passphrase"})
    assert again.status_code == 400 and "already been used" in page_text(again)
    client.post("/logout")
    assert sign_in(client, password=NEW_PASSWORD).status_code == 303
    assert events(app, author)[:3] == ["password-reset-requested", "password-reset", "signed-in"]
    assert [subject for _, subject, _ in outbox(app)] == ["Choose a new password", "Your password was reset"]


def test_a_reset_link_expires_after_an_hour_and_a_damaged_one_is_refused(app, client, author):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        forgot(client, EMAIL)
        path = reset_link(app)
        traveller.shift(timedelta(minutes=59))
        assert client.get(path).status_code == 200
        traveller.shift(timedelta(minutes=2))
        expired = client.get(path)
    assert expired.status_code == 400 and "expired" in page_text(expired)
    assert parse(expired).xpath("//a[@href='/account/forgot-password']")
    damaged = client.get(path[:-3])
    assert damaged.status_code == 400 and "not valid" in page_text(damaged)


def test_a_weak_new_password_is_refused_on_the_reset_page(app, client, author):
    forgot(client, EMAIL)
    path = reset_link(app)
    response = client.post(path, data={"new": "password1", "repeat": "password1"})
    assert response.status_code == 422 and "common password" in page_text(response)
    assert client.get(path).status_code == 200  # still usable: nothing changed


@pytest.mark.app_config(
    RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT_ADDRESS="2/hour", PASSWORD_RESET_RATE_LIMIT="100/minute"
)
def test_reset_requests_are_rate_limited_per_address(app, client, author):
    assert forgot(client, EMAIL).status_code == 200
    assert forgot(client, EMAIL).status_code == 200
    refused = forgot(client, EMAIL)
    assert refused.status_code == 429 and "Too many requests for reset links" in page_text(refused)
    assert forgot(client, "other@example.org").status_code == 200
    assert len(outbox(app)) == 2


@pytest.mark.app_config(
    RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT_ADDRESS="100/hour", PASSWORD_RESET_RATE_LIMIT="3/minute"
)
def test_reset_requests_are_rate_limited_per_client(client):
    for n in range(3):
        assert forgot(client, f"a{n}@example.org").status_code == 200
    assert forgot(client, "a9@example.org").status_code == 429


# --- The admins' buttons -------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(app, make_user):
    admin_id = make_user("Ada Admin", role="admin", email="ada@example.org", password=PASSWORD)
    admin = app.test_client()
    assert sign_in(admin, "ada@example.org").status_code == 303
    admin.user_id = admin_id
    return admin


def test_an_admin_sends_a_reset_link(app, admin_client, author):
    response = admin_client.post(f"/editorial/users/{author}/reset-link")
    assert response.status_code == 303
    [(to, subject, body)] = outbox(app)
    assert to == [EMAIL] and subject == "Choose a new password" and "An admin asked" in body
    with app.app_context():
        entry = db.session.scalars(sa.select(SecurityLogEntry).where(SecurityLogEntry.user_id == author)).one()
        assert (entry.event, entry.actor_id) == ("password-reset-requested", admin_client.user_id)


def test_an_admin_cannot_deactivate_themselves_and_the_page_says_so_next_to_them(app, admin_client, author, make_user):
    make_user("Second Admin", role="admin", email="second@example.org")  # not the last admin: still refused
    response = admin_client.post(f"/editorial/users/{admin_client.user_id}/deactivate")
    assert response.status_code == 409
    cell = parse(response).xpath(f"//td[@id='account-{admin_client.user_id}']")[0]
    assert "You cannot deactivate your own account" in cell.text_content()
    assert parse(response).xpath("//h1/text()") == ["Users"]
    assert parse(response).xpath(f"//input[@id='active-{admin_client.user_id}']/@checked")  # as stored
    assert signed_in(admin_client)


def test_nor_through_the_role_form(app, admin_client, make_user):
    make_user("Second Admin", role="admin", email="second@example.org")  # not the last admin: still refused
    response = admin_client.post(f"/editorial/users/{admin_client.user_id}", data={"role": "admin"})
    assert response.status_code == 409 and "You cannot deactivate your own account" in page_text(response)
    assert signed_in(admin_client)


def test_the_last_active_admin_cannot_be_deactivated(app, author):
    from blog.services import users

    with app.app_context():
        nadia = db.session.get(User, author)
        admin = users.create_user(email="solo@example.org", name="Solo Admin", role="admin", password=None)
        db.session.flush()
        with pytest.raises(users.UserError, match="last active admin"):
            users.set_active(nadia, admin, active=False)  # by anyone, not only themselves


def test_a_deactivated_account_gets_no_reset_link(app, admin_client, author):
    admin_client.post(f"/editorial/users/{author}/deactivate")
    response = admin_client.post(f"/editorial/users/{author}/reset-link")
    assert response.status_code == 409
    assert "reactivate it first" in parse(response).xpath(f"//td[@id='account-{author}']")[0].text_content()
    assert outbox(app) == []


def test_a_role_change_is_logged_and_mailed(app, admin_client, author):
    response = admin_client.post(f"/editorial/users/{author}", data={"role": "editor", "is_active": "y"})
    assert response.status_code == 303
    assert events(app, author) == ["role-changed"]
    [(to, subject, body)] = outbox(app)
    assert to == [EMAIL] and subject == "Your role was changed" and "editor" in body and "by an admin" in body


def test_the_security_log_page_newest_first_filtered_by_user_without_addresses(app, client, admin_client, author):
    sign_in(client, password="wrong")
    sign_in(client, "nobody@example.org", "wrong")  # no account: nothing to record, and no address kept
    sign_in(client)
    page = admin_client.get("/editorial/security-log")
    assert page.status_code == 200
    rows = [" ".join(r.text_content().split()) for r in parse(page).xpath("//tbody/tr")]
    assert [r.split(" ", 2)[2] for r in rows] == [
        "Nadia Okafor signed in themselves " + rows[0].rsplit(" ", 1)[1],
        "Nadia Okafor sign-in failed (wrong password) themselves " + rows[1].rsplit(" ", 1)[1],
        "Ada Admin signed in themselves " + rows[2].rsplit(" ", 1)[1],
    ]
    text = page.get_data(as_text=True)
    assert "example.org" not in text and "127.0.0.1" not in text
    mine = parse(admin_client.get(f"/editorial/security-log?user={author}")).xpath("//tbody/tr")
    assert len(mine) == 2
    assert admin_client.get("/editorial/security-log?user=abc").status_code == 400


def test_the_security_log_pages_by_keyset(app, admin_client, author):
    from blog.services import security_log

    with app.app_context():
        nadia = db.session.get(User, author)
        for _ in range(security_log.PER_PAGE + 3):
            security_log.record("signed-in", user=nadia)
        db.session.commit()
    first = parse(admin_client.get(f"/editorial/security-log?user={author}"))
    assert len(first.xpath("//tbody/tr")) == security_log.PER_PAGE
    older = first.xpath("//a[text()='Older entries']/@href")[0]
    assert len(parse(admin_client.get(older)).xpath("//tbody/tr")) == 3


# --- Where a sign-in lands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "landing"), [("author", "/editorial/"), ("editor", "/moderation/"), ("admin", "/moderation/")]
)
def test_sign_in_lands_on_the_desk_or_ones_articles(app, client, make_user, role, landing):
    make_user("Some One", role=role, email="one@example.org", password=PASSWORD)
    assert sign_in(client, "one@example.org").headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing  # signed in already


def test_a_safe_next_still_wins(client, make_user):
    make_user("Ed Itor", role="editor", email="ed@example.org", password=PASSWORD)
    response = sign_in(client, "ed@example.org", next="/editorial/settings")
    assert response.headers["Location"] == "/editorial/settings"


def test_every_public_page_links_to_sign_in_the_same_way(client, make_article):
    make_article("Harbour vote", slug="harbour")
    pages = [client.get(url) for url in ("/", "/articles/harbour", "/tags/harbour", "/your-data")]
    for page in pages:
        assert parse(page).xpath("//footer//a[@href='/login']/text()") == ["Newsroom sign-in"]
    assert "Set-Cookie" not in pages[1].headers


# --- The command line ---------------------------------------------------------------------------------------


def test_set_password_from_the_command_line(app, runner, client, author):
    sign_in(client)
    result = runner.invoke(args=["users", "set-password", EMAIL], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "New password set for Nadia Okafor" in result.output
    assert NEW_PASSWORD not in result.output
    assert not signed_in(client)
    assert sign_in(client, password=NEW_PASSWORD).status_code == 303
    assert "password-changed" in events(app, author)


def test_set_password_from_stdin_checks_strength_and_the_address(app, runner, client, author):
    weak = runner.invoke(args=["users", "set-password", EMAIL, "--password-stdin"], input="password123\n")
    assert weak.exit_code == 1 and "Password not changed" in weak.output
    unknown = runner.invoke(args=["users", "set-password", "who@example.org", "--password-stdin"], input="x\n")
    assert unknown.exit_code == 1 and "There is no account with the address 'who@example.org'" in unknown.output
    ok = runner.invoke(args=["users", "set-password", EMAIL, "--password-stdin"], input=f"{NEW_PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert sign_in(client, password=NEW_PASSWORD).status_code == 303
    assert "--password-stdin" in runner.invoke(args=["users", "set-password", "--help"]).output


# --- Retention and personal data -----------------------------------------------------------------------------


def test_the_security_logs_ip_hashes_go_after_keep_ip_days(app, client, author):
    from blog.services import retention

    now = utcnow()
    with time_machine.travel(now - timedelta(days=31), tick=False):
        sign_in(client)
    with time_machine.travel(now - timedelta(days=29), tick=False):
        sign_in(app.test_client())
    with app.app_context():
        done = retention.purge(now)
        db.session.commit()
        hashes = list(db.session.scalars(sa.select(SecurityLogEntry.ip_hash).order_by(SecurityLogEntry.id)))
    assert done["security log IP hashes dropped"] == 1
    assert hashes[0] == "" and len(hashes[1]) == 64


def test_a_staff_accounts_export_holds_its_security_log_and_erasure_deletes_it(app, client, admin_client, author):
    sign_in(client)
    sign_in(app.test_client(), password="wrong")
    export = admin_client.post("/editorial/personal-data/export", data={"email": EMAIL})
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("your-data.json"))
    logged = data["account"]["security_events"]
    assert [e["event"] for e in logged] == ["signed-in", "sign-in-failed"]
    assert all(len(e["ip_hash"]) == 64 and e["by"] is None for e in logged)
    erased = admin_client.post(
        "/editorial/personal-data/erase", data={"email": EMAIL, "mode": "anonymise", "confirm": "y"}
    )
    assert erased.status_code == 303
    assert events(app, author) == []
    assert events(app, admin_client.user_id) == ["signed-in"]  # the admin's own entries stay
