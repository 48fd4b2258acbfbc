"""A full slot offers staff the waiting list or a booking over capacity with a reason (issue 15, item 8):
the reason is required and kept, the extra person is counted on the staff views apart from the
slot's places, a place given back goes to them first, and it is safe when people book at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.bookings.helpers import race
from webapp import audit
from webapp.bookings import places, service, sessions
from webapp.bookings.models import BOOKED, Booking, Slot
from webapp.bookings.rules import SlotJustTaken
from webapp.extensions import db


def _full_slot(publish, norwich, parent):
    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 1)[0]
    first, second = session.slots
    booking = service.book(parent, first.id, "Mia", 15)
    db.session.commit()
    return first, second, booking


def _staff_client(app, login, make_user, norwich):
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    client = app.test_client()
    login(client, staff)
    return staff, client


DAY = "/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16"


def test_a_full_slot_offers_a_booking_over_capacity_that_needs_a_reason(
        app, login, make_user, norwich, publish, frozen_clock, parent):
    first, _second, _booking = _full_slot(publish, norwich, parent)
    _staff, client = _staff_client(app, login, make_user, norwich)
    day = client.get(DAY).get_data(as_text=True)
    assert "Book in over capacity" in day and f"/staff/bookings/slots/{first.id}/over-capacity" in day
    url = f"/staff/bookings/slots/{first.id}/over-capacity"
    typed = {f"over{first.id}-name": "Sam Walker", f"over{first.id}-contact": "07700 900123"}
    refused = client.post_form(url, {**typed, f"over{first.id}-reason": "  "})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Sam Walker" in page and "07700 900123" in page
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.walk_in_name.is_not(None))) == 0

    done = client.post_form(url, {**typed, f"over{first.id}-reason": "Crisis follow-up today"})
    assert done.status_code == 303
    db.session.expire_all()
    slot = db.session.get(Slot, first.id)
    assert (slot.places, slot.booked, slot.over_capacity) == (1, 1, 1)
    extra = db.session.scalar(select(Booking).where(Booking.walk_in_name == "Sam Walker"))
    assert extra.over_capacity_reason == "Crisis follow-up today" and extra.status == BOOKED
    day = client.get(DAY).get_data(as_text=True)
    assert "1 over capacity" in day and "Booked over capacity:" in day and "Crisis follow-up today" in day
    home = client.get("/staff/bookings/").get_data(as_text=True)
    assert "1 of 2 places booked" in home and "1 over capacity" in home
    assert db.session.scalar(select(func.count()).select_from(audit.AuditEvent).where(
        audit.AuditEvent.action == "booking.over_capacity", audit.AuditEvent.subject_id == str(extra.id))) == 1


def test_a_walk_in_whose_place_was_just_taken_keeps_what_was_typed_in_the_over_capacity_form(
        app, login, make_user, norwich, publish, frozen_clock, parent):
    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 1)[0]
    first = session.slots[0]
    _staff, client = _staff_client(app, login, make_user, norwich)
    client.get(DAY)  # the slot still looks free to staff
    service.book(parent, first.id, "Mia", 15)  # someone books the last place meanwhile
    db.session.commit()
    answer = client.post_form(f"/staff/bookings/slots/{first.id}/walk-in",
                              {f"slot{first.id}-name": "Sam Walker", f"slot{first.id}-contact": "07700 900123"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Sorry, that place was just taken by someone else." in page
    assert f'action="/staff/bookings/slots/{first.id}/over-capacity"' in page
    assert 'value="Sam Walker"' in page and 'value="07700 900123"' in page


def test_a_place_given_back_goes_first_to_the_person_booked_over_capacity(
        app, login, make_user, norwich, publish, frozen_clock, parent):
    first, _second, booking = _full_slot(publish, norwich, parent)
    staff, _client = _staff_client(app, login, make_user, norwich)
    sessions.book_over_capacity(staff, first.id, "Sam Walker", "07700 900123", "Travelled from Thetford")
    db.session.commit()
    service.cancel(parent, booking.id)
    db.session.commit()
    db.session.expire_all()
    slot = db.session.get(Slot, first.id)
    assert (slot.booked, slot.held, slot.over_capacity) == (1, 0, 0)  # nobody else is offered it
    kept = db.session.scalar(select(Booking).where(Booking.walk_in_name == "Sam Walker"))
    assert kept.over_capacity_reason == "Travelled from Thetford"  # the reason stays on the record


def test_over_capacity_when_a_place_came_free_books_an_ordinary_place(
        app, login, make_user, norwich, publish, frozen_clock, parent):
    first, _second, booking = _full_slot(publish, norwich, parent)
    staff, _client = _staff_client(app, login, make_user, norwich)
    service.cancel(parent, booking.id)
    db.session.commit()
    made = sessions.book_over_capacity(staff, first.id, "Sam Walker", "07700 900123", "Crisis follow-up")
    db.session.commit()
    db.session.expire_all()
    slot = db.session.get(Slot, first.id)
    assert made.over_capacity_reason is None and (slot.booked, slot.over_capacity) == (1, 0)


def test_people_booking_while_staff_book_over_capacity_never_overbook_the_ordinary_places(
        app, publish, norwich, frozen_clock, make_user):
    """On PostgreSQL (TEST_DATABASE_URL) the over-capacity booking takes the slot's row lock as any booking."""
    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 2)[0]
    contested = session.slots[0]
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    people = [make_user(role="young_person").id for _ in range(8)]

    def action(user, slot_id):
        if user.role == "base_staff":
            sessions.book_over_capacity(user, slot_id, "Sam Walker", "07700 900123", "Crisis follow-up")
        else:
            service.book(user, slot_id)

    results = race(app, [(staff.id, contested.id), *((person, contested.id) for person in people)], action)
    unexpected = [r for r in results if r != "ok" and not isinstance(r, SlotJustTaken)]
    assert not unexpected, unexpected
    assert results[0] == "ok"  # staff's booking never fails for lack of room
    db.session.expire_all()
    slot = db.session.get(Slot, contested.id)
    live = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.slot_id == contested.id, Booking.status == BOOKED))
    assert slot.booked == 2 and slot.booked + slot.over_capacity == live
    assert results.count("ok") == live
