"""Drop-in bookings: booking throughput, and how the slot list and "My bookings" hold up as rows grow.

Builds the data in a scratch database (SQLite in a temporary folder by default, or the PostgreSQL
database named by BENCH_DATABASE_URL, dropped and made again), then times the service functions the
pages call. Run by hand:

    python -m benchmarks bookings
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_bookings_bench python -m benchmarks bookings

Reported for each size: the median and p95 time (and the number of SQL statements) to list a base's next
eight weeks of slots and one person's bookings, and bookings per second, one at a time and from 8 threads;
written to the "bookings" section of benchmarks/RESULTS.md, with its data-growth rows.
The target: one indexed query for each list whatever the table size; time then grows with the rows
listed (775 slots in eight weeks at the busiest base), not with the rows stored.
"""

from __future__ import annotations

import tempfile
import threading
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, insert, select

from benchmarks.measure import database_name, median_and_p95_ms, scratch_database_url
from benchmarks.results import Growth, markdown_table, met_cell, write_section

SIZES = ((1_000, 10_000), (10_000, 100_000))  # (slots, bookings)
SLOTS_PER_SESSION = 8
REPEATS = 40
THROUGHPUT_BOOKINGS = 400
THREADS = 8


def _app():
    from webapp import create_app

    instance = tempfile.mkdtemp(prefix="flourish-bench-")
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_database_url(instance), "INSTANCE_DIR": instance})


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


def _timed(fn) -> tuple[float, float, int]:
    """Median and p95 ms of `fn` with the session emptied before each call, and the SQL statements one
    call sends."""
    from webapp.extensions import db

    median, p95 = median_and_p95_ms(fn, REPEATS, warmups=1, setup=db.session.expire_all)
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return median, p95, len(statements)


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


def run(slots: int, bookings: int, now: datetime) -> dict[str, Any]:
    from webapp.bookings import rules, service
    from webapp.extensions import db

    app = _app()
    result: dict[str, Any] = {"slots": slots, "bookings": bookings}
    with app.app_context():
        result["database"] = database_name(db.engine)
        db.drop_all()
        db.create_all()
        built = timer.perf_counter()
        base_id, user_id = _build(slots, bookings, now)
        result["build_s"] = timer.perf_counter() - built
        *result["slot_list"], result["slot_queries"] = _timed(lambda: rules.upcoming_slots(base_id))
        result["listed"] = len(rules.upcoming_slots(base_id))
        *result["mine"], result["mine_queries"] = _timed(lambda: service.my_bookings(user_id))
        result["mine_rows"] = len(service.my_bookings(user_id))
        result["sequential"], result["contended"] = _throughput(app, base_id, now)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return result


def main() -> None:
    from webapp import clock

    now = datetime(2026, 6, 15, 11, tzinfo=UTC)
    clock.freeze(now)
    try:
        results = [run(slots, bookings, now) for slots, bookings in SIZES]
    finally:
        clock.freeze(None)
    for r in results:
        print(f"{r['database']} slots={r['slots']} bookings={r['bookings']} (built in {r['build_s']:.1f}s)")
        print(f"  slot list (8 weeks, {r['listed']} slots): {r['slot_list'][0]:.2f} ms median, "
              f"{r['slot_list'][1]:.2f} ms p95, {r['slot_queries']} queries")
        print(f"  my bookings ({r['mine_rows']} rows): {r['mine'][0]:.2f} ms median, {r['mine'][1]:.2f} ms p95, "
              f"{r['mine_queries']} queries")
        print(f"  booking throughput: {r['sequential']:.0f} bookings/s one at a time; "
              f"{r['contended']:.0f} attempts/s from {THREADS} threads on one slot (never overbooked)")
    ok = _one_query_each(results)
    print("target (one query for each list at every size):", "met" if ok else "NOT met")
    print("written to", write_section("bookings", _markdown(results, ok), growth=_growth(results)))


def _one_query_each(results: list[dict[str, Any]], *keys: str) -> bool:
    return all(r[key] == 1 for r in results for key in keys or ("slot_queries", "mine_queries"))


def _size(r: dict[str, Any]) -> str:
    return f"{r['slots']:,} slots, {r['bookings']:,} bookings"


def _per_slot_us(r: dict[str, Any]) -> float:
    return r["slot_list"][0] * 1000 / max(r["listed"], 1)


def _markdown(results: list[dict[str, Any]], ok: bool) -> str:
    rows = [[f"{r['slots']:,}", f"{r['bookings']:,}", f"{r['listed']:,}",
             f"{r['slot_list'][0]:.2f} / {r['slot_list'][1]:.2f}", r["slot_queries"],
             f"{_per_slot_us(r):.1f}", f"{r['mine_rows']:,}", f"{r['mine'][0]:.2f} / {r['mine'][1]:.2f}",
             r["mine_queries"], f"{r['sequential']:,.0f}", f"{r['contended']:,.0f}",
             met_cell(r["slot_queries"] == 1 and r["mine_queries"] == 1)] for r in results]
    header = ["slots stored", "bookings stored", "slots listed", "slot list ms (med / p95)",
              "queries", "µs per slot listed", "my bookings rows", "my bookings ms (med / p95)", "queries",
              "bookings/s one at a time", f"attempts/s, {THREADS} threads, one slot", "one query each (met)"]
    return "\n".join([
        "## Drop-in bookings at scale",
        "",
        f"On {results[0]['database']}, through the service functions the pages call (the session emptied before "
        f"each call). The busiest base holds every slot, a year back and a year ahead; the slot list is its next "
        f"eight weeks, \"my bookings\" one person's (about ten each). Median / p95 of {REPEATS} calls, and the SQL "
        f"statements one call sends. Throughput: {THROUGHPUT_BOOKINGS // 2} people booking free slots one after "
        f"another, then {THROUGHPUT_BOOKINGS // 2} attempts from {THREADS} threads at one slot (never overbooked). "
        "Target: one indexed query for each list whatever the table size, so time grows with the rows listed, "
        "not with the rows stored.",
        "",
        *markdown_table(header, rows, "rrrrrrrrrrrl"),
        "",
        f"Target {'met' if ok else '**not met**'}: one query for each list at every size.",
    ])


def _growth(results: list[dict[str, Any]]) -> list[Growth]:
    listed = " → ".join(f"{r['listed']:,}" for r in results)
    mine = " → ".join(f"{r['mine_rows']:,}" for r in results)
    return [
        Growth("slot list (8 weeks) median", "ms", [(_size(r), r["slot_list"][0]) for r in results],
               "1 query at every size", _one_query_each(results, "slot_queries"), note=f"{listed} slots listed"),
        Growth("slot list per slot listed", "µs", [(_size(r), _per_slot_us(r)) for r in results]),
        Growth("my bookings median", "ms", [(_size(r), r["mine"][0]) for r in results],
               "1 query at every size", _one_query_each(results, "mine_queries"), note=f"{mine} rows listed"),
        Growth("bookings one at a time", "bookings/s", [(_size(r), r["sequential"]) for r in results]),
    ]


if __name__ == "__main__":
    main()
