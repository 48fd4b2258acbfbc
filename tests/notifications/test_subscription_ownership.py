"""A push subscription belongs to whoever proves it: moving an endpoint kept for one account to
another needs that subscription's own keys (p256dh and the secret auth), as only the browser holding
it has them; otherwise 409 and the owner keeps their reminders."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from webapp.audit import AuditEvent
from webapp.extensions import db
from webapp.notifications import devices
from webapp.notifications.models import PushSubscription

SUBSCRIPTIONS = "/api/v1/push/subscriptions"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/shared-phone-0001"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_keys() -> dict[str, str]:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


def subscription(keys: dict[str, str], endpoint: str = ENDPOINT) -> dict:
    return {"endpoint": endpoint, "expirationTime": None, "keys": keys}


def owners() -> list[int]:
    db.session.expire_all()
    return [row.user_id for row in db.session.scalars(select(PushSubscription))]


@pytest.fixture
def signed_in(app, make_user, login):
    def make(**fields):
        user = make_user(**fields)
        client = app.test_client()
        login(client, user)
        return user, client

    return make


def test_a_shared_phones_new_owner_resubscribing_with_the_browsers_keys_takes_it(signed_in):
    keys = new_keys()
    first, first_client = signed_in()
    assert first_client.post_json(SUBSCRIPTIONS, subscription(keys)).status_code == 201
    second, second_client = signed_in()
    moved = second_client.post_json(SUBSCRIPTIONS, subscription(keys))  # the same browser: the same keys
    assert moved.status_code == 201
    assert owners() == [second.id]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "push.device_moved"))


HOSTILE_KEYS = {
    "made-up keys": lambda real: new_keys(),
    "the right p256dh, a made-up auth": lambda real: {**new_keys(), "p256dh": real["p256dh"]},
    "the right auth, a made-up p256dh": lambda real: {**new_keys(), "auth": real["auth"]},
    "the right keys with padding and a made-up auth": lambda real: {"p256dh": real["p256dh"] + "=",
                                                                    "auth": new_keys()["auth"] + "=="},
}


@pytest.mark.parametrize("keys_for", HOSTILE_KEYS.values(), ids=HOSTILE_KEYS.keys())
def test_knowing_the_endpoint_is_not_enough_to_take_it(signed_in, keys_for):
    real = new_keys()
    owner, owner_client = signed_in()
    assert owner_client.post_json(SUBSCRIPTIONS, subscription(real)).status_code == 201
    thief, thief_client = signed_in()
    refused = thief_client.post_json(SUBSCRIPTIONS, subscription(keys_for(real)))
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "subscription_conflict" and refused.get_json()["field"] == "keys"
    assert owners() == [owner.id]  # the owner's reminders carry on
    kept = db.session.scalar(select(PushSubscription))
    assert (kept.p256dh, kept.auth) == (real["p256dh"], real["auth"])  # and their keys are untouched
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "push.device_move_refused"))
    assert refusal.actor_id == thief.id and refusal.subject_id == str(kept.id)


def test_the_owner_may_send_their_own_subscription_again(signed_in):
    keys = new_keys()
    owner, client = signed_in()
    assert client.post_json(SUBSCRIPTIONS, subscription(keys)).status_code == 201
    assert client.post_json(SUBSCRIPTIONS, subscription(keys)).status_code == 200
    assert owners() == [owner.id]


def test_the_rule_holds_in_the_service_too(app, make_user):
    keys = new_keys()
    owner, other = make_user(), make_user()
    rules = devices.EndpointRules(https_only=True, allowed_hosts=devices.KNOWN_PUSH_SERVICES)
    devices.subscribe(owner.id, subscription(keys), rules)
    db.session.commit()
    with pytest.raises(devices.SubscriptionConflict):
        devices.subscribe(other.id, subscription(new_keys()), rules)
    db.session.rollback()
    moved, added = devices.subscribe(other.id, subscription(keys), rules)
    db.session.commit()
    assert added and moved.user_id == other.id


def test_subscribing_is_rate_limited_per_person(signed_in):
    """Thirty an hour for each person (not per address: a school shares one), so nobody can try
    endpoint after endpoint."""
    _user, client = signed_in()
    answers = [client.post_json(SUBSCRIPTIONS, subscription(new_keys(), f"{ENDPOINT}-{number}")).status_code
               for number in range(31)]
    assert answers == [201] * 30 + [429]
    _other, other_client = signed_in()
    assert other_client.post_json(SUBSCRIPTIONS, subscription(new_keys(), f"{ENDPOINT}-x")).status_code == 201


HOSTILE_STRINGS = ["\x00", "\r\nX-Injected: 1", "\x1b[31m", "\u202e", "'; DROP TABLE push_subscriptions; --",
                   "<script>alert('flourish')</script>", "😀" * 300, "https://fcm.googleapis.com/fcm/send/\x00abc"]


@pytest.mark.parametrize("value", HOSTILE_STRINGS)
def test_hostile_strings_in_a_subscription_are_refused_never_stored(signed_in, value):
    """The JSON API does not drop control characters as forms do: it refuses them (400), in any field."""
    _user, client = signed_in()
    keys = new_keys()
    for body in (subscription(keys, value), subscription({**keys, "p256dh": value}),
                 subscription({**keys, "auth": value}), {**subscription(keys), "keys": value}):
        response = client.post_json(SUBSCRIPTIONS, body)
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_subscription", body
    assert owners() == []


@pytest.mark.parametrize("value", ["https://fcm.googleapis.com/fcm/send/\x00abc", "https://x.example/\x1b[31m",
                                   "https://x.example/a b"])
def test_turning_off_with_a_hostile_endpoint_is_refused(signed_in, value):
    _user, client = signed_in()
    response = client.post_json(SUBSCRIPTIONS, {"endpoint": value}, method="DELETE")
    assert response.status_code == 400 and response.get_json()["field"] == "endpoint"
