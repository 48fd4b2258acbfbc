"""Offers are never lost to sleep or silence (issue 15, item 5; hazard H40).

A freed place is offered only to someone who can be told; the hold starts when the offer is sent
(after quiet hours) and lasts 30 minutes from then; with no way to tell them the next person is
offered. Runs against the local push service, on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.notifications.push_service import Answer
from webapp import clock
from webapp.bookings import service, waiting_list
from webapp.bookings.models import OFFER_EXPIRED, OFFERED, WAITING, Slot, WaitingListEntry
from webapp.extensions import db
from webapp.notifications import devices, sender
from webapp.notifications.models import PLACE_OFFER, ScheduledNotification
from webapp.notifications.preferences import update_preferences

FIVE_AM = datetime(2026, 6, 16, 4, 0, tzinfo=UTC)  # Tuesday 05:00 in London (BST), inside quiet hours
EIGHT_AM = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # quiet hours (21:00-08:00) end


@pytest.fixture
def waiting_two(publish, norwich, make_user, app):
    """A full one-place slot (Tuesday 16:00), two people waiting; `free()` cancels the booking."""
    clock.freeze(FIVE_AM - timedelta(days=1))
    session = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 1)[0]
    slot_id = session.slots[0].id
    booker, first, second = (make_user(role="young_person") for _ in range(3))
    service.book(booker, slot_id)
    first_entry = waiting_list.join(first, slot_id)
    clock.advance(timedelta(minutes=1))
    second_entry = waiting_list.join(second, slot_id)
    db.session.commit()

    def free():
        service.cancel(booker, service.my_bookings(booker.id)[0].id)
        db.session.commit()

    yield {"slot_id": slot_id, "first": first, "second": second, "entries": (first_entry.id, second_entry.id),
           "free": free}
    clock.freeze(None)


def _entry(entry_id) -> WaitingListEntry:
    db.session.expire_all()
    return db.session.get(WaitingListEntry, entry_id)


def _offer_rows(entry_id) -> list[ScheduledNotification]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScheduledNotification).where(
        ScheduledNotification.subject_type == "waiting_list", ScheduledNotification.subject_id == str(entry_id))))


def test_a_place_freed_at_five_am_is_held_from_the_end_of_quiet_hours(waiting_two, device, push_service):
    first_phone, _ = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(FIVE_AM)
    waiting_two["free"]()
    assert (_entry(first_id).status, _entry(second_id).status) == (OFFERED, WAITING)
    assert _entry(first_id).offer_expires_at == EIGHT_AM + timedelta(minutes=30)

    sender.send_due()  # quiet hours: nothing goes before 08:00
    assert push_service.received == []
    clock.freeze(EIGHT_AM - timedelta(minutes=1))
    assert waiting_list.expire_offers() == 0  # the place is not lost while they sleep
    assert _entry(first_id).status == OFFERED

    clock.freeze(EIGHT_AM)
    sender.send_due()
    assert len(push_service.for_browser(first_phone)) == 1
    [row] = _offer_rows(first_id)
    assert row.status == "sent" and row.params["until"] == "08:30"
    assert _entry(first_id).offer_expires_at == EIGHT_AM + timedelta(minutes=30)
    clock.freeze(EIGHT_AM + timedelta(minutes=29))
    booking = waiting_list.take_offered_place(waiting_two["first"], first_id)
    db.session.commit()
    assert booking.user_id == waiting_two["first"].id


def test_the_hold_starts_when_the_offer_is_sent(waiting_two, device, push_service):
    first_phone, _ = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, _second_id = waiting_two["entries"]
    clock.freeze(EIGHT_AM + timedelta(hours=1))  # 09:00, no quiet hours
    push_service.answer(first_phone, Answer(503, {"Retry-After": "120"}))
    waiting_two["free"]()
    sender.send_due()
    assert _offer_rows(first_id)[0].status == "pending"
    clock.advance(timedelta(minutes=2))
    sender.send_due()
    [row] = _offer_rows(first_id)
    assert row.status == "sent" and row.params["until"] == "09:32"
    assert _entry(first_id).offer_expires_at == clock.now() + timedelta(minutes=30)
    clock.advance(timedelta(minutes=29))
    assert waiting_list.expire_offers() == 0 and _entry(first_id).status == OFFERED


def test_someone_with_no_device_is_passed_over_and_keeps_waiting(waiting_two, device, push_service, app, login):
    second_phone = device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(EIGHT_AM + timedelta(hours=1))
    waiting_two["free"]()
    assert (_entry(first_id).status, _entry(second_id).status) == (WAITING, OFFERED)
    sender.send_due()
    assert len(push_service.for_browser(second_phone)) == 1
    client = app.test_client()
    login(client, waiting_two["first"])
    page = client.get("/bookings/mine").get_data(as_text=True)
    assert "Notifications are off on all your devices" in page and "/settings/notifications" in page


def test_an_offer_whose_device_went_before_quiet_hours_ended_passes_on(waiting_two, device, push_service):
    first_phone, second_phone = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(FIVE_AM)
    waiting_two["free"]()
    for kept in devices.devices_for(waiting_two["first"].id):
        devices.remove_device(waiting_two["first"].id, kept.id)
    db.session.commit()
    clock.freeze(EIGHT_AM)
    sender.send_due()
    assert (_entry(first_id).status, _entry(second_id).status) == (WAITING, OFFERED)
    assert _entry(second_id).offer_expires_at == EIGHT_AM + timedelta(minutes=30)
    assert db.session.get(Slot, waiting_two["slot_id"]).held == 1
    sender.send_due()
    assert push_service.for_browser(first_phone) == [] and len(push_service.for_browser(second_phone)) == 1


def test_a_refused_offer_passes_to_the_next_person(waiting_two, device, push_service):
    first_phone, second_phone = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(EIGHT_AM + timedelta(hours=1))
    push_service.answer(first_phone, Answer(413))
    waiting_two["free"]()
    sender.send_due()
    assert (_entry(first_id).status, _entry(second_id).status) == (OFFER_EXPIRED, OFFERED)
    sender.send_due()
    assert len(push_service.for_browser(second_phone)) == 1
    slot = db.session.get(Slot, waiting_two["slot_id"])
    assert (slot.booked, slot.held) == (0, 1)


def test_quiet_hours_that_end_after_the_start_pass_the_place_on(waiting_two, device, push_service):
    device(waiting_two["first"]), device(waiting_two["second"])
    update_preferences(waiting_two["first"].id, appointment_reminders=True, goal_checkins=True,
                       request_updates=True, discreet=True, quiet_hours=True, quiet_start=time(12),
                       quiet_end=time(18))
    db.session.commit()
    first_id, second_id = waiting_two["entries"]
    clock.freeze(datetime(2026, 6, 16, 11, 30, tzinfo=UTC))  # 12:30 BST; the drop-in is at 16:00
    waiting_two["free"]()
    assert (_entry(first_id).status, _entry(second_id).status) == (WAITING, OFFERED)


def test_an_offer_never_sent_in_time_is_not_sent_late_and_passes_on(waiting_two, device, push_service, app):
    first_phone, second_phone = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(FIVE_AM)
    waiting_two["free"]()
    clock.freeze(EIGHT_AM + timedelta(hours=1))  # the worker was down all morning
    assert waiting_list.expire_offers() == 1
    db.session.commit()
    assert (_entry(first_id).status, _entry(second_id).status) == (OFFER_EXPIRED, OFFERED)
    assert _offer_rows(first_id)[0].status == "cancelled"
    sender.send_due()
    assert push_service.for_browser(first_phone) == [] and len(push_service.for_browser(second_phone)) == 1


def test_joining_says_how_they_will_be_told(publish, norwich, make_user, app, login, frozen_clock, device,
                                            push_service):
    session = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 1)[0]
    slot_id = session.slots[0].id
    service.book(make_user(role="young_person"), slot_id)
    db.session.commit()
    without, with_phone = make_user(role="young_person"), make_user(role="young_person")
    device(with_phone)
    for person, expected in ((without, "Notifications are off, so we cannot tell you"),
                             (with_phone, "after your quiet hours (21:00 to 08:00)")):
        client = app.test_client()
        login(client, person)
        response = client.post_form(f"/bookings/slots/{slot_id}/wait", follow_redirects=True)
        assert expected in response.get_data(as_text=True)


def test_several_workers_at_once_offer_a_place_once(waiting_two, device, push_service, app):
    """Workers sending and expiring at the same moment: one offer held, one message, to the next person."""
    first_phone, second_phone = device(waiting_two["first"]), device(waiting_two["second"])
    first_id, second_id = waiting_two["entries"]
    clock.freeze(EIGHT_AM + timedelta(hours=1))
    push_service.answer(first_phone, Answer(413))
    waiting_two["free"]()
    jobs = [sender.send_due, waiting_list.expire_offers] * 3
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        barrier.wait()
        with app.app_context():
            try:
                job()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    sender.send_due()
    assert errors == []
    assert (_entry(first_id).status, _entry(second_id).status) == (OFFER_EXPIRED, OFFERED)
    assert len(push_service.for_browser(first_phone)) == 0 and len(push_service.for_browser(second_phone)) == 1
    slot = db.session.get(Slot, waiting_two["slot_id"])
    assert (slot.booked, slot.held) == (0, 1)
    assert [r.kind for r in _offer_rows(second_id)] == [PLACE_OFFER]
