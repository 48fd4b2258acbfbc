"""The daily wait-well pass at scale, on PostgreSQL: choosing who is due a check-in and queueing their
notifications, with 5,000 and 50,000 people waiting (half signed in, so half get a notification).

Each size is built in a scratch database (dropped and made again each run), with every request sent
more than four weeks ago, so everyone is due. Times one pass of `ask_due` (the whole pass, one
transaction, committed), then a second pass when nobody is due (the steady state). Run by hand:

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_checkins_bench python -m benchmarks checkins

Target: the pass under 10 s at 50,000 people waiting.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from benchmarks.measure import fresh_app
from benchmarks.results import Growth, markdown_table, write_section

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/flourish_checkins_bench"
SIZES = (5_000, 50_000)


def _load(db, size: int, now) -> None:
    from webapp.accounts.models import User
    from webapp.support.models import SupportRequest

    sent = now - timedelta(weeks=5)
    signed_in = size // 2
    db.session.execute(insert(User), [
        {"id": i, "email": f"p{i}@bench.example", "password_hash": "x", "role": "parent", "session_version": 1,
         "created_at": sent} for i in range(1, signed_in + 1)])
    for start in range(0, size, 10_000):
        db.session.execute(insert(SupportRequest), [
            {"id": i, "reference": f"FL-{i:04d}-{i % 9999:04d}"[:20], "requester_type": "parent",
             "requester_user_id": i if i <= signed_in else None, "priority": "routine", "status": "received",
             "received_at": sent, "updated_at": sent, "young_person_date_of_birth": date(2012, 3, 27),
             "answers": {}, "fhir_record": "{}", "trackable": True}
            for i in range(start + 1, min(start + 10_000, size) + 1)])
    db.session.commit()


def _run(url: str, size: int) -> dict[str, float]:
    from webapp import clock
    from webapp.checkins import service
    from webapp.checkins.models import WaitCheckIn
    from webapp.extensions import db
    from webapp.notifications.models import ScheduledNotification

    app = fresh_app(url)
    with app.app_context():
        now = clock.now()
        _load(db, size, now)
        started = time.perf_counter()
        asked = service.ask_due()
        db.session.commit()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = service.ask_due()
        db.session.commit()
        steady = time.perf_counter() - started
        check_ins = db.session.scalar(select(func.count()).select_from(WaitCheckIn))
        notes = db.session.scalar(select(func.count()).select_from(ScheduledNotification))
        assert asked == size == check_ins and again == 0 and notes == size // 2, (asked, check_ins, notes)
        db.session.remove()
    return {"pass_s": first, "steady_ms": steady * 1000}


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    results = {size: _run(url, size) for size in SIZES}
    rows = [(f"{size:,}", f"{r['pass_s']:.2f}", f"{r['steady_ms']:.0f}") for size, r in results.items()]
    for row in rows:
        print("waiting={} pass={} s steady={} ms".format(*row))
    lines = ["## Wait well: the daily check-in pass", "",
             "One pass of `ask_due` when everyone waiting is due (choosing who, writing their check-ins and "
             "queueing a notification for each signed-in requester, in one transaction), and a pass when "
             "nobody is due. PostgreSQL, `python -m benchmarks checkins`.", "",
             *markdown_table(("people waiting", "pass (s)", "nobody due (ms)"), rows, "rrr"), "",
             "Target: under 10 s at 50,000."]
    write_section("Wait well: the daily check-in pass", "\n".join(lines), growth=[
        Growth("check-in pass", "s", [(f"{size:,} waiting", round(r["pass_s"], 2)) for size, r in results.items()],
               target="< 10 s at 50,000")])
