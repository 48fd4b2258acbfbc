"""Fixtures for bookings: bases from the data file, staff linked to a base, published sessions."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests.notifications.conftest import device, push_service  # noqa: F401 - the local push service, for offers
from webapp.bookings import places, sessions
from webapp.bookings.models import CommunityBase, Slot
from webapp.extensions import db


@pytest.fixture
def bases(app):
    places.load_bases()
    db.session.commit()
    return {base.slug: base for base in places.all_bases()}


@pytest.fixture
def norwich(bases) -> CommunityBase:
    return bases["norwich-one-stop-shop"]


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def publish(admin):
    """publish(base, day, "16:00", "18:00", minutes=30, places=2, weeks=0) -> the sessions made (committed)."""

    def make(base: CommunityBase, day: date, start: str = "16:00", end: str = "17:00", minutes: int = 30,
             places_per_slot: int = 2, weeks: int = 0, purpose: str = "Drop-in chat", audience: str = "young_people",
             fold: int | None = None):
        made = sessions.create(admin, sessions.SessionDraft(
            base.id, day, time.fromisoformat(start), time.fromisoformat(end), minutes, places_per_slot, purpose,
            audience, repeat_weeks=weeks, fold=fold))
        db.session.commit()
        return made

    return make


@pytest.fixture
def one_slot(publish, norwich, frozen_clock):
    """A single 30-minute slot with 2 places on Tuesday 16 June 2026 at 16:00 UK time."""
    session = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 2)[0]
    return db.session.get(Slot, session.slots[0].id)


@pytest.fixture
def parent(make_user):
    return make_user(role="parent")


@pytest.fixture
def young_person(make_user):
    return make_user(role="young_person", date_of_birth=date(2010, 1, 1))  # 16 in June 2026


@pytest.fixture
def reachable():
    """`reachable(user)`: give the person a device with reminders on (a place offer can reach them)."""
    from itertools import count

    from webapp.notifications.models import PushSubscription

    numbers = count(1)

    def add(user):
        db.session.add(PushSubscription(user_id=user.id, endpoint=f"https://push.example.org/{user.id}-{next(numbers)}",
                                        p256dh="p", auth="a", device_label="Chrome on Android"))
        db.session.commit()
        return user

    return add
