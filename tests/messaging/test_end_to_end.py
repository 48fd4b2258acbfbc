"""End to end against the Notify stand-in (a real HTTP server speaking Notify's API, checking our JWT):
the worker sends with the official client, the stand-in sends its receipts to the app over HTTP."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.support.helpers import send as send_request
from webapp import clock
from webapp.extensions import db
from webapp.messaging import service
from webapp.messaging.models import DELIVERED, PERMANENT_FAILURE, Message
from webapp.support import service as support
from webapp.support.models import SupportRequest


def _messages() -> list[Message]:
    db.session.remove()
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def _wait(notify, count: int) -> None:
    """Until the stand-in's receipts for `count` messages have been accepted by the app."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        notify.wait_for_callbacks()
        if sum(1 for message in notify.received if message.callbacks) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("receipts did not arrive")


def test_a_parent_without_an_account_gets_each_status_change_as_a_discreet_text(client, notify, send):
    reference, _draft = send_request(client, "parent", {"contact": {"updates_text": "y"}})
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    assert req.requester_user_id is None
    request_id = req.id
    for status in ("triaged", "allocated"):
        support.move(db.session.get(SupportRequest, request_id), status, actor="front_door", deliver=False)
        db.session.commit()
        assert send() == 1
    _wait(notify, 2)
    texts = [m for m in notify.received if m.type == "sms"]
    assert [m.to for m in texts] == ["+447700900123", "+447700900123"]
    for text in texts:
        assert text.body.startswith("You have a new message. Open the app or visit ")
        assert text.body.endswith("/track")
        assert "Flourish" not in text.body and reference not in text.body  # discreet: nothing about what it is
    assert [(m.channel, m.status, m.outcome) for m in _messages()] == [("sms", "sent", DELIVERED)] * 2


def test_a_text_that_fails_for_good_is_followed_by_an_email_then_a_letter(client, notify, send):
    reference, _draft = send_request(client, "parent", {"contact": {
        "phone": "07700 900002", "email": "perm-fail@simulator.notify", "can_letter": "y",
        "address": "Alex Morgan\n1 Elm Road\nNorwich\nNR1 3SR",
        "updates_text": "y", "updates_email": "y", "updates_letter": "y", "updates_first": "sms"}})
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    support.move(req, "triaged", actor="front_door", deliver=False)
    db.session.commit()
    for count in (1, 2, 3):  # each receipt (over HTTP) queues the next channel; a pass sends it
        send()
        _wait(notify, count)
    assert [m.type for m in notify.received] == ["sms", "email", "letter"]
    letter = notify.received[2]
    assert letter.personalisation["address_line_1"] == "Alex Morgan"
    assert letter.personalisation["address_line_4"] == "NR1 3SR"
    assert "Flourish" not in letter.body + letter.subject  # nothing on or in the envelope names the service
    rows = _messages()
    assert [(m.channel, m.outcome) for m in rows] == [("sms", PERMANENT_FAILURE), ("email", PERMANENT_FAILURE),
                                                      ("letter", DELIVERED)]
    assert len({m.notice for m in rows}) == 1
    assert send() == 0  # nothing more to send: no channel twice


def test_a_code_goes_at_once_in_the_persons_language_and_staff_see_its_receipt(
        app, client, notify, send, make_user, login):
    row = service.send_to_address(channel="email", to="someone@example.org", template="verify_code",
                                  personalisation={"code": "123456"}, language="en", reference="code-1")
    db.session.commit()
    row_id = row.id
    assert send() == 1
    _wait(notify, 1)
    [received] = notify.received
    assert received.reference == "code-1" and received.to == "someone@example.org"
    assert "123456" in received.body and received.subject
    stored = db.session.get(Message, row_id)
    assert stored.notify_id == received.id and stored.outcome == DELIVERED

    admin = make_user("admin")
    login(client, admin)
    page = client.get("/staff/messages").get_data(as_text=True)
    assert f'data-message="{row_id}"' in page and 'data-state="delivered"' in page
    assert "someone@example.org" not in page and "123456" not in page


def test_quiet_hours_hold_texts_for_a_requester_but_never_a_letter(app, notify, send):
    late = datetime(2026, 6, 15, 22, 30, tzinfo=UTC)  # 23:30 in London
    clock.freeze(late)
    sms = service.queue(channel="sms", to="07700900123", template="discreet_news", personalisation={"link": "x"},
                        language="en", quiet_hours=True)
    letter = service.queue(channel="letter", to={"lines": ["A", "B"], "postcode": "NR1 3SR"},
                           template="discreet_news", personalisation={"link": "x"}, language="en", quiet_hours=True)
    db.session.commit()
    sms_id, letter_id = sms.id, letter.id
    send()
    held, posted = db.session.get(Message, sms_id), db.session.get(Message, letter_id)
    assert held.status == "pending" and held.next_attempt_at == datetime(2026, 6, 16, 7, 0, tzinfo=UTC)
    assert posted.status == "sent"
    assert [m.type for m in notify.received] == ["letter"]


def test_the_stand_in_refuses_a_key_that_is_not_ours(app, notify, send):
    real = app.config["NOTIFY_API_KEY"]
    app.config["NOTIFY_API_KEY"] = f"other-{uuid.uuid4()}-{uuid.uuid4()}"
    try:
        row = service.send_to_address(channel="sms", to="07700900123", template="verify_code",
                                      personalisation={"code": "1"}, language="en")
        db.session.commit()
        row_id = row.id
        send()
    finally:
        app.config["NOTIFY_API_KEY"] = real
    stored = db.session.get(Message, row_id)
    assert stored.status == "pending" and "403" in stored.last_error  # waits for a good key, never failed
    assert notify.received == []


def test_the_stand_in_tells_the_time_by_the_one_clock(frozen_clock, notify, send):
    """Its messages' times and its receipts' come from `webapp.clock`, as every time in the app does."""
    from webapp.messaging import admin

    service.send_to_address(channel="sms", to="07700900123", template="verify_code", personalisation={"code": "1"},
                            language="en")
    db.session.commit()
    send()
    frozen_clock.advance(timedelta(minutes=3))
    [message] = notify.received
    assert message.created_at == clock.now() - timedelta(minutes=3)
    [listed], problem = admin.standin_messages()  # as /dev/messages asks for them
    assert problem is None and listed["created_at"] == "2026-06-15T11:00:00Z"
    receipt = notify.receipt(message)
    assert receipt["created_at"] == "2026-06-15T11:00:00Z"
    assert receipt["completed_at"] == receipt["sent_at"] == "2026-06-15T11:03:00Z"


def test_a_check_in_reaches_a_requester_without_an_account_by_the_way_they_allowed(client, notify, send, make_user):
    from webapp.checkins import service as checkins

    reference, _draft = send_request(client, "parent", {"contact": {"email": "parent@example.org",
                                                                    "updates_email": "y"}})
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    checkins.ask_now(req, make_user("clinician"))
    db.session.commit()
    send()
    _wait(notify, 1)
    [email] = notify.received
    assert email.type == "email" and email.to == "parent@example.org"
    assert email.body.startswith("You have a new message") and "/track" in email.body
    assert [(m.template, m.subject_type) for m in _messages()] == [("discreet_news", "wait_check_in")]
