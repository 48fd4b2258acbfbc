"""Rotating the front door's API token and webhook secret without downtime (docs/deploy.md): during a
rotation both tokens are accepted, and each record is signed with the new secret and the old one, so
neither side has to switch at the same moment as the other."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.support.conftest import Receiver
from tests.support.helpers import send
from webapp.support import delivery

OLD, NEW = "old-secret-0123456789abcdef", "new-secret-fedcba9876543210"
OLD_TOKEN, NEW_TOKEN = "old-token-0123456789abcdef", "new-token-fedcba9876543210"


class OneSecretReceiver(Receiver):
    """The front door's side during a rotation: it holds one secret at a time and accepts a record
    whose `X-Flourish-Signature` or `X-Flourish-Signature-Previous` matches it."""

    def handle(self, body: bytes, headers) -> int:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        for name in ("X-Flourish-Signature", "X-Flourish-Signature-Previous"):
            if hmac.compare_digest(headers.get(name, ""), expected):
                checked = dict(headers.items())
                checked["X-Flourish-Signature"] = expected
                return super().handle(body, checked)
        with self.lock:
            self.bad_signatures += 1
        return 401


@pytest.fixture
def front_door(app, monkeypatch):
    receiver = OneSecretReceiver(OLD)
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_URL", receiver.url)
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_SECRET", OLD)
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS", "")
    yield receiver
    receiver.stop()


def test_the_webhook_secret_is_rotated_without_a_record_refused(app, client, services, front_door, frozen_clock):
    send(client, "parent")
    assert delivery.deliver_due() == 1  # before: the old secret on both sides

    # 1. Flourish signs with the new secret, and the old one in the second header.
    app.config.update(FRONT_DOOR_WEBHOOK_SECRET=NEW, FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS=OLD)
    send(client, "parent")
    assert delivery.deliver_due() == 1  # the front door still holds the old secret: accepted
    # 2. The front door switches to the new secret whenever it likes.
    front_door.secret = NEW
    send(client, "parent")
    assert delivery.deliver_due() == 1
    # 3. The old secret is dropped: one signature again, the contract's.
    app.config["FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS"] = ""
    send(client, "parent")
    assert delivery.deliver_due() == 1

    assert front_door.bad_signatures == 0 and len(front_door.received) == 4


def test_during_a_rotation_the_contract_s_header_carries_the_new_secret(app, services, client, receiver,
                                                                       frozen_clock):
    """A receiver that checks only `X-Flourish-Signature` (as ARCHITECTURE.md specifies) with the new
    secret accepts every record as soon as Flourish has the new one."""
    app.config["FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS"] = "the-old-one"
    try:
        send(client, "parent")
        assert delivery.deliver_due() == 1 and receiver.bad_signatures == 0
    finally:
        app.config["FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS"] = ""
    with app.test_request_context():
        assert set(delivery.signatures(b"{}")) == {"X-Flourish-Signature"}  # no rotation: one header


def _pull(client, token: str) -> int:
    return client.get("/api/v1/front-door/requests", headers={"Authorization": f"Bearer {token}"}).status_code


def test_the_api_token_is_rotated_without_the_front_door_locked_out(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FRONT_DOOR_API_TOKEN", OLD_TOKEN)
    monkeypatch.setitem(app.config, "FRONT_DOOR_API_TOKEN_PREVIOUS", "")
    assert _pull(client, OLD_TOKEN) == 200 and _pull(client, NEW_TOKEN) == 401

    # During the rotation both are accepted, so the front door switches whenever it likes.
    app.config.update(FRONT_DOOR_API_TOKEN=NEW_TOKEN, FRONT_DOOR_API_TOKEN_PREVIOUS=OLD_TOKEN)
    assert _pull(client, OLD_TOKEN) == 200 and _pull(client, NEW_TOKEN) == 200
    assert _pull(client, "something-else-entirely") == 401 and _pull(client, "") == 401

    # Once it has, the old one is dropped and refused.
    app.config["FRONT_DOOR_API_TOKEN_PREVIOUS"] = ""
    assert _pull(client, NEW_TOKEN) == 200 and _pull(client, OLD_TOKEN) == 401


def test_an_unset_previous_token_never_lets_an_empty_one_in(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FRONT_DOOR_API_TOKEN", NEW_TOKEN)
    monkeypatch.setitem(app.config, "FRONT_DOOR_API_TOKEN_PREVIOUS", "")
    assert client.get("/api/v1/front-door/requests", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/api/v1/front-door/requests").status_code == 401
