"""Drop-in bookings: booking throughput, and how the slot list and "My bookings" hold up as rows grow.

Builds the data in a scratch database (SQLite in a temporary folder by default, or the PostgreSQL
database named by BENCH_DATABASE_URL, dropped and made again), then times the service functions the
pages call. Run by hand:

    python -m benchmarks bookings
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_bookings_bench python -m benchmarks bookings

Reported for each size: the median time (and the number of SQL statements) to list a base's next eight
weeks of slots and one person's bookings, and bookings per second, one at a time and from 8 threads.
The target: one indexed query for each list whatever the table size; time then grows with the rows
listed (775 slots in eight weeks at the busiest base), not with the rows stored.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time as timer
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event, func, insert, select

SIZES = ((1_000, 10_000), (10_000, 100_000))  # (slots, bookings)
SLOTS_PER_SESSION = 8
REPEATS = 40
THROUGHPUT_BOOKINGS = 400
THREADS = 8


def _app(url: str):
    from webapp import create_app

    instance = tempfile.mkdtemp(prefix="flourish-bench-")
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance})


def _fresh_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='flourish-bench-')}/bench.db"
    from sqlalchemy.engine import make_url

    from tests.helpers.databases import recreate_postgres_database

    parsed = make_url(url)
    recreate_postgres_database(parsed, parsed.database)
    return url


def _build(slots: int, bookings: int, now: datetime) -> tuple[int, int]:
    """Bases from the data file; `slots` slots spread over bases and weeks; `bookings` bookings. Returns
    (the busiest base's id, a person with typical bookings)."""
    from webapp.accounts.models import User
    from webapp.bookings import places
    from webapp.bookings.models import BOOKED, Booking, DropInSession, Slot
    from webapp.extensions import db

    places.load_bases()
    db.session.commit()
    base_ids = [b.id for b in places.all_bases()]
    people = max(bookings // 10, 1)
    db.session.execute(insert(User), [
        {"email": f"bench{n}@example.org", "password_hash": "x", "role": "young_person", "session_version": 1,
         "date_of_birth": date(2008, 1, 1), "created_at": now} for n in range(people + THROUGHPUT_BOOKINGS)])
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))[:people]
    # The busiest base holds every slot ("a base with 10,000 slots"): a year back and a year ahead.
    sessions_needed = slots // SLOTS_PER_SESSION
    start_day = (now - timedelta(weeks=52)).date()
    session_rows = []
    for base_id in base_ids[:1]:
        for n in range(sessions_needed):
            day = start_day + timedelta(days=n * 728 // sessions_needed)
            starts = datetime.combine(day, time(9 + 4 * (n % 2)), tzinfo=UTC)
            session_rows.append({"base_id": base_id, "local_date": starts.date(), "starts_at": starts,
                                 "ends_at": starts + timedelta(minutes=30 * SLOTS_PER_SESSION), "slot_minutes": 30,
                                 "places_per_slot": 12, "purpose": "Drop-in", "audience": "young_people",
                                 "created_at": now})
    db.session.execute(insert(DropInSession), session_rows)
    sessions = db.session.execute(select(DropInSession.id, DropInSession.base_id, DropInSession.starts_at)).all()
    slot_rows = [{"session_id": s.id, "base_id": s.base_id, "starts_at": s.starts_at + timedelta(minutes=30 * k),
                  "ends_at": s.starts_at + timedelta(minutes=30 * (k + 1)), "places": 12, "booked": 0, "held": 0}
                 for s in sessions for k in range(SLOTS_PER_SESSION)]
    db.session.execute(insert(Slot), slot_rows)
    slot_list = db.session.execute(select(Slot.id, Slot.starts_at, Slot.ends_at)).all()
    booking_rows = []
    for n in range(bookings):
        slot = slot_list[n % len(slot_list)]
        booking_rows.append({"slot_id": slot.id, "user_id": user_ids[(n * 7919) % len(user_ids)],
                             "starts_at": slot.starts_at, "ends_at": slot.ends_at, "status": BOOKED,
                             "follow_up_needed": False, "created_at": now})
    for chunk in range(0, len(booking_rows), 20_000):
        db.session.execute(insert(Booking), booking_rows[chunk:chunk + 20_000])
    db.session.execute(Slot.__table__.update().values(booked=select(func.count()).where(
        Booking.slot_id == Slot.id).scalar_subquery()))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return base_ids[0], user_ids[len(user_ids) // 2]


def _timed(fn, repeats: int = REPEATS) -> tuple[float, int]:
    from webapp.extensions import db

    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    fn()  # warm
    times = []
    for _ in range(repeats):
        db.session.expire_all()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        began = timer.perf_counter()
        fn()
        times.append(timer.perf_counter() - began)
        event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(times) * 1000, len(statements)


def _throughput(app, base_id: int, now: datetime) -> tuple[float, float]:
    from webapp.accounts.models import User
    from webapp.bookings import service
    from webapp.bookings.models import Slot
    from webapp.extensions import db

    free = list(db.session.scalars(select(Slot.id).where(Slot.base_id == base_id, Slot.starts_at > now,
                                                         Slot.booked < Slot.places).order_by(Slot.starts_at)))
    people = list(db.session.scalars(select(User).order_by(User.id.desc()).limit(THROUGHPUT_BOOKINGS)))
    began = timer.perf_counter()
    done = 0
    for person, slot_id in zip(people[: THROUGHPUT_BOOKINGS // 2], free, strict=False):
        try:
            service.book(person, slot_id)
            db.session.commit()
            done += 1
        except service.BookingError:
            db.session.rollback()
    sequential = done / (timer.perf_counter() - began)

    ids = [p.id for p in people[THROUGHPUT_BOOKINGS // 2:]]
    target = free[len(free) // 2] if free else None
    counter = {"ok": 0}
    lock = threading.Lock()

    def work(chunk: list[int]) -> None:
        with app.app_context():
            for user_id in chunk:
                try:
                    service.book(db.session.get(User, user_id), target)
                    db.session.commit()
                    with lock:
                        counter["ok"] += 1
                except service.BookingError:
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(ids[n::THREADS],)) for n in range(THREADS)]
    began = timer.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attempts_per_second = len(ids) / (timer.perf_counter() - began)
    return sequential, attempts_per_second


def main() -> None:
    from webapp import clock
    from webapp.bookings import service
    from webapp.extensions import db

    now = datetime(2026, 6, 15, 11, tzinfo=UTC)
    clock.freeze(now)
    try:
        for slots, bookings in SIZES:
            url = _fresh_url()
            app = _app(url)
            with app.app_context():
                db.drop_all()
                db.create_all()
                built = timer.perf_counter()
                base_id, user_id = _build(slots, bookings, now)
                build_seconds = timer.perf_counter() - built
                slot_ms, slot_queries = _timed(lambda base_id=base_id: service.upcoming_slots(base_id))
                listed = len(service.upcoming_slots(base_id))
                mine_ms, mine_queries = _timed(lambda user_id=user_id: service.my_bookings(user_id))
                mine = len(service.my_bookings(user_id))
                sequential, contended = _throughput(app, base_id, now)
                print(f"{db.engine.dialect.name} slots={slots} bookings={bookings} (built in {build_seconds:.1f}s)")
                print(f"  slot list (8 weeks, {listed} slots): {slot_ms:.2f} ms median, {slot_queries} queries")
                print(f"  my bookings ({mine} rows): {mine_ms:.2f} ms median, {mine_queries} queries")
                print(f"  booking throughput: {sequential:.0f} bookings/s one at a time; "
                      f"{contended:.0f} attempts/s from {THREADS} threads on one slot (never overbooked)")
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
    finally:
        clock.freeze(None)


if __name__ == "__main__":
    main()
