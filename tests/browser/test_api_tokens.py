"""Personal access tokens in Chromium: make one on the profile page, use it on the staff API, revoke it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, describe, sign_in

DATABASE = "postgresql"  # personal access tokens on the production path; the app tests cover both (conftest)

pytestmark = pytest.mark.browser


def api_status(base: str, token: str) -> int:
    url = f"{base}/api/v1/moderation/comments"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310  (our server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (our own loopback server)
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_editor_makes_uses_and_revokes_a_token(new_context, live_server):
    editor = live_server.user("Tamsin Vell", role="editor")
    page = new_context().new_page()
    sign_in(page, editor.email)
    page.locator(".staff-bar").get_by_role("link", name="My profile").click()
    tokens = page.locator("#api-tokens")
    expect(tokens).to_contain_text("You have no API tokens.")
    tokens.get_by_label("Token name").fill("desk script")
    tokens.get_by_label("moderate — the moderation queue and its actions").check()
    tokens.get_by_role("button", name="Make a token").click()

    secret = page.locator(".token-secret").inner_text().strip()
    assert secret.startswith("cbt_")
    expect(page.locator("#new-token")).to_contain_text("shown this once")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert api_status(live_server.url, secret) == 200

    page.goto("/account/profile")
    expect(page.locator(".token-secret")).to_have_count(0)  # never shown again
    row = page.locator(".token-list tr", has_text="desk script")
    expect(row).to_contain_text("read moderate")
    row.get_by_role("button", name="Revoke desk script").click()
    expect(page.locator(".flash")).to_contain_text("has been revoked")
    expect(page.locator("#api-tokens")).to_contain_text("You have no API tokens.")
    assert api_status(live_server.url, secret) == 401
