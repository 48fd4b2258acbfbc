"""Delivery to a local HTTP receiver that checks the signature: first try, after a 500, after an
outage, and duplicates suppressed by Idempotency-Key. Nothing is ever dropped."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.support.helpers import send
from webapp import clock
from webapp.extensions import db
from webapp.outbox import PENDING, SENT
from webapp.support import delivery
from webapp.support.models import FrontDoorDelivery


def _row() -> FrontDoorDelivery:
    db.session.expire_all()
    return db.session.scalar(select(FrontDoorDelivery).order_by(FrontDoorDelivery.id))


def test_delivered_on_the_first_try_signed_and_keyed(client, services, receiver, frozen_clock):
    reference, _ = send(client, "parent")
    assert delivery.deliver_due() == 1
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1
    got = receiver.received[0]
    assert got["key"] == reference and got["bundle"]["identifier"]["value"] == reference
    assert got["bundle"] == json.loads(_row().body)  # exactly what was stored is what was sent
    assert _row().status == SENT and _row().last_status_code == 201


def test_a_500_is_retried_after_a_minute_then_delivered(client, services, receiver, frozen_clock):
    send(client, "parent")
    receiver.fail_next = [500]
    assert delivery.deliver_due() == 0
    row = _row()
    assert row.status == PENDING and row.attempts == 1 and row.last_error == "HTTP 500"
    assert row.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert delivery.deliver_due() == 0  # not due yet
    clock.advance(timedelta(minutes=1))
    assert delivery.deliver_due() == 1 and len(receiver.received) == 1


def test_backoff_grows_then_stays_at_twelve_hours():
    assert [delivery.delay_after(n) for n in range(1, 8)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=12), timedelta(hours=12), timedelta(hours=12)]


def test_a_receiver_down_for_days_gets_everything_later_and_staff_see_it_waiting(
        client, services, receiver, frozen_clock, make_user, login):
    app = client.application
    send(client, "parent")
    real_url = app.config["FRONT_DOOR_WEBHOOK_URL"]
    app.config["FRONT_DOOR_WEBHOOK_URL"] = "http://127.0.0.1:9/nothing-listens-here"
    for _ in range(12):  # three days of failing
        delivery.deliver_due()
        clock.advance(timedelta(hours=6))
    row = _row()
    assert row.status == PENDING and row.attempts >= 6  # never given up on
    staff = app.test_client()
    clinician = make_user(role="clinician")
    login(staff, clinician)
    page = staff.get("/staff/requests/undelivered").get_data(as_text=True)
    assert row.request.reference in page and "3 days" in page
    assert "1 record has not reached" in staff.get("/staff/requests/").get_data(as_text=True)
    app.config["FRONT_DOOR_WEBHOOK_URL"] = real_url
    clock.advance(timedelta(hours=12))
    assert delivery.deliver_due() == 1 and len(receiver.received) == 1
    staff = app.test_client()  # staff sessions end after some hours: sign in again
    login(staff, clinician)
    assert "Everything has been delivered." in staff.get("/staff/requests/undelivered").get_data(as_text=True)


def test_a_repeat_is_suppressed_by_its_idempotency_key(client, services, receiver, frozen_clock):
    reference, _ = send(client, "parent")
    delivery.deliver_due()
    row = _row()  # as if the answer was lost and the worker sent it again
    row.status, row.next_attempt_at = PENDING, clock.now()
    db.session.commit()
    delivery.deliver_due()
    assert receiver.duplicates == 1 and [r["key"] for r in receiver.received] == [reference]


def test_updates_have_their_own_key_and_never_overtake_the_record(client, services, receiver, frozen_clock):
    reference, _ = send(client, "parent")
    receiver.fail_next = [503]
    delivery.deliver_due()  # the first record fails
    client.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    client.post_form(f"/track/{reference}/worse", {"what_changed": "Not sleeping at all now"})
    assert delivery.deliver_due() == 0  # the update waits behind the record, which is not due yet
    clock.advance(timedelta(minutes=2))
    delivery.deliver_due()
    clock.advance(timedelta(minutes=2))
    delivery.deliver_due()
    assert [r["key"] for r in receiver.received] == [reference, f"{reference}-U1"]
    assert [r["reference"] for r in receiver.received] == [reference, reference]
    update_bundle = receiver.received[1]["bundle"]
    assert update_bundle["identifier"]["value"] == f"{reference}-U1"
    notes = [e["resource"] for e in update_bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"][0]
    assert "Not sleeping at all now" in notes["note"][0]["text"]


def test_no_webhook_configured_leaves_records_for_the_pull_api(client, services, app, frozen_clock):
    app.config["FRONT_DOOR_WEBHOOK_URL"] = ""
    send(client, "parent")
    assert delivery.deliver_due() == 0 and _row().status == PENDING
