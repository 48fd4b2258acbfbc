"""Never overbooked: 50 people book the last places of one slot at the same moment.

Runs on the database the suite runs on: SQLite (a file shared by the threads) by default, PostgreSQL
with TEST_DATABASE_URL. Each thread has its own app context, so its own session and connection.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.bookings.helpers import race
from tests.helpers.at_once import at_once
from webapp import clock, jobs
from webapp.bookings import service, sessions
from webapp.bookings.models import BOOKED, Booking, DropInSession, SessionSeries, Slot
from webapp.bookings.rules import BookingError, SlotJustTaken
from webapp.bookings.sessions import SessionDraft
from webapp.extensions import db
from webapp.worker import run_pass

PEOPLE = 50


def test_fifty_people_book_the_last_three_places_at_once(app, publish, norwich, frozen_clock, make_user):
    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 5)[0]
    contested, next_slot = session.slots
    for _ in range(2):  # 2 of 5 places already gone: 3 left
        service.book(make_user(role="young_person"), contested.id)
    db.session.commit()
    people = [make_user(role="young_person").id for _ in range(PEOPLE)]

    results = race(app, [(person, contested.id) for person in people], service.book)

    unexpected = [r for r in results if r != "ok" and not isinstance(r, SlotJustTaken)]
    assert not unexpected, unexpected
    assert results.count("ok") == 3
    taken = [r for r in results if isinstance(r, SlotJustTaken)]
    assert len(taken) == PEOPLE - 3
    assert all([slot.id for slot in error.alternatives] == [next_slot.id] for error in taken)
    db.session.expire_all()
    assert db.session.get(Slot, contested.id).booked == 5
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.slot_id == contested.id, Booking.status == BOOKED)) == 5


def test_one_person_in_many_tabs_gets_one_booking(app, publish, norwich, bases, frozen_clock, young_person):
    """The same person books overlapping slots at two bases from ten tabs at once: exactly one wins."""
    first = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 20)[0].slots[0]
    second = publish(bases["cromer-one-stop-shop"], date(2026, 6, 16), "16:00", "16:30", 30, 20)[0].slots[0]
    results = race(app, [(young_person.id, first.id if tab % 2 else second.id) for tab in range(10)], service.book)
    assert results.count("ok") == 1, results
    assert all(r == "ok" or isinstance(r, BookingError) for r in results), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.status == BOOKED)) == 1
    assert db.session.get(Slot, first.id).booked + db.session.get(Slot, second.id).booked == 1


@pytest.mark.parametrize("workers", [2, 4])
@pytest.mark.parametrize("entry", ["worker job", "extend_series"])
def test_workers_passing_at_once_make_every_weekly_session_once(app, admin, bases, frozen_clock, workers, entry):
    """Two and four workers at the same instant over due series (the worker's job, once per cluster
    and at most every few minutes, or `extend_series` itself): no session twice, none missed."""
    series_starts = [(base, hour) for base in list(bases.values())[:3] for hour in (10, 16)]
    for base, hour in series_starts:
        sessions.create(admin, SessionDraft(base.id, date(2026, 6, 16), time(hour), time(hour + 1), 30, 2,
                                            "Drop-in chat", "young_people", repeat_weeks=4))
    db.session.commit()
    clock.advance(timedelta(weeks=3))  # every series is due: 4 made, 8 weeks ahead wanted
    job = partial(run_pass, jobs.get("drop-in-series", app)) if entry == "worker job" else sessions.extend_series

    results = at_once(app, job, workers)

    assert all(isinstance(result, int) for result in results), results
    horizon = clock.today_local() + timedelta(weeks=sessions.SERIES_WEEKS_AHEAD)
    wanted = {(series.id, date(2026, 6, 16) + timedelta(weeks=week))
              for series in db.session.scalars(select(SessionSeries))
              for week in range(((horizon - date(2026, 6, 16)).days // 7) + 1)}
    made = list(db.session.execute(select(DropInSession.series_id, DropInSession.local_date)))
    assert len(made) == len(set(made)), "a session made twice"
    assert set(made) == wanted, "a session missed"
    assert sum(results) == len(wanted) - 4 * len(series_starts)  # every new one counted once
    assert all(series.generated_until == max(day for _id, day in wanted)
               for series in db.session.scalars(select(SessionSeries)))


def test_a_series_cannot_hold_two_sessions_on_one_day(admin, norwich, frozen_clock):
    """The key behind the lock: a second session for the same series and day is refused by the database."""
    made = sessions.create(admin, SessionDraft(norwich.id, date(2026, 6, 16), time(16), time(17), 30, 2,
                                               "Drop-in chat", "young_people", repeat_weeks=2))[0]
    db.session.commit()
    twin = DropInSession(base_id=norwich.id, series_id=made.series_id, local_date=made.local_date,
                         starts_at=made.starts_at, ends_at=made.ends_at, slot_minutes=30, places_per_slot=2,
                         purpose="Drop-in chat", audience="young_people")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
