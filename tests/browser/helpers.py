"""What a person does in the browser, as plain functions over a Playwright page (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = "4.14.1"
SERIOUS = {"serious", "critical"}

# Describes the focused element and whether a person can see where the focus is.
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "",
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
    formaction: el.getAttribute("formaction") || "",
    visible: el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    expect(page.locator(".staff-bar")).to_be_visible()


def fill_comment(
    page: Page,
    *,
    body: str,
    name: str | None = None,
    email: str | None = None,
    remember: bool = False,
    notify: bool = False,
) -> None:
    """Fill in the comment form (name and email left as they are when not given) and send it."""
    page.fill("#body", body)
    if name is not None:
        page.fill("#name", name)
    if email is not None:
        page.fill("#email", email)
    if remember:
        page.check("#remember")
    if notify:
        page.check("#notify")
    page.click("form.comment-form button[type=submit]")
    page.wait_for_load_state()


def comment_item(page: Page, body: str):
    """The ``li.comment`` whose text is ``body``."""
    return page.locator("li.comment", has=page.locator(".comment-body", has_text=body))


def comment_id_from_url(page: Page) -> int:
    match = re.search(r"#comment-(\d+)$", page.url)
    assert match, f"expected to land on the new comment, got {page.url}"
    return int(match.group(1))


def focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED)


def tab_to(page: Page, wanted, *, limit: int = 200, backwards: bool = False) -> list[dict]:
    """Press Tab until ``wanted(focused element)`` holds; every element passed must show its focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        here = focused(page)
        passed.append(here)
        if here["tag"] != "body" and not here["visible"]:
            raise AssertionError(f"focus is not visible on {here}")
        if wanted(here):
            return passed
    raise AssertionError(f"not reached with {limit} presses of Tab; passed {passed[-10:]}")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now (the CSP stays in force)."""
    page.evaluate(AXE_SOURCE)
    assert page.evaluate("axe.version") == AXE_VERSION
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [n["target"] for n in v["nodes"]][:5],
            "why": v["nodes"][0]["failureSummary"],
        }
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=2)
