"""The background worker: one loop that runs every package's due jobs.

Jobs come from `hooks.worker_jobs` (for example "send due push notifications", "deliver requests
to the front door"). Each job claims its rows atomically, so any number of workers may run.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime, hold_job_lock
from webapp.extensions import db
from webapp.hooks import hooks_for
from webapp.outbox import worker_name

log = logging.getLogger("flourish.worker")
FORGET_WORKERS_AFTER = timedelta(days=7)  # a worker silent this long has gone (a restart has a new pid)
HOUSEKEEPING_EVERY = timedelta(minutes=5)  # retention and weekly series: at most this often, cluster-wide


class WorkerHeartbeat(db.Model):
    """When each worker process last finished a pass, so the admin's system health can say whether
    one is running (the outboxes alone cannot tell "stopped" from "nothing to do")."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_pass_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class JobRun(db.Model):
    """When a job that runs at most every few minutes (housekeeping) last ran, across every worker."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)


def at_most_every(name: str, every: timedelta, job: Callable[[], int | None]) -> Callable[[], int]:
    """The worker job `job`, run once per cluster and at most every `every`: the job's lock
    (`hold_job_lock`) first, so of workers passing at the same moment one runs it; then `job_runs`,
    read under that lock, so a pass soon after (on any worker) skips it. The run's time is written
    in the job's own transaction (the worker commits after each job; a failed run is rolled back
    with it, so the next pass tries again)."""

    def run() -> int:
        if not hold_job_lock(name):
            return 0
        now = clock.now()
        row = db.session.get(JobRun, name)
        if row is not None and row.last_run_at > now - every:
            return 0
        if row is None:
            db.session.add(JobRun(name=name, last_run_at=now))
        else:
            row.last_run_at = now
        db.session.flush()
        return job() or 0

    run.__name__ = getattr(job, "__name__", name)
    return run


def beat(now: datetime | None = None) -> None:
    """This worker has finished a pass; workers silent for a week are forgotten."""
    now = now or clock.now()
    row = db.session.get(WorkerHeartbeat, worker_name())
    if row is None:
        db.session.add(WorkerHeartbeat(worker=worker_name(), started_at=now, last_pass_at=now))
    else:
        row.last_pass_at = now
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_pass_at < now - FORGET_WORKERS_AFTER))
    db.session.commit()


def last_passes() -> list[WorkerHeartbeat]:
    """Every worker seen in the last week, the latest first."""
    return list(db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_pass_at.desc())))


def run_once(app: Flask) -> dict[str, int]:
    """Run every job once; a failing job is logged and rolled back, and the others still run."""
    done: dict[str, int] = {}
    for name, job in hooks_for(app).worker_jobs:
        try:
            done[name] = job() or 0
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - one broken job must not stop the others
            db.session.rollback()
            log.error("worker job failed job=%s type=%s", name, type(error).__name__)
            done[name] = -1
        finally:
            db.session.remove()
    try:
        beat()
    except Exception as error:  # noqa: BLE001 - a missed heartbeat must not stop the worker
        db.session.rollback()
        log.error("worker heartbeat failed type=%s", type(error).__name__)
    finally:
        db.session.remove()
    return done


def run_forever(app: Flask, interval: float) -> None:
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started interval=%ss jobs=%s", interval, [n for n, _ in hooks_for(app).worker_jobs])
    while not stopping:
        results = run_once(app)
        if any(count > 0 for count in results.values()):
            log.info("worker pass %s", results)
        slept = 0.0
        while slept < interval and not stopping:
            time.sleep(0.2)
            slept += 0.2
    log.info("worker stopped")
