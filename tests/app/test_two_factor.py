"""Two-factor sign-in: setting it up, signing in with a code (once), recovery codes, limits, and the admin rule.

The clock is frozen (time-machine) and moved a step (30 s) at a time, so the codes a test computes with pyotp
are the ones the app expects.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from blog.extensions import db
from blog.models import OutboxMail, RecoveryCode, SecurityLogEntry, TwoFactor, User
from blog.services import users
from tests.conftest import PASSWORD
from tests.helpers import page_text, parse, set_settings

START = datetime(2026, 11, 1, 12, 0, 5, tzinfo=UTC)  # 5 s into a time step
EMAIL = "ed@example.org"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor(make_user):
    return make_user("Eda Editor", role="editor", email=EMAIL, password=PASSWORD)


def sign_in_with_password(client, email=EMAIL, **extra):
    return client.post("/login", data={"email": email, "password": PASSWORD, **extra})


def enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Set up two-factor sign-in as a signed-in person would: returns their app (the TOTP) and recovery codes."""
    assert client.post("/account/two-factor/enrol").status_code == 303
    page = parse(client.get("/account/two-factor"))
    secret = "".join(page.xpath("//code[@id='two-factor-secret']/text()")[0].split())
    totp = pyotp.TOTP(secret)
    response = client.post("/account/two-factor/confirm", data={"code": totp.now()})
    assert response.status_code == 200, page_text(response)
    codes = parse(response).xpath("//ul[@class='recovery-codes']//code/text()")
    assert len(codes) == 10
    return totp, codes


@pytest.fixture
def enrolled(client, editor, clock):
    """The editor with two-factor sign-in on, signed out; the clock moved to the next step."""
    assert sign_in_with_password(client).status_code == 303
    totp, codes = enrol(client)
    client.post("/logout")
    clock.shift(30)
    return totp, codes


def signed_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def test_setting_up_shows_a_qr_code_and_the_key_then_asks_for_a_code(client, editor, clock):
    sign_in_with_password(client)
    page = parse(client.get("/account/profile"))
    assert page.xpath("//section[@aria-labelledby='two-factor-title']//a/@href") == ["/account/two-factor"]
    assert "Off:" in page_text(client.get("/account/two-factor"))
    client.post("/account/two-factor/enrol")
    response = client.get("/account/two-factor")
    assert response.headers["Cache-Control"] == "private, no-store"
    page = parse(response)
    assert page.xpath("//figure[@class='qr-code']/svg/title/text()") == ["QR code for your authenticator app"]
    assert page.xpath("//img[starts-with(@src, 'data:')]") == []
    secret = "".join(page.xpath("//code[@id='two-factor-secret']/text()")[0].split())
    client.post("/account/two-factor/enrol")  # a second click keeps the secret the app may have scanned
    assert secret in "".join(page_text(client.get("/account/two-factor")).split())

    wrong = client.post("/account/two-factor/confirm", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "That code is not right" in page_text(wrong)
    assert parse(wrong).xpath("//input[@name='code']/@value") == ["000000"]
    client.post("/logout")
    assert sign_in_with_password(client).headers["Location"] == "/moderation/"  # not on until confirmed


def test_the_secret_and_recovery_codes_are_not_stored_in_clear(app, client, enrolled):
    totp, codes = enrolled
    with app.app_context():
        record = db.session.scalar(sa.select(TwoFactor))
        digests = list(db.session.scalars(sa.select(RecoveryCode.digest)))
    assert record.confirmed_at is not None
    assert totp.secret not in record.secret_encrypted
    assert len(digests) == 10 and not set(codes) & set(digests)


def test_sign_in_asks_for_the_code_and_keeps_the_next_page(client, enrolled):
    totp, _ = enrolled
    response = sign_in_with_password(client, next="/moderation/")
    assert response.status_code == 303 and response.headers["Location"] == "/login/two-factor"
    assert not signed_in(client)  # the password alone signs nobody in
    page = parse(client.get("/login/two-factor"))
    assert page.xpath("//input[@name='code']/@autocomplete") == ["one-time-code"]
    response = client.post("/login/two-factor", data={"code": totp.now()})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert signed_in(client)


def test_a_code_is_accepted_once(client, enrolled, clock):
    totp, _ = enrolled
    code = totp.now()
    sign_in_with_password(client)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 303
    client.post("/logout")
    sign_in_with_password(client)
    replay = client.post("/login/two-factor", data={"code": code})
    assert replay.status_code == 422
    assert "used already" in page_text(replay)
    earlier = totp.at(datetime.now(UTC).timestamp() - 30)  # nor the code of an earlier step, within the drift
    assert client.post("/login/two-factor", data={"code": earlier}).status_code == 422
    clock.shift(30)
    assert client.post("/login/two-factor", data={"code": totp.now()}).status_code == 303


def test_clock_drift_of_one_step_is_accepted(client, enrolled, clock):
    totp, _ = enrolled
    sign_in_with_password(client)
    clock.shift(30)
    late_phone = totp.at(datetime.now(UTC).timestamp() - 30)
    assert client.post("/login/two-factor", data={"code": late_phone}).status_code == 303


def test_a_wrong_code_is_refused_with_the_form_kept(client, enrolled):
    sign_in_with_password(client)
    response = client.post("/login/two-factor", data={"code": "12345x"})
    assert response.status_code == 422
    assert "That code is not right" in page_text(response)
    assert parse(response).xpath("//input[@name='code']/@value") == ["12345x"]
    assert client.post("/login/two-factor", data={"code": ""}).status_code == 422
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, enrolled):
    _, codes = enrolled
    sign_in_with_password(client)
    response = client.post("/login/two-factor", data={"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 303
    assert "9 left" in page_text(client.get("/account/profile"))
    client.post("/logout")
    sign_in_with_password(client)
    assert client.post("/login/two-factor", data={"code": codes[3]}).status_code == 422
    assert client.post("/login/two-factor", data={"code": "abcde-fghjk"}).status_code == 422
    assert client.post("/login/two-factor", data={"code": codes[4]}).status_code == 303


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(client, enrolled):
    response = client.get("/login/two-factor")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.post("/login/two-factor", data={"code": enrolled[0].now()}).status_code == 303
    assert not signed_in(client)


def test_the_second_step_waits_a_few_minutes_only(client, enrolled, clock):
    totp, _ = enrolled
    sign_in_with_password(client)
    clock.shift(301)
    response = client.post("/login/two-factor", data={"code": totp.now()})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Please sign in again" in page_text(client.get("/login"))
    assert not signed_in(client)


def test_a_password_change_voids_a_waiting_second_step(app, client, enrolled, editor):
    totp, _ = enrolled
    sign_in_with_password(client)
    with app.app_context():
        db.session.get(User, editor).password_hash = "scrypt:changed-elsewhere"
        db.session.commit()
    response = client.post("/login/two-factor", data={"code": totp.now()})
    assert response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_signing_out_everywhere_voids_a_waiting_second_step(app, client, enrolled, editor):
    totp, _ = enrolled
    sign_in_with_password(client)
    with app.app_context():
        users.end_sessions(db.session.get(User, editor))
        db.session.commit()
    assert client.post("/login/two-factor", data={"code": totp.now()}).headers["Location"] == "/login"
    assert not signed_in(client)


def test_the_security_log_and_the_person_hear_of_two_factor_changes(app, client, enrolled, editor, clock):
    totp, codes = enrolled
    sign_in_with_password(client)
    client.post("/login/two-factor", data={"code": "000000" if totp.now() != "000000" else "111111"})
    client.post("/login/two-factor", data={"code": codes[0]})
    clock.shift(30)
    client.post("/account/two-factor/disable", data={"password": PASSWORD})
    with app.app_context():
        events = db.session.scalars(
            sa.select(SecurityLogEntry.event).where(SecurityLogEntry.user_id == editor).order_by(SecurityLogEntry.id)
        ).all()
        subjects = db.session.scalars(sa.select(OutboxMail.subject).order_by(OutboxMail.id)).all()
    assert [e for e in events if e != "signed-in"] == [
        "two-factor-enabled",
        "two-factor-refused",
        "recovery-code-used",
        "two-factor-disabled",
    ]
    assert events.count("signed-in") == 2  # the password step alone is not a sign-in
    assert subjects == [
        "Two-factor sign-in was turned on for your account",
        "Two-factor sign-in was turned off for your account",
    ]


@pytest.mark.parametrize("remember", [True, False])
def test_remember_me_carries_over_from_the_password_step(app, client, enrolled, remember):
    totp, _ = enrolled
    sign_in_with_password(client, **({"remember": "y"} if remember else {}))
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is None  # not before the code
    client.post("/login/two-factor", data={"code": totp.now()})
    assert (client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is not None) is remember


@pytest.mark.app_config(
    RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT_ACCOUNT="3/minute", TWO_FACTOR_RATE_LIMIT_IP="100/minute"
)
def test_codes_are_rate_limited_per_account(app, client, enrolled):
    totp, _ = enrolled
    sign_in_with_password(client)
    for _ in range(3):
        assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 422
    response = client.post("/login/two-factor", data={"code": totp.now()})
    assert response.status_code == 429
    assert "Too many codes tried" in page_text(response)
    other = app.test_client()  # the same account from another address
    other.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    sign_in_with_password(other)
    assert other.post("/login/two-factor", data={"code": totp.now()}).status_code == 429


@pytest.mark.app_config(
    RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT_ACCOUNT="100/minute", TWO_FACTOR_RATE_LIMIT_IP="2/minute"
)
def test_codes_are_rate_limited_per_client(client, enrolled):
    totp, _ = enrolled
    sign_in_with_password(client)
    for _ in range(2):
        assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 422
    assert client.post("/login/two-factor", data={"code": totp.now()}).status_code == 429


def sign_in_fully(client, totp) -> None:
    sign_in_with_password(client)
    assert client.post("/login/two-factor", data={"code": totp.now()}).status_code == 303


def test_turning_off_needs_the_password_or_a_code(app, client, enrolled, clock):
    totp, _ = enrolled
    sign_in_fully(client, totp)
    assert client.post("/account/two-factor/disable", data={}).status_code == 422
    wrong = client.post("/account/two-factor/disable", data={"password": "guess"})
    assert wrong.status_code == 422 and "That password is not right" in page_text(wrong)
    assert client.post("/account/two-factor/disable", data={"code": totp.now()}).status_code == 422  # used: replay
    clock.shift(30)
    response = client.post("/account/two-factor/disable", data={"code": totp.now()})
    assert response.status_code == 303
    assert "Two-factor sign-in is off" in page_text(client.get("/account/two-factor"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    client.post("/logout")
    assert sign_in_with_password(client).headers["Location"] == "/moderation/"


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    totp, old = enrolled
    sign_in_fully(client, totp)
    response = client.post("/account/two-factor/recovery-codes", data={"password": PASSWORD})
    assert response.status_code == 200
    new = parse(response).xpath("//ul[@class='recovery-codes']//code/text()")
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    sign_in_with_password(client)
    assert client.post("/login/two-factor", data={"code": old[0]}).status_code == 422
    assert client.post("/login/two-factor", data={"code": new[0]}).status_code == 303


@pytest.mark.app_config(
    RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT_ACCOUNT="2/minute", TWO_FACTOR_RATE_LIMIT_IP="100/minute"
)
def test_guessing_the_password_to_turn_it_off_is_rate_limited(client, enrolled):
    sign_in_fully(client, enrolled[0])
    for _ in range(2):
        assert client.post("/account/two-factor/disable", data={"password": "guess"}).status_code == 422
    response = client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert response.status_code == 429 and "Too many codes tried" in page_text(response)


def test_admins_must_set_it_up_when_the_site_requires_it(app, client, make_user, clock):
    make_user("Ada Admin", role="admin", email="ada@example.org", password=PASSWORD)
    make_user("Ned Editor", role="editor", email="ned@example.org", password=PASSWORD)
    set_settings(app, require_two_factor_admins=True)

    editor = app.test_client()
    sign_in_with_password(editor, "ned@example.org")
    assert editor.get("/moderation/").status_code == 200  # the rule is for admins

    assert sign_in_with_password(client, "ada@example.org").status_code == 303
    for url in ("/account/profile", "/editorial/settings", "/", "/moderation/"):
        response = client.get(url)
        assert response.status_code == 303 and response.headers["Location"] == "/account/two-factor", url
    assert client.post("/editorial/settings", data={"require_two_factor_admins": ""}).status_code == 303
    assert "requires two-factor sign-in for admins" in page_text(client.get("/account/two-factor"))
    stylesheet = client.get("/static/site.css")
    stylesheet.close()
    assert stylesheet.status_code == 200
    enrol(client)
    assert client.get("/editorial/settings").status_code == 200
    assert client.post("/logout").status_code == 303


def test_admins_switch_the_rule_on_the_settings_page(app, client, sign_in):
    sign_in("admin")
    page = parse(client.get("/editorial/settings"))
    assert page.xpath("//input[@name='require_two_factor_admins']/@checked") == []
    fields = {"max_links": "2", "thread_depth": "5", "comments_per_page": "50", "edit_window_minutes": "10"}
    response = client.post("/editorial/settings", data={**fields, "require_two_factor_admins": "y"})
    assert response.status_code == 303
    with app.app_context():
        from blog.services.site import get_settings

        assert get_settings().require_two_factor_admins is True
    assert client.get("/editorial/settings").headers["Location"] == "/account/two-factor"


def test_a_new_secret_key_kept_in_the_fallbacks_keeps_codes_working(app, client, enrolled):
    totp, _ = enrolled
    with app.app_context():
        sealed = db.session.scalar(sa.select(TwoFactor.secret_encrypted))
    app.config.update(SECRET_KEY="rotated-secret", SECRET_KEY_FALLBACKS=["test-secret"])
    sign_in_fully(client, totp)
    with app.app_context():
        assert db.session.scalar(sa.select(TwoFactor.secret_encrypted)) != sealed  # sealed again, under the new key
    client.post("/logout")
    app.config.update(SECRET_KEY_FALLBACKS=[])
    sign_in_with_password(client)
    assert (
        client.post("/login/two-factor", data={"code": totp.at(datetime.now(UTC).timestamp() + 30)}).status_code == 303
    )


def test_without_the_old_secret_key_the_recovery_codes_still_sign_in(app, client, enrolled):
    totp, codes = enrolled
    app.config.update(SECRET_KEY="rotated-secret")
    sign_in_with_password(client)
    assert client.post("/login/two-factor", data={"code": totp.now()}).status_code == 422  # not a 500
    assert client.post("/login/two-factor", data={"code": codes[0]}).status_code == 303
    assert client.post("/account/two-factor/disable", data={"password": PASSWORD}).status_code == 303
    totp, _ = enrol(client)  # set up again, with a secret sealed under the new key


def test_a_deactivated_account_cannot_finish_signing_in(app, client, enrolled, editor):
    totp, _ = enrolled
    sign_in_with_password(client)
    with app.app_context():
        db.session.get(User, editor).is_active = False
        db.session.commit()
    assert client.post("/login/two-factor", data={"code": totp.now()}).headers["Location"] == "/login"
    assert not signed_in(client)


def test_erasing_a_staff_account_removes_its_second_factor(app, client, enrolled, editor, make_user):
    make_user("Ada Admin", role="admin", email="ada@example.org", password=PASSWORD)
    admin = app.test_client()
    sign_in_with_password(admin, "ada@example.org")
    answer = admin.post("/editorial/personal-data/erase", data={"email": EMAIL, "mode": "anonymise", "confirm": "y"})
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.get(TwoFactor, editor) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_a_waiting_set_up_whose_key_is_gone_starts_afresh(app, client, editor, clock):
    sign_in_with_password(client)
    client.post("/account/two-factor/enrol")
    app.config.update(SECRET_KEY="rotated-secret")  # signs the client out: sign in again
    sign_in_with_password(client)
    page = parse(client.get("/account/two-factor"))
    assert page.xpath("//code[@id='two-factor-secret']") == []
    assert page.xpath("//form[@action='/account/two-factor/enrol']//button/text()") == ["Set up two-factor sign-in"]
    enrol(client)
