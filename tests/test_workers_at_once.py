"""Issue 16, item 1: two and four whole workers passing at the same instant over due series, due wait
figures, due retention, due push reminders and due front-door deliveries: nothing done twice, nothing
missed. On SQLite and PostgreSQL (the PostgreSQL run is the one that proves the locks)."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.bookings.conftest import admin, bases  # noqa: F401 - fixtures
from tests.helpers.at_once import at_once
from tests.notifications.conftest import device, push_service  # noqa: F401 - fixtures
from tests.support.conftest import receiver, services  # noqa: F401 - fixtures
from tests.support.helpers import send
from webapp import audit, clock
from webapp.bookings import sessions
from webapp.bookings.models import DropInSession, SessionSeries
from webapp.bookings.sessions import SessionDraft
from webapp.extensions import db
from webapp.notifications import service as notifications
from webapp.outbox import SENT
from webapp.support.models import FrontDoorDelivery
from webapp.waits import service as waits
from webapp.waits.models import SNAPSHOT_ID, WaitSnapshot
from webapp.worker import JobRun, run_once

JOBS = ["drop-in-series", "wait-figures", "retention", "push", "front-door"]


def _due_series(admin_user, all_bases) -> int:  # noqa: F811 - fixtures passed in
    for base in list(all_bases.values())[:2]:
        sessions.create(admin_user, SessionDraft(base.id, date(2026, 6, 16), time(10), time(11), 30, 2,
                                                 "Drop-in chat", "young_people", repeat_weeks=4))
    db.session.commit()
    return 2


def _old_audit_events(user_id: int, count: int) -> None:
    for _ in range(count):
        event = audit.record("example.old", actor_id=user_id)
        event.at = clock.now() - timedelta(days=365 * 9)
    db.session.commit()


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_at_the_same_instant_do_every_due_thing_once(
        app, client, admin, bases, services, receiver, device, push_service, make_user,  # noqa: F811
        frozen_clock, workers):
    series = _due_series(admin, bases)
    clock.advance(timedelta(weeks=3))  # every series is due
    references = [send(client, "parent")[0] for _ in range(3)]
    phones = []
    for _ in range(4):
        person = make_user()
        phones.append(device(person))
        notifications.schedule(user_id=person.id, kind="appointment_reminder", due_at=clock.now(), title="Drop-in",
                               body="Your drop-in is soon.", url="/bookings/my/1")
    _old_audit_events(make_user().id, 3)
    clock.advance(timedelta(minutes=1))  # the wait figures changed more than their refresh gap ago

    results = at_once(app, lambda: run_once(app, JOBS), workers)

    assert all(isinstance(result, dict) for result in results), results
    assert all(count >= 0 for result in results for count in result.values()), results  # no job failed
    done = Counter()
    for result in results:
        done.update(result)

    # series: every weekly session made once
    horizon = clock.today_local() + timedelta(weeks=sessions.SERIES_WEEKS_AHEAD)
    weeks = (horizon - date(2026, 6, 16)).days // 7 + 1
    made = list(db.session.execute(select(DropInSession.series_id, DropInSession.local_date)))
    assert len(made) == len(set(made)) == series * weeks
    assert db.session.scalar(select(func.count()).select_from(SessionSeries)) == series
    # wait figures: recomputed once, by one worker, and fresh
    assert done["wait-figures"] == 1
    snapshot = db.session.get(WaitSnapshot, SNAPSHOT_ID)
    assert snapshot.computed_at == clock.now() and not waits.changed_since_refresh()
    # retention: ran once across the workers, and deleted everything due
    assert done["retention"] == 3 and sum(1 for result in results if result["retention"]) == 1
    assert db.session.query(audit.AuditEvent).filter_by(action="example.old").count() == 0
    assert db.session.get(JobRun, "retention").last_run_at == clock.now()
    # push reminders: every phone got its reminder, once
    assert [len(push_service.for_browser(phone)) for phone in phones] == [1] * len(phones)
    assert done["push"] == len(phones)
    # deliveries: every record received once
    assert sorted(got["key"] for got in receiver.received) == sorted(references)
    assert receiver.duplicates == 0 and done["front-door"] == len(references)
    assert set(db.session.scalars(select(FrontDoorDelivery.status))) == {SENT}
