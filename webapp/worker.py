"""The background worker: one loop that runs every package's due jobs.

Jobs come from `hooks.worker_jobs` (for example "send due push notifications", "deliver requests
to the front door"). Each job claims its rows atomically, so any number of workers may run.
"""

from __future__ import annotations

import logging
import signal
import time

from flask import Flask

from webapp.extensions import db
from webapp.hooks import hooks_for

log = logging.getLogger("flourish.worker")


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
