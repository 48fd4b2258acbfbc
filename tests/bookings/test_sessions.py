"""Staff publish, edit and cancel sessions; weekly series; clock changes; running the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from webapp import clock
from webapp.bookings import calendar, places, rules, service, sessions
from webapp.bookings.models import ATTENDED, CANCELLED_BY_BASE, NOT_BROUGHT, DropInSession, SessionSeries, Slot
from webapp.bookings.rules import BookingError, SlotJustTaken
from webapp.bookings.sessions import SessionDraft, SessionErrors
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.notifications.payload import detailed_text
from webapp.notifications.service import pending_for

TUESDAY = date(2026, 6, 16)
SPRING_FORWARD = date(2026, 3, 29)  # last Sunday of March 2026
AUTUMN_BACK = date(2026, 10, 25)  # last Sunday of October 2026


def _draft(base, day=TUESDAY, start="16:00", end="18:00", minutes=30, places_per_slot=2, weeks=0, fold=None):
    return SessionDraft(base.id, day, time.fromisoformat(start), time.fromisoformat(end), minutes, places_per_slot,
                        "Drop-in chat", "young_people", repeat_weeks=weeks, fold=fold)


def test_a_session_is_cut_into_slots_in_uk_time(admin, norwich, frozen_clock):
    made = sessions.create(admin, _draft(norwich))
    slots = made[0].slots
    assert [clock.to_local(s.starts_at).strftime("%H:%M") for s in slots] == ["16:00", "16:30", "17:00", "17:30"]
    assert slots[0].starts_at == datetime(2026, 6, 16, 15, 0, tzinfo=UTC)
    assert all(s.places == 2 and s.booked == 0 for s in slots)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end": "15:00"}, "end", "after the start"),
    ({"places_per_slot": 0}, "places_per_slot", "at least 1"),
    ({"places_per_slot": -3}, "places_per_slot", "at least 1"),
    ({"minutes": 45}, "slot_minutes", "do not fit exactly"),
    ({"day": date(2026, 6, 14)}, "day", "today or later"),
    ({"day": date(9999, 12, 31), "weeks": 26}, "day", "within the next year"),
    ({"day": date(2026, 6, 15), "start": "09:00", "end": "10:00"}, "start", "already passed"),
])
def test_bad_sessions_are_refused_by_the_field_and_nothing_is_saved(admin, norwich, frozen_clock, changes, field,
                                                                    message):
    values = {"day": TUESDAY, "start": "16:00", "end": "18:00", "minutes": 30, "places_per_slot": 2, "weeks": 0,
              **changes}
    with pytest.raises(SessionErrors) as refused:
        sessions.create(admin, _draft(norwich, **values))
    assert field in refused.value.errors and message in str(refused.value.errors[field])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DropInSession)) == 0


def test_base_staff_manage_only_their_own_bases(make_user, norwich, bases, frozen_clock, admin):
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    assert [b.slug for b in places.bases_run_by(staff)] == ["norwich-one-stop-shop"]
    assert len(places.bases_run_by(admin)) == len(bases)
    sessions.create(staff, _draft(norwich))
    cromer = bases["cromer-one-stop-shop"]
    with pytest.raises(SessionErrors, match="own bases"):
        sessions.create(staff, _draft(cromer))
    theirs = sessions.create(admin, _draft(cromer))[0]
    db.session.commit()
    assert sessions.managed_session(staff, theirs.id) is None
    assert not places.may_manage(make_user(role="clinician"), norwich.id)


def test_a_weekly_series_is_made_ahead_and_kept_topped_up(admin, norwich, frozen_clock):
    made = sessions.create(admin, _draft(norwich, weeks=4))
    db.session.commit()
    assert [s.local_date for s in made] == [TUESDAY + timedelta(weeks=w) for w in range(4)]
    clock.advance(timedelta(weeks=1))
    assert sessions.extend_series() == 5  # 8 weeks ahead of the new today
    series = db.session.scalar(select(SessionSeries))
    assert series.generated_until == TUESDAY + timedelta(weeks=8)
    assert sessions.extend_series() == 0


def test_edit_one_session_or_the_whole_series(admin, norwich, frozen_clock, young_person):
    made = sessions.create(admin, _draft(norwich, weeks=3))
    db.session.commit()
    sessions.edit(admin, made[1], purpose="Exam stress", audience="everyone", places_per_slot=3, whole_series=False)
    db.session.commit()
    assert [s.purpose for s in made] == ["Drop-in chat", "Exam stress", "Drop-in chat"]
    sessions.edit(admin, made[0], purpose="Chat", audience="young_people", places_per_slot=4, whole_series=True)
    db.session.commit()
    db.session.expire_all()
    assert {s.purpose for s in db.session.scalars(select(DropInSession))} == {"Chat"}
    assert {s.places for s in db.session.scalars(select(Slot))} == {4}


def test_places_cannot_drop_below_who_is_booked(admin, norwich, frozen_clock, make_user):
    session = sessions.create(admin, _draft(norwich))[0]
    slot_id = session.slots[0].id
    service.book(make_user(role="young_person"), slot_id)
    service.book(make_user(role="young_person"), slot_id)
    db.session.commit()
    with pytest.raises(SessionErrors, match="2 people booked"):
        sessions.edit(admin, session, purpose="x", audience="everyone", places_per_slot=1, whole_series=False)


def test_cancelling_a_session_tells_everyone_booked(admin, norwich, frozen_clock, young_person, parent):
    session = sessions.create(admin, _draft(norwich))[0]
    mine = service.book(young_person, session.slots[0].id)
    childs = service.book(parent, session.slots[1].id, "Mia", 15)
    db.session.commit()
    sessions.cancel(admin, session, whole_series=False)
    db.session.commit()
    for booking in (mine, childs):
        db.session.refresh(booking)
        assert booking.status == CANCELLED_BY_BASE
        assert pending_for("booking", booking.id) == []
        told = pending_for("booking_cancelled", booking.id)
        assert len(told) == 1 and told[0].user_id == booking.user_id and told[0].due_at == clock.now()
    assert rules.upcoming_slots(norwich.id) == []


def test_cancelling_the_rest_of_a_series(admin, norwich, frozen_clock):
    made = sessions.create(admin, _draft(norwich, weeks=4))
    db.session.commit()
    assert sessions.cancel(admin, made[2], whole_series=True) == 2
    db.session.commit()
    assert [s.cancelled_at is None for s in made] == [True, True, False, False]
    assert db.session.scalar(select(SessionSeries)).cancelled_at is not None
    clock.advance(timedelta(weeks=2))
    assert sessions.extend_series() == 0


# -- clock changes ------------------------------------------------------------------------

def test_a_time_the_spring_clock_change_skips_is_refused(admin, norwich, frozen_clock):
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    with pytest.raises(SessionErrors) as refused:
        sessions.create(admin, _draft(norwich, SPRING_FORWARD, "01:30", "02:30"))
    assert "does not exist" in str(refused.value.errors["start"])


def test_an_ambiguous_autumn_time_must_be_chosen_explicitly(admin, norwich, frozen_clock):
    clock.freeze(datetime(2026, 10, 1, 12, tzinfo=UTC))
    with pytest.raises(SessionErrors) as refused:
        sessions.create(admin, _draft(norwich, AUTUMN_BACK, "01:00", "01:30", 30, fold=None))
    assert refused.value.needs_fold and "happens twice" in str(refused.value.errors["start"])
    first = sessions.create(admin, _draft(norwich, AUTUMN_BACK, "01:30", "01:45", 15, fold=0))[0]
    second = sessions.create(admin, _draft(norwich, AUTUMN_BACK, "01:30", "01:45", 15, fold=1))[0]
    assert first.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert second.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT


@pytest.mark.parametrize(("day", "utc_hour"), [(SPRING_FORWARD, 9), (AUTUMN_BACK, 10)])
def test_sessions_on_clock_change_sundays_show_and_remind_at_the_local_time(admin, norwich, frozen_clock, day,
                                                                            utc_hour, young_person):
    clock.freeze(datetime(day.year, day.month, 20, 12, tzinfo=UTC))
    session = sessions.create(admin, _draft(norwich, day, "10:00", "10:30", 30))[0]
    assert session.starts_at == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    assert clock.to_local(session.starts_at).strftime("%H:%M") == "10:00"
    booking = service.book(young_person, session.slots[0].id)
    reminders = pending_for("booking", booking.id)
    # 24 hours before in real time: across the change that is 09:00 or 11:00 local the day before.
    assert [r.due_at for r in reminders] == [session.starts_at - timedelta(hours=24),
                                            session.starts_at - timedelta(hours=2)]
    assert " at 10:00 (UK time)" in detailed_text(reminders[0], "en")[1]
    assert clock.to_local(reminders[1].due_at).strftime("%H:%M") == "08:00"


def test_a_weekly_session_keeps_its_uk_time_across_the_autumn_change(admin, norwich, frozen_clock):
    clock.freeze(datetime(2026, 10, 10, 12, tzinfo=UTC))
    made = sessions.create(admin, _draft(norwich, date(2026, 10, 18), "10:00", "11:00", 30, weeks=2))
    assert [clock.to_local(s.starts_at).strftime("%H:%M") for s in made] == ["10:00", "10:00"]
    assert [s.starts_at.hour for s in made] == [9, 10]


def test_the_calendar_file_uses_europe_london_with_its_vtimezone(admin, norwich, frozen_clock, young_person):
    clock.freeze(datetime(2026, 10, 20, 12, tzinfo=UTC))
    session = sessions.create(admin, _draft(norwich, AUTUMN_BACK, "10:00", "10:30", 30))[0]
    booking = service.book(young_person, session.slots[0].id)
    db.session.commit()
    parsed = Calendar.from_ical(calendar.booking_calendar(service.own_booking(young_person, booking.id), "x.test"))
    timezones = parsed.walk("VTIMEZONE")
    assert [tz["TZID"] for tz in timezones] == ["Europe/London"]
    assert {c.name for c in timezones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}
    event = parsed.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 10, 25, 10, 0)
    assert event.decoded("DTSTART").astimezone(UTC) == session.starts_at
    assert "Norwich One Stop Shop" in str(event["SUMMARY"])
    raw = calendar.booking_calendar(service.own_booking(young_person, booking.id), "x.test").decode()
    assert "DTSTART;TZID=Europe/London:20261025T100000" in raw


# -- running the day ----------------------------------------------------------------------

def test_staff_book_in_walk_ins_and_never_overbook(admin, norwich, frozen_clock, young_person):
    session = sessions.create(admin, _draft(norwich, places_per_slot=1))[0]
    slot_id = session.slots[0].id
    walk_in = sessions.book_walk_in(admin, slot_id, "Jordan", "07700 900123")
    db.session.commit()
    assert (walk_in.user_id, walk_in.walk_in_name, walk_in.walk_in_contact) == (None, "Jordan", "07700 900123")
    with pytest.raises(SlotJustTaken):
        service.book(young_person, slot_id)
    with pytest.raises(SlotJustTaken):
        sessions.book_walk_in(admin, slot_id, "Sam", "sam@example.org")


def test_marking_attendance_and_flagging_a_child_not_brought(admin, make_user, norwich, bases, frozen_clock, parent):
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    session = sessions.create(admin, _draft(norwich))[0]
    booking = service.book(parent, session.slots[0].id, "Mia", 15)
    db.session.commit()
    with pytest.raises(BookingError, match="from the start of the session"):
        sessions.mark_attendance(staff, booking.id, ATTENDED)  # two days, or a minute, ahead
    frozen_clock.freeze(session.starts_at)
    sessions.mark_attendance(staff, booking.id, ATTENDED)
    assert not booking.follow_up_needed
    sessions.mark_attendance(staff, booking.id, NOT_BROUGHT)
    db.session.commit()
    assert booking.follow_up_needed
    assert [b.id for b in sessions.follow_ups(staff)] == [booking.id]
    other_staff = make_user(role="base_staff")
    places.assign_staff(other_staff.id, bases["cromer-one-stop-shop"].id)
    assert sessions.follow_ups(other_staff) == []
    with pytest.raises(BookingError):
        sessions.mark_attendance(other_staff, booking.id, ATTENDED)
    with pytest.raises(BookingError):
        sessions.mark_attendance(staff, booking.id, "asleep")
    sessions.follow_up_done(staff, booking.id)
    assert sessions.follow_ups(staff) == []


def test_the_day_list_shows_the_days_sessions_in_few_queries(admin, norwich, frozen_clock, make_user, count_queries):
    session = sessions.create(admin, _draft(norwich))[0]
    for slot in session.slots:
        service.book(make_user(role="young_person"), slot.id)
    sessions.create(admin, _draft(norwich, TUESDAY + timedelta(days=1)))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        day = sessions.day_list(norwich.id, TUESDAY)
        by_slot = sessions.bookings_for_slots([s.id for d in day for s in d.slots])
        names = [b.person.email for bookings in by_slot.values() for b in bookings]
    assert len(day) == 1 and len(names) == 4
    assert len(statements) <= 4, statements


def test_nothing_personal_in_the_cancellation_notice(admin, norwich, frozen_clock, parent):
    session = sessions.create(admin, _draft(norwich))[0]
    service.book(parent, session.slots[0].id, "Mia", 15)
    sessions.cancel(admin, session, whole_series=False)
    for row in db.session.scalars(select(ScheduledNotification)):
        assert "Mia" not in str(row.params)
