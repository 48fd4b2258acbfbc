from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from tests.helpers.at_once import at_once
from webapp import audit, clock, jobs
from webapp.extensions import db
from webapp.notifications import service as notifications
from webapp.notifications.models import ScheduledNotification
from webapp.retention import RULES, apply_retention
from webapp.worker import HOUSEKEEPING_EVERY, JobRun, run_pass


def test_retention_job_deletes_only_what_is_past_its_time(app, frozen_clock, make_user):
    user = make_user()
    old_sent = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    old_sent.status = "sent"
    old_pending = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    audit.record("example.old", actor_id=user.id)
    db.session.commit()
    clock.advance(timedelta(days=91))
    recent_sent = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    recent_sent.status = "sent"
    db.session.commit()

    assert apply_retention() == 1
    db.session.commit()
    left = {row.id for row in db.session.query(ScheduledNotification)}
    assert left == {old_pending.id, recent_sent.id}

    clock.advance(timedelta(days=365 * 8))
    apply_retention()
    db.session.commit()
    assert db.session.query(audit.AuditEvent).filter_by(action="example.old").count() == 0


def test_retention_runs_in_the_worker(app):
    from webapp import jobs

    assert jobs.get("retention", app).run is apply_retention


def _old_audit_event(user_id: int) -> None:
    event = audit.record("example.old", actor_id=user_id)
    event.at = clock.now() - timedelta(days=365 * 9)
    db.session.commit()


def _old_events() -> int:
    return db.session.query(audit.AuditEvent).filter_by(action="example.old").count()


@pytest.mark.parametrize("workers", [2, 4])
def test_retention_runs_once_per_cluster_and_at_most_every_few_minutes(app, frozen_clock, make_user, workers):
    retention = partial(run_pass, jobs.get("retention", app))
    user = make_user()
    for _ in range(3):
        _old_audit_event(user.id)

    results = at_once(app, retention, workers)  # workers passing at the same moment: one does the work
    assert sorted(results, key=str) == [0] * (workers - 1) + [3], results
    db.session.expire_all()
    assert _old_events() == 0
    assert db.session.get(JobRun, "retention").last_run_at == clock.now()

    _old_audit_event(user.id)
    clock.advance(HOUSEKEEPING_EVERY - timedelta(seconds=1))
    assert at_once(app, retention, workers) == [0] * workers  # ran moments ago, on some worker: skipped
    assert _old_events() == 1
    clock.advance(timedelta(seconds=2))
    assert sorted(at_once(app, retention, workers), key=str) == [0] * (workers - 1) + [1]
    db.session.expire_all()
    assert _old_events() == 0


def test_a_failed_housekeeping_run_is_tried_again_at_the_next_pass(app, frozen_clock):
    def broken():
        raise RuntimeError("boom")

    job = jobs.Job("example-housekeeping", "an example", broken, lock=jobs.CLUSTER, every=HOUSEKEEPING_EVERY)
    with pytest.raises(RuntimeError):
        run_pass(job)
    db.session.rollback()  # as the worker does: the run's time goes with the failed run
    assert db.session.get(JobRun, "example-housekeeping") is None


def test_every_retention_rule_is_over_an_indexed_column(app):
    """Retention deletes by each rule's dating column: an index leading with it, so a pass never reads whole tables."""
    for rule in RULES:
        table = rule.model().__table__
        leading = {index.columns.values()[0].name for index in table.indexes}
        assert rule.dated_by in leading, f"{rule.name}: {table.name}.{rule.dated_by} has no index"
