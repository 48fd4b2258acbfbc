"""Fixtures for messaging tests: the Notify stand-in (a real HTTP server speaking Notify's API) on a
free port, sending its delivery receipts to the app served by `live_server`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webapp.messaging.standin import NotifyStandIn


@pytest.fixture
def notify(app, live_server) -> Iterator[NotifyStandIn]:
    standin = NotifyStandIn(app.config["NOTIFY_API_KEY"], f"{live_server.url}/api/v1/notify/callback",
                            app.config["NOTIFY_CALLBACK_TOKEN"], callback_delay=0).start()
    before = app.config["NOTIFY_BASE_URL"]
    app.config["NOTIFY_BASE_URL"] = standin.url
    yield standin
    standin.wait_for_callbacks()
    standin.stop()
    app.config["NOTIFY_BASE_URL"] = before


@pytest.fixture
def send(app):
    """One pass of the worker's messaging job, then a fresh session (as the next request would have)."""
    from webapp.extensions import db
    from webapp.messaging import sender

    def run() -> int:
        handled = sender.send_due()
        db.session.commit()
        db.session.remove()
        return handled

    return run
