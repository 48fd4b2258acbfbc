"""The background worker: one loop that runs the registered jobs (`webapp.jobs`), or those chosen
with `--jobs`.

Each job is safe with any number of workers: it claims its rows atomically, or holds its lock for
the pass (`Job.lock`); a job that runs at most every few minutes reads its last run under that lock.
Each pass of a job runs under its time budget (`Job.budget`), so one slow job does not hold back the
others on the same worker.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock, jobs
from webapp.database import UTCDateTime, hold_job_lock
from webapp.extensions import db
from webapp.outbox import worker_name

log = logging.getLogger("flourish.worker")
FORGET_WORKERS_AFTER = timedelta(days=7)  # a worker silent this long has gone (a restart has a new pid)
HOUSEKEEPING_EVERY = jobs.HOUSEKEEPING_EVERY


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


def _ran_recently(name: str, every: timedelta) -> bool:
    """Read under the job's lock: True when any worker ran the job less than `every` ago; otherwise its
    run is recorded now, in the job's own transaction (a failed run is rolled back with it, so the
    next pass tries again)."""
    now = clock.now()
    row = db.session.get(JobRun, name)
    if row is not None and row.last_run_at > now - every:
        return True
    if row is None:
        db.session.add(JobRun(name=name, last_run_at=now))
    else:
        row.last_run_at = now
    db.session.flush()
    return False


def run_pass(job: jobs.Job) -> int:
    """One pass of `job` under its time budget. A `CLUSTER` job (and any job with `every`) first takes
    the job's lock (`hold_job_lock`), so of workers passing at the same moment one runs it; with
    `every`, `job_runs` (read under that lock) makes a pass soon after, on any worker, skip it."""
    with jobs.budget(job.budget.total_seconds()):
        if (job.lock == jobs.CLUSTER or job.every is not None) and not hold_job_lock(job.name):
            return 0
        if job.every is not None and _ran_recently(job.name, job.every):
            return 0
        return job.run() or 0


def last_runs() -> dict[str, datetime]:
    """When each job that runs at most every few minutes last ran, across the cluster."""
    return {row.name: row.last_run_at for row in db.session.scalars(select(JobRun))}


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


def run_once(app: Flask, names: str | list[str] | None = None) -> dict[str, int]:
    """Run each job (those named, or all) once; a failing job is logged and rolled back, and the others
    still run."""
    done: dict[str, int] = {}
    for job in jobs.choose(names, app):
        try:
            done[job.name] = run_pass(job)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - one broken job must not stop the others
            db.session.rollback()
            log.error("worker job failed job=%s type=%s", job.name, type(error).__name__)
            done[job.name] = -1
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


def run_forever(app: Flask, interval: float, names: str | list[str] | None = None) -> None:
    chosen = [job.name for job in jobs.choose(names, app)]  # an unknown name stops it here, before a pass
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started interval=%ss jobs=%s", interval, ",".join(chosen))
    while not stopping:
        results = run_once(app, chosen)
        if any(count > 0 for count in results.values()):
            log.info("worker pass %s", results)
        slept = 0.0
        while slept < interval and not stopping:
            time.sleep(0.2)
            slept += 0.2
    log.info("worker stopped")
