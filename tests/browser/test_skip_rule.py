"""Without Chromium the browser tests are skipped with a reason, except in CI, where that is a failure."""

from __future__ import annotations

import pytest

from tests.browser import conftest as harness


def test_a_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(harness, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(harness, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match=r"Chromium not installed .* \(apt-get install chromium\)"):
        harness.chromium_or_skip()
    monkeypatch.setattr(harness, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        harness.chromium_or_skip()
