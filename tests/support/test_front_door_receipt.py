"""Delivery is told truthfully: "sent" at once, "received by the front door" only once the front door's
system has the record (its webhook accepted it, or it pulled it) or a clinician has opened it. With no
webhook, staff are told what that means, not shown an alarm."""

from __future__ import annotations

from tests.support.helpers import send
from webapp.extensions import db
from webapp.support import delivery, service

BASE = "/api/v1/front-door/requests"


def _track(app, reference: str) -> str:
    browser = app.test_client()
    browser.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    return browser.get(f"/track/{reference}").get_data(as_text=True)


def _received(reference: str) -> bool:
    db.session.expire_all()
    return service.by_reference(reference).front_door_received_at is not None


def test_with_no_webhook_and_nobody_pulling_the_requester_is_told_sent_never_received(app, client, services):
    app.config["FRONT_DOOR_WEBHOOK_URL"] = ""
    reference, _ = send(client, "parent")
    delivery.deliver_due()
    page = _track(app, reference)
    assert "Now: Sent" in page and "Your request has been sent to the Integrated Front Door." in page
    assert "Received by the front door" not in page and "reached" not in page
    assert not _received(reference)


def test_a_webhook_that_accepts_the_record_makes_it_received(app, client, services, receiver, frozen_clock):
    reference, _ = send(client, "parent")
    receiver.fail_next = [503]
    delivery.deliver_due()
    assert not _received(reference)  # refused: still only sent
    from datetime import timedelta

    from webapp import clock

    clock.advance(timedelta(minutes=2))
    delivery.deliver_due()
    assert _received(reference)
    page = _track(app, reference)
    assert "Now: Received by the front door" in page and "The Integrated Front Door has your request." in page


def test_a_pull_through_the_api_makes_it_received(app, client, services, api_token):
    app.config["FRONT_DOOR_WEBHOOK_URL"] = ""
    first, _ = send(client, "parent")
    second, _ = send(app.test_client(), "parent")
    headers = {"Authorization": f"Bearer {api_token}"}
    assert client.get(f"{BASE}/{first}", headers=headers).status_code == 200
    assert _received(first) and not _received(second)
    assert client.get(BASE, headers=headers).status_code == 200
    assert _received(second)


def test_a_clinician_opening_it_makes_it_received(app, client, services, make_user, login):
    app.config["FRONT_DOOR_WEBHOOK_URL"] = ""
    reference, _ = send(client, "parent")
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    queue = staff.get("/staff/requests/").get_data(as_text=True)
    assert "No webhook is set" in queue and "notice--error" not in queue  # explained, not an alarm
    assert not _received(reference)  # seeing it listed is not opening it
    staff.get(f"/staff/requests/{reference}")
    assert _received(reference)


def test_with_a_webhook_an_undelivered_record_is_an_alarm(app, client, services, receiver, make_user, login):
    send(client, "parent")
    receiver.fail_next = [503]
    delivery.deliver_due()
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    queue = staff.get("/staff/requests/").get_data(as_text=True)
    assert "notice--error" in queue and "1 record has not reached the front door's system yet." in queue
