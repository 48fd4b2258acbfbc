"""One bar of signal (issue 15, item 10): a kept page is shown from its copy when the network stalls,
within a few seconds (sooner for help now), not only when the browser gives up; navigation preload
is on. The connection stalls in the app itself (answers held back until the test lets them go), so
Chromium sees exactly what a phone with one bar sees: a request sent and nothing coming back."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import first_visit

STALLED = ("/help-now", "/self-help/tools/breathing")


@pytest.fixture
def stall(app, monkeypatch):
    """Hold back every answer for STALLED pages until the test ends."""
    release = threading.Event()
    wsgi = app.wsgi_app

    def stalling(environ, start_response):
        if environ.get("PATH_INFO") in STALLED:
            release.wait(timeout=30)
        return wsgi(environ, start_response)

    def start():
        monkeypatch.setattr(app, "wsgi_app", stalling)

    yield start
    release.set()


@pytest.mark.slow
def test_a_stalled_page_is_shown_from_its_copy_within_seconds(persistent_context, stall):
    page, _packs = first_visit(persistent_context, "/self-help/")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.navigationPreload.getState())"
                         ".then((state) => state.enabled)")
    stall()
    started = time.monotonic()
    page.goto("/help-now", timeout=8000)
    expect(page.get_by_role("link", name="Call 999").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    urgent = time.monotonic() - started
    assert urgent < 3, urgent  # help now: about a second

    started = time.monotonic()
    page.goto("/self-help/tools/breathing", timeout=8000)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    waited = time.monotonic() - started
    assert 2 < waited < 6, waited  # a few seconds, long before the browser would give up
