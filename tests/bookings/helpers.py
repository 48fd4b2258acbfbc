"""People booking at the same moment: for the concurrency tests (tests/bookings/test_concurrency.py) and
the over-capacity ones (tests/bookings/test_over_capacity.py)."""

from __future__ import annotations

import threading

from webapp.bookings.rules import SlotJustTaken
from webapp.extensions import db


def race(app, attempts: list[tuple[int, int]], action) -> list[object]:
    """Run `action(user, slot_id)` for every (user id, slot id) at once; each result is "ok" or the exception."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def attempt(index: int, user_id: int, slot_id: int) -> None:
        from webapp.accounts.models import User

        barrier.wait()  # before touching the pool: more threads than connections would otherwise deadlock here
        with app.app_context():
            try:
                action(db.session.get(User, user_id), slot_id)
                db.session.commit()
                results[index] = "ok"
            except SlotJustTaken as error:
                results[index] = error
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, uid, sid)) for i, (uid, sid) in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
