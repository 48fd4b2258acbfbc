"""The worker's heartbeat: every pass is recorded, so system health can tell "stopped" from "idle"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.outbox import worker_name
from webapp.worker import WorkerHeartbeat, beat, run_once


def test_each_pass_records_when_this_worker_last_ran(app, frozen_clock):
    run_once(app)
    first = db.session.get(WorkerHeartbeat, worker_name())
    assert first.started_at == first.last_pass_at == clock.now()
    clock.advance(timedelta(seconds=5))
    run_once(app)
    db.session.expire_all()
    again = db.session.get(WorkerHeartbeat, worker_name())
    assert again.started_at == clock.now() - timedelta(seconds=5) and again.last_pass_at == clock.now()


def test_workers_silent_for_a_week_are_forgotten(app, frozen_clock):
    db.session.add(WorkerHeartbeat(worker="old-host:41", started_at=clock.now() - timedelta(days=9),
                                   last_pass_at=clock.now() - timedelta(days=8)))
    db.session.add(WorkerHeartbeat(worker="other-host:7", started_at=clock.now() - timedelta(days=2),
                                   last_pass_at=clock.now() - timedelta(days=1)))
    db.session.commit()
    beat()
    assert set(db.session.scalars(select(WorkerHeartbeat.worker))) == {"other-host:7", worker_name()}
