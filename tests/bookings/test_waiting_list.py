"""The waiting list: a freed place is offered to the first person waiting, held for them, then passed on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from webapp import clock
from webapp.bookings import service, sessions, waiting_list
from webapp.bookings.models import BOOKED, OFFER_EXPIRED, OFFERED, TOOK_PLACE, WAITING, Slot, WaitingListEntry
from webapp.bookings.rules import BookingError, SlotJustTaken
from webapp.bookings.waiting_list import OFFER_HOLD
from webapp.extensions import db
from webapp.notifications.models import PLACE_OFFER
from webapp.notifications.service import pending_for


@pytest.fixture
def full_slot(publish, norwich, frozen_clock, make_user):
    """A one-place slot (Tuesday 16:00), booked; returns (slot id, the booker)."""
    session = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 1)[0]
    booker = make_user(role="young_person")
    service.book(booker, session.slots[0].id)
    db.session.commit()
    return session.slots[0].id, booker


def _slot(slot_id):
    db.session.expire_all()
    return db.session.get(Slot, slot_id)


def test_only_a_full_slot_has_a_waiting_list(one_slot, young_person):
    with pytest.raises(BookingError, match="free place"):
        waiting_list.join(young_person, one_slot.id)


def test_a_freed_place_goes_to_the_first_waiting_and_no_one_else(full_slot, make_user, reachable):
    slot_id, booker = full_slot
    first, second, stranger = (reachable(make_user(role="young_person")) for _ in range(3))
    first_entry = waiting_list.join(first, slot_id)
    clock.advance(timedelta(minutes=1))
    second_entry = waiting_list.join(second, slot_id)
    db.session.commit()
    assert waiting_list.join(first, slot_id).id == first_entry.id  # joining twice adds nothing

    service.cancel(booker, service.my_bookings(booker.id)[0].id)
    db.session.commit()
    db.session.refresh(first_entry), db.session.refresh(second_entry)
    assert (first_entry.status, second_entry.status) == (OFFERED, WAITING)
    assert first_entry.offer_expires_at == clock.now() + OFFER_HOLD
    assert (_slot(slot_id).booked, _slot(slot_id).held) == (0, 1)
    offers = pending_for("waiting_list", first_entry.id)
    assert [o.kind for o in offers] == [PLACE_OFFER] and offers[0].user_id == first.id
    with pytest.raises(SlotJustTaken):  # the held place is not for anyone else
        service.book(stranger, slot_id)

    booking = waiting_list.take_offered_place(first, first_entry.id)
    db.session.commit()
    assert booking.status == BOOKED and booking.user_id == first.id
    assert (_slot(slot_id).booked, _slot(slot_id).held) == (1, 0)
    assert db.session.get(WaitingListEntry, first_entry.id).status == TOOK_PLACE
    assert len(pending_for("booking", booking.id)) == 2
    with pytest.raises(BookingError, match="run out or was already used"):
        waiting_list.take_offered_place(first, first_entry.id)


def test_an_offer_not_taken_in_time_passes_to_the_next(full_slot, make_user, reachable):
    slot_id, booker = full_slot
    first, second = reachable(make_user(role="young_person")), reachable(make_user(role="young_person"))
    first_entry = waiting_list.join(first, slot_id)
    second_entry = waiting_list.join(second, slot_id)
    service.cancel(booker, service.my_bookings(booker.id)[0].id)
    db.session.commit()
    clock.advance(OFFER_HOLD + timedelta(seconds=1))
    with pytest.raises(BookingError, match="run out"):
        waiting_list.take_offered_place(first, first_entry.id)
    assert waiting_list.expire_offers() == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, first_entry.id).status == OFFER_EXPIRED
    assert db.session.get(WaitingListEntry, second_entry.id).status == OFFERED
    assert _slot(slot_id).held == 1
    assert waiting_list.take_offered_place(second, second_entry.id).user_id == second.id


def test_when_no_one_is_waiting_an_expired_offer_frees_the_place(full_slot, make_user, reachable):
    slot_id, booker = full_slot
    first = reachable(make_user(role="young_person"))
    waiting_list.join(first, slot_id)
    service.cancel(booker, service.my_bookings(booker.id)[0].id)
    db.session.commit()
    clock.advance(OFFER_HOLD + timedelta(minutes=1))
    waiting_list.expire_offers()
    db.session.commit()
    assert (_slot(slot_id).booked, _slot(slot_id).held) == (0, 0)
    assert service.book(make_user(role="young_person"), slot_id).status == BOOKED


def test_saying_no_thanks_passes_the_place_on(full_slot, make_user, reachable):
    slot_id, booker = full_slot
    first, second = reachable(make_user(role="young_person")), reachable(make_user(role="young_person"))
    first_entry = waiting_list.join(first, slot_id)
    second_entry = waiting_list.join(second, slot_id)
    service.cancel(booker, service.my_bookings(booker.id)[0].id)
    waiting_list.leave(first, first_entry.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, second_entry.id).status == OFFERED
    assert _slot(slot_id).held == 1


def test_a_move_away_and_added_places_both_offer_to_the_waiting(full_slot, make_user, admin, publish, norwich,
                                                                reachable):
    slot_id, booker = full_slot
    first, second = reachable(make_user(role="young_person")), reachable(make_user(role="young_person"))
    first_entry = waiting_list.join(first, slot_id)
    second_entry = waiting_list.join(second, slot_id)
    db.session.commit()
    elsewhere = publish(norwich, date(2026, 6, 18), "10:00", "10:30", 30, 1)[0]
    service.move(booker, service.my_bookings(booker.id)[0].id, elsewhere.slots[0].id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, first_entry.id).status == OFFERED
    session = _slot(slot_id).session
    sessions.edit(admin, session, purpose="Drop-in chat", audience="young_people", places_per_slot=2,
                  whole_series=False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, second_entry.id).status == OFFERED
    assert (_slot(slot_id).booked, _slot(slot_id).held, _slot(slot_id).places) == (0, 2, 2)


def test_cancelling_the_session_closes_its_waiting_list(full_slot, make_user, admin):
    slot_id, _booker = full_slot
    entry = waiting_list.join(make_user(role="young_person"), slot_id)
    db.session.commit()
    sessions.cancel(admin, _slot(slot_id).session, whole_series=False)
    db.session.commit()
    assert db.session.scalar(select(WaitingListEntry.status).where(WaitingListEntry.id == entry.id)) == "left"
