"""Fixtures for push tests: a local push service (a real HTTP server) and fake browsers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notifications.push_service import LocalPushService
from webapp import clock


@pytest.fixture
def push_service(app) -> Iterator[LocalPushService]:
    service = LocalPushService(now=clock.now).start()
    # A fresh client per test: no VAPID token kept from another test's clock.
    app.extensions.pop("flourish_push_client", None)
    yield service
    service.stop()
    app.extensions.pop("flourish_push_client", None)


@pytest.fixture
def device(push_service, db):
    """A fake browser subscribed for a person: `device(user)` returns the FakeBrowser."""
    from webapp.notifications import devices

    def make(user):
        browser = push_service.new_browser()
        devices.subscribe(user.id, browser.subscription, devices.EndpointRules(False, None),
                          "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36")
        db.session.commit()
        return browser

    return make
