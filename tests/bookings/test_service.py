"""Booking rules through the service, against the real database: places, ages, overlaps, moves, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp import clock
from webapp.audit import AuditEvent
from webapp.bookings import places, rules, service, sessions
from webapp.bookings.models import BOOKED, CANCELLED, Booking, Slot
from webapp.bookings.rules import AlreadyBooked, BookingError, SlotJustTaken
from webapp.extensions import db
from webapp.notifications.models import APPOINTMENT_REMINDER, ScheduledNotification
from webapp.notifications.payload import detailed_text
from webapp.notifications.service import pending_for

TUESDAY = date(2026, 6, 16)


def _slot(slot_id: int) -> Slot:
    db.session.expire_all()
    return db.session.get(Slot, slot_id)


def test_booking_takes_a_place_and_schedules_reminders_24_and_2_hours_before(one_slot, young_person):
    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    assert _slot(one_slot.id).booked == 1
    reminders = pending_for("booking", booking.id)
    starts = datetime(2026, 6, 16, 15, 0, tzinfo=UTC)  # 16:00 BST
    assert [r.due_at for r in reminders] == [starts - timedelta(hours=24), starts - timedelta(hours=2)]
    assert {r.kind for r in reminders} == {APPOINTMENT_REMINDER}
    assert all(r.expires_at == starts for r in reminders)
    assert detailed_text(reminders[0], "en")[1] == (
        "Your drop-in at Norwich One Stop Shop is on Tuesday, 16 June 2026 at 16:00 (UK time).")
    assert "wtorek, 16 czerwca 2026" in detailed_text(reminders[0], "pl")[1]
    action = select(AuditEvent.action).where(AuditEvent.subject_type == "booking",
                                             AuditEvent.subject_id == str(booking.id))
    assert db.session.scalar(action) == "booking.made"


def test_a_reminder_already_past_is_not_scheduled(publish, norwich, frozen_clock, young_person):
    soon = publish(norwich, TUESDAY - timedelta(days=1), "15:00", "15:30")[0]  # Monday 15:00 BST, in 3 hours
    booking = service.book(young_person, soon.slots[0].id)
    assert [r.due_at for r in pending_for("booking", booking.id)] == [soon.starts_at - timedelta(hours=2)]


def test_young_people_outside_the_base_ages_are_refused(one_slot, make_user):
    twelve = make_user(role="young_person", date_of_birth=date(2014, 1, 1))
    with pytest.raises(BookingError, match="ages 14 to 25"):
        service.book(twelve, one_slot.id)
    assert _slot(one_slot.id).booked == 0


def test_the_age_is_taken_on_the_day_of_the_session(one_slot, make_user):
    turns_14_that_day = make_user(role="young_person", date_of_birth=date(2012, 6, 16))
    assert service.book(turns_14_that_day, one_slot.id).status == BOOKED


def test_parents_book_for_their_child_by_first_name_and_age(one_slot, parent, bases, publish):
    with pytest.raises(BookingError) as missing_name:
        service.book(parent, one_slot.id, "", 15)
    assert missing_name.value.field == "child_first_name"
    with pytest.raises(BookingError) as too_young:
        service.book(parent, one_slot.id, "Mia", 8)
    assert too_young.value.field == "child_age"
    booking = service.book(parent, one_slot.id, " Mia ", 15)
    assert (booking.child_first_name, booking.child_age) == ("Mia", 15)
    community = publish(bases["lowestoft-community-base"], TUESDAY, "10:00", "10:30")[0]
    assert service.book(parent, community.slots[0].id, "Leo", 6).child_age == 6


def test_professionals_cannot_book(one_slot, make_user):
    with pytest.raises(BookingError, match="booked by young people themselves, or by a parent or carer"):
        service.book(make_user(role="professional"), one_slot.id)


def test_a_young_person_without_a_date_of_birth_is_asked_for_it_never_refused(one_slot, make_user):
    """Issue 15, item 7: never tell a young person that only young people can book."""
    person = make_user(role="young_person", date_of_birth=None)
    with pytest.raises(BookingError) as asked:
        service.book(person, one_slot.id)
    assert asked.value.field == "date_of_birth" and "Only young people" not in str(asked.value.message)


def test_a_double_submit_makes_one_booking(one_slot, young_person):
    service.book(young_person, one_slot.id)
    db.session.commit()
    with pytest.raises(AlreadyBooked):
        service.book(young_person, one_slot.id)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    assert _slot(one_slot.id).booked == 1


def test_one_person_cannot_hold_two_overlapping_bookings(publish, norwich, bases, frozen_clock, young_person):
    first = publish(norwich, TUESDAY, "16:00", "17:00", 60)[0]
    overlapping = publish(bases["great-yarmouth-one-stop-shop"], TUESDAY, "16:30", "17:30", 60)[0]
    straight_after = publish(bases["cromer-one-stop-shop"], TUESDAY, "17:00", "17:30", 30)[0]
    service.book(young_person, first.slots[0].id)
    db.session.commit()
    with pytest.raises(BookingError, match="already have a booking at this time"):
        service.book(young_person, overlapping.slots[0].id)
    assert _slot(overlapping.slots[0].id).booked == 0, "the refused booking left its place taken"
    assert service.book(young_person, straight_after.slots[0].id).status == BOOKED


def test_a_full_slot_says_just_taken_and_offers_the_next_free_slots(publish, norwich, frozen_clock, make_user):
    session = publish(norwich, TUESDAY, "16:00", "17:30", 30, 1)[0]
    first, second, third = session.slots
    service.book(make_user(role="young_person"), first.id)
    service.book(make_user(role="young_person"), second.id)
    db.session.commit()
    with pytest.raises(SlotJustTaken) as taken:
        service.book(make_user(role="young_person"), first.id)
    assert [slot.id for slot in taken.value.alternatives] == [third.id]


@pytest.mark.parametrize("case", ["missing", "cancelled", "started"])
def test_bad_slots_are_refused_with_a_clear_message(case, publish, norwich, admin, frozen_clock, young_person):
    session = publish(norwich, TUESDAY, "16:00", "16:30")[0]
    slot_id = session.slots[0].id
    if case == "missing":
        slot_id = 987654
    elif case == "cancelled":
        sessions.cancel(admin, session, whole_series=False)
        db.session.commit()
    else:
        clock.freeze(datetime(2026, 6, 16, 15, 5, tzinfo=UTC))
    messages = {"missing": "could not find", "cancelled": "cancelled by the base", "started": "already started"}
    with pytest.raises(BookingError, match=messages[case]):
        service.book(young_person, slot_id)


def test_cancel_frees_the_place_and_the_reminders(one_slot, young_person):
    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    service.cancel(young_person, booking.id)
    db.session.commit()
    assert _slot(one_slot.id).booked == 0
    assert db.session.get(Booking, booking.id).status == CANCELLED
    assert pending_for("booking", booking.id) == []
    with pytest.raises(BookingError, match="already been cancelled"):
        service.cancel(young_person, booking.id)


def test_people_cannot_touch_someone_elses_booking(one_slot, young_person, make_user):
    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    other = make_user(role="young_person")
    assert service.own_booking(other, booking.id) is None
    with pytest.raises(BookingError, match="could not find"):
        service.cancel(other, booking.id)
    assert service.my_bookings(other.id) == []


def test_move_changes_the_slot_in_one_step_and_moves_the_reminders(publish, norwich, frozen_clock, young_person):
    session = publish(norwich, TUESDAY, "16:00", "17:00", 30, 1)[0]
    later = publish(norwich, TUESDAY + timedelta(days=2), "11:00", "11:30", 30, 1)[0]
    booking = service.book(young_person, session.slots[0].id)
    db.session.commit()
    service.move(young_person, booking.id, later.slots[0].id)
    db.session.commit()
    assert [(b.id, b.slot_id, b.status) for b in service.my_bookings(young_person.id)] == [
        (booking.id, later.slots[0].id, BOOKED)]
    assert (_slot(session.slots[0].id).booked, _slot(later.slots[0].id).booked) == (0, 1)
    assert [r.due_at for r in pending_for("booking", booking.id)] == [
        later.starts_at - timedelta(hours=24), later.starts_at - timedelta(hours=2)]


def test_a_move_to_a_full_slot_keeps_the_booking_you_had(publish, norwich, frozen_clock, young_person, make_user):
    session = publish(norwich, TUESDAY, "16:00", "17:00", 30, 1)[0]
    mine, full = session.slots
    service.book(make_user(role="young_person"), full.id)
    booking = service.book(young_person, mine.id)
    db.session.commit()
    with pytest.raises(SlotJustTaken):
        service.move(young_person, booking.id, full.id)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).slot_id == mine.id
    assert (_slot(mine.id).booked, _slot(full.id).booked) == (1, 1)
    assert len(pending_for("booking", booking.id)) == 2


def test_moving_to_the_same_slot_is_refused(one_slot, young_person):
    booking = service.book(young_person, one_slot.id)
    with pytest.raises(BookingError, match="already have"):
        service.move(young_person, booking.id, one_slot.id)


def test_nearest_bases_to_a_postcode_district(bases):
    assert places.parse_district(" nr2 4ab ") == "NR2"
    assert places.parse_district("hello") is None
    assert places.nearest_bases("NR27")[0][0].slug == "cromer-one-stop-shop"
    assert places.nearest_bases("NR33")[0][0].slug == "lowestoft-community-base"
    assert places.nearest_bases("PE31")[0][0].slug == "kings-lynn-one-stop-shop"
    assert places.nearest_bases("IP24")[0][0].slug == "thetford-one-stop-shop"
    assert {d[:2] for d in places.districts()} == {"NR", "PE", "IP"}
    assert {f"NR{n}" for n in range(1, 36)} <= set(places.districts())


def test_the_bases_file_has_the_five_one_stop_shops_for_14_to_25s(bases):
    shops = [b for b in bases.values() if b.kind == "one_stop_shop"]
    assert sorted(b.town for b in shops) == ["Cromer", "Great Yarmouth", "King's Lynn", "Norwich", "Thetford"]
    assert all((b.min_age, b.max_age) == (14, 25) and b.is_demo for b in shops)
    assert all(b.address and b.getting_there and b.accessibility and b.opening_hours for b in bases.values())


def test_the_slot_list_is_one_query(publish, norwich, frozen_clock, app, count_queries):
    publish(norwich, TUESDAY, "10:00", "16:00", 30, 2, weeks=8)
    with count_queries() as statements:
        slots = rules.upcoming_slots(norwich.id)
        _ = [(slot.session.purpose, slot.session.base.name) for slot in slots]
    assert len(slots) == 8 * 12
    assert len(statements) <= 2, statements


def test_account_deletion_gives_the_places_back(one_slot, young_person):
    from webapp.accounts.service import delete_account

    service.book(young_person, one_slot.id)
    db.session.commit()
    delete_account(young_person)
    db.session.commit()
    assert _slot(one_slot.id).booked == 0
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_export_lists_the_persons_bookings_and_waiting(one_slot, parent):
    service.book(parent, one_slot.id, "Mia", 15)
    data = service.export_for(parent)
    assert data["bookings"][0]["child_first_name"] == "Mia"
    assert data["bookings"][0]["base"] == "Norwich One Stop Shop"
    assert data["waiting_list"] == []


def test_notification_rows_name_no_one(one_slot, parent):
    booking = service.book(parent, one_slot.id, "Mia", 15)
    for row in db.session.scalars(select(ScheduledNotification)):
        assert "Mia" not in str(row.params) and "Mia" not in row.body, booking
