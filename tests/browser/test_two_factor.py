"""Two-factor sign-in in Chromium: set it up (the QR code inline, no CSP refusal), sign out, sign in with a code."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, describe, sign_in
from tests.conftest import PASSWORD

DATABASE = "postgresql"  # two-factor sign-in on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


def test_editor_sets_up_two_factor_then_signs_in_with_a_code(new_context, live_server):
    editor = live_server.user("Jenna Polglase", role="editor")
    page = new_context().new_page()
    # The server's clock (this process) moves on a step between setting up and signing in: a code is
    # accepted once, so the sign-in needs the next one. Chromium keeps the real clock.
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        sign_in(page, editor.email)
        page.locator(".staff-bar").get_by_role("link", name="My profile").click()
        page.get_by_role("link", name="Set up two-factor sign-in").click()
        expect(page).to_have_url("/account/two-factor")
        page.get_by_role("button", name="Set up two-factor sign-in").click()

        qr = page.locator("figure.qr-code svg")
        expect(qr).to_be_visible()
        width, height = qr.evaluate("svg => [svg.getBoundingClientRect().width, svg.getBoundingClientRect().height]")
        assert width == height and width >= 150, "the QR code is drawn, square"
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        secret = "".join(page.locator("#two-factor-secret").inner_text().split())
        app = pyotp.TOTP(secret)
        page.locator("#code").fill(app.now())
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="I have saved them").click()
        expect(page.locator("main")).to_contain_text("unused recovery codes left")

        page.locator(".staff-bar").get_by_role("button", name="Sign out").click()
        expect(page.locator(".staff-bar")).to_have_count(0)
        clock.shift(30)

        page.goto("/login")
        page.fill("#email", editor.email)
        page.fill("#password", PASSWORD)
        page.click("form.stack-form button[type=submit]")
        expect(page).to_have_url("/login/two-factor")
        expect(page.locator(".staff-bar")).to_have_count(0)  # not signed in on the password alone
        code = page.locator("#code")
        expect(code).to_be_focused()
        code.fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".error-message")).to_contain_text("That code is not right")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.locator("#code").fill(app.at(datetime.now(UTC)))
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".staff-bar")).to_be_visible()
        expect(page.locator(".flashes")).to_contain_text("Welcome back, Jenna Polglase.")
