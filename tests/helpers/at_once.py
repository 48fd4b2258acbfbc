"""Workers at the same instant: one job run by several threads, each with its own app context."""

from __future__ import annotations

import threading

from webapp.extensions import db


def at_once(app, job, workers: int) -> list[object]:
    """`job` run by `workers` threads released at the same instant, each with its own app context (its
    own session and connection) and committed as the worker commits; each result is what the job
    returned, or the exception it raised."""
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        barrier.wait()  # before touching the pool
        with app.app_context():
            try:
                results[index] = job()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
