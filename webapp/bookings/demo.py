"""Demo drop-ins: the bases from the data file, weekly sessions at a few, and a booking or two."""

from __future__ import annotations

import contextlib
from datetime import time, timedelta

from webapp import clock
from webapp.accounts.service import find_by_email
from webapp.bookings import places, rules, service, sessions
from webapp.bookings.rules import BookingError

# (base slug, weekday 0=Monday, start, end, slot minutes, places, what for, who for)
DEMO_SERIES = (
    ("norwich-one-stop-shop", 1, time(16, 0), time(18, 0), 30, 2, "Drop-in chat: how things are going",
     "young_people"),
    ("norwich-one-stop-shop", 5, time(10, 0), time(12, 0), 30, 2, "Saturday drop-in", "young_people"),
    ("great-yarmouth-one-stop-shop", 3, time(15, 0), time(18, 0), 30, 2, "Drop-in chat", "young_people"),
    ("lowestoft-community-base", 2, time(15, 30), time(17, 30), 20, 1, "Parents and carers drop-in", "parents"),
    ("kings-lynn-one-stop-shop", 0, time(14, 0), time(16, 0), 30, 2, "Drop-in chat", "young_people"),
    ("cromer-one-stop-shop", 4, time(13, 0), time(15, 0), 30, 1, "Drop-in chat", "everyone"),
    ("thetford-one-stop-shop", 2, time(16, 0), time(18, 0), 30, 2, "Drop-in chat", "young_people"),
)


def seed() -> None:
    places.load_bases()
    staff = find_by_email("base.staff@demo.flourish")
    admin = find_by_email("admin@demo.flourish")
    for slug in ("norwich-one-stop-shop", "lowestoft-community-base"):
        base = places.base_by_slug(slug)
        if staff is not None and base is not None:
            places.assign_staff(staff.id, base.id)
    if admin is None:
        return
    today = clock.today_local()
    for slug, weekday, start, end, minutes, count, purpose, audience in DEMO_SERIES:
        base = places.base_by_slug(slug)
        first = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        sessions.create(admin, sessions.SessionDraft(base.id, first, start, end, minutes, count, purpose, audience,
                                                     repeat_weeks=sessions.SERIES_WEEKS_AHEAD))
    person = find_by_email("young.person@demo.flourish")
    norwich = places.base_by_slug("norwich-one-stop-shop")
    if person is not None:
        slots = rules.next_free_slots(norwich.id, limit=1)
        if slots:
            with contextlib.suppress(BookingError):
                service.book(person, slots[0].id)
