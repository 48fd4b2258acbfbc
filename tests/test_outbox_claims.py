"""`outbox.claim_due` claims a whole batch in one statement: exactly `limit` due rows (never every
due row: as a plain subquery PostgreSQL may run the choice again for each row it updates), in
order, and never the same row twice. Run on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select

from webapp import clock
from webapp.extensions import db
from webapp.notifications import service
from webapp.notifications.models import ScheduledNotification
from webapp.outbox import PENDING, SENDING, claim_due, worker_name


def due_rows(user, count: int) -> list[int]:
    ids = []
    for n in range(count):
        row = service.schedule(user_id=user.id, kind="test" if n % 5 == 0 else "request_update",
                               due_at=clock.now() - timedelta(minutes=n % 7), title="t", body="b",
                               subject_type="support_request", subject_id=str(n), url=f"/n/{n}")
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids


def test_a_claim_takes_exactly_its_limit_in_order_and_the_next_the_rest(app, frozen_clock, make_user):
    ids = due_rows(make_user(), 30)
    first = claim_due(ScheduledNotification, limit=12)
    assert len(first) == 12
    assert [(row.next_attempt_at, row.id) for row in first] == sorted((row.next_attempt_at, row.id) for row in first)
    assert all(row.status == SENDING and row.claimed_by == worker_name() for row in first)
    second = claim_due(ScheduledNotification, limit=50)
    assert len(second) == 18
    assert max(row.next_attempt_at for row in first) <= min(row.next_attempt_at for row in second)
    assert sorted(row.id for row in first + second) == sorted(ids)
    assert claim_due(ScheduledNotification, limit=50) == []
    statuses = dict(db.session.execute(select(ScheduledNotification.status, func.count())
                                       .group_by(ScheduledNotification.status)).all())
    assert statuses == {SENDING: 30}


def test_first_orders_the_claim_before_the_due_time(app, frozen_clock, make_user):
    due_rows(make_user(), 20)
    tests_first = case((ScheduledNotification.kind == "test", 0), else_=1)
    rows = claim_due(ScheduledNotification, limit=6, first=tests_first)
    assert [row.kind for row in rows] == ["test"] * 4 + ["request_update"] * 2
    kept = db.session.scalar(select(func.count()).where(ScheduledNotification.status == PENDING))
    assert kept == 14
