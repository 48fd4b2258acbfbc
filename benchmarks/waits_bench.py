"""How fast /waits and /api/v1/waits answer with 10k and 100k requests (~1M status events) in PostgreSQL.

Builds the data in a scratch database (dropped and made again each run), refreshes the published
figures as the worker would, then times the pages through the app. Run by hand:

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_waits_bench python -m benchmarks waits

The target: under 50 ms median for both URLs at 100k requests.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from sqlalchemy import func, select

from benchmarks.measure import fresh_app, median_and_p95_ms
from benchmarks.results import Growth, markdown_table, write_section
from webapp.waits.demo import synthetic_requests

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/flourish_waits_bench"
SIZES = (10_000, 100_000)
EXTRA_NOTES = 7  # "still waiting" notes per allocated request: about 10 events a request, as in the brief
REPEATS = 60

REQUEST_COLUMNS = ("id", "reference", "requester_user_id", "requester_type", "priority", "status", "thrive_group",
                   "service_id", "received_at", "updated_at", "young_person_date_of_birth", "answers", "trackable")
EVENT_COLUMNS = ("request_id", "status", "occurred_at", "service_id", "thrive_group", "actor")


def _rows(services, now, size: int) -> list[dict[str, Any]]:
    """About `size` requests of a year's synthetic flow (the demo generator, scaled up)."""
    base = sum(1 for _ in synthetic_requests(services, now))
    rows = list(synthetic_requests(services, now, scale=size / base * 1.02, extra_notes=EXTRA_NOTES))
    return rows[:size]


def _copy(db, rows: list[dict[str, Any]]) -> int:
    """COPY the requests and events in (the fast path PostgreSQL offers); returns events written."""
    events = 0
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY support_requests ({', '.join(REQUEST_COLUMNS)}) FROM STDIN") as copy:
            for i, row in enumerate(rows, start=1):
                row["id"] = i
                row.setdefault("trackable", True)
                copy.write_row([json.dumps(row[c]) if c == "answers" else row[c] for c in REQUEST_COLUMNS])
        with cursor.copy(f"COPY request_status_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                for event in row["events"]:
                    copy.write_row([row["id"], event["status"], event["occurred_at"], event["service_id"],
                                    event["thrive_group"], event["actor"]])
                    events += 1
        cursor.execute("SELECT setval(pg_get_serial_sequence('support_requests', 'id'), "
                       "(SELECT max(id) FROM support_requests))")
        cursor.execute("ANALYZE support_requests")
        cursor.execute("ANALYZE request_status_events")
        raw.commit()
    finally:
        raw.close()
    return events


def _time(fn, repeats: int = REPEATS) -> tuple[float, float]:
    return median_and_p95_ms(fn, repeats, warmups=5)


def run(size: int, url: str) -> dict[str, Any]:
    from webapp import clock
    from webapp.directory.service import services, sync_services_from_data
    from webapp.extensions import db
    from webapp.support.models import ALLOCATED, RequestStatusEvent, SupportRequest
    from webapp.waits import service

    app = fresh_app(url)
    result: dict[str, Any] = {"size": size}
    with app.app_context():
        sync_services_from_data()
        db.session.commit()
        started = time.perf_counter()
        rows = _rows(services(), clock.now(), size)
        result["events"] = _copy(db, rows)
        result["requests"] = db.session.scalar(select(func.count()).select_from(SupportRequest))
        result["load_s"] = time.perf_counter() - started
        assert result["events"] == db.session.scalar(select(func.count()).select_from(RequestStatusEvent))

        started = time.perf_counter()
        service.refresh_snapshot()
        db.session.commit()
        result["refresh_ms"] = (time.perf_counter() - started) * 1000

        client = app.test_client()
        for path in ("/waits", "/api/v1/waits"):
            assert client.get(path).status_code == 200
            result[path] = _time(lambda path=path: client.get(path))
        waiting = db.session.scalars(select(SupportRequest).where(SupportRequest.status == ALLOCATED)
                                     .order_by(SupportRequest.id.desc()).limit(1)).first()
        result["estimate"] = _time(lambda: service.personal_estimate(waiting), repeats=20)
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    results = [run(size, url) for size in SIZES]
    print(f"{'requests':>9} {'events':>9} {'load s':>7} {'refresh ms':>11} {'/waits ms (med/p95)':>20} "
          f"{'/api/v1/waits ms':>18} {'estimate ms':>12}")
    for r in results:
        print(f"{r['requests']:>9} {r['events']:>9} {r['load_s']:>7.1f} {r['refresh_ms']:>11.0f} "
              f"{r['/waits'][0]:>9.1f} / {r['/waits'][1]:<8.1f} {r['/api/v1/waits'][0]:>7.1f} / "
              f"{r['/api/v1/waits'][1]:<8.1f} {r['estimate'][0]:>6.1f}")
    small, big = results[0], results[-1]
    print("growth from {:,} to {:,} requests: refresh x{:.1f}, /waits x{:.2f}, /api/v1/waits x{:.2f}, "
          "estimate x{:.2f}".format(
              small["requests"], big["requests"], big["refresh_ms"] / small["refresh_ms"],
              big["/waits"][0] / small["/waits"][0], big["/api/v1/waits"][0] / small["/api/v1/waits"][0],
              big["estimate"][0] / small["estimate"][0]))
    ok = all(big[path][0] < 50 for path in ("/waits", "/api/v1/waits"))
    print("target (median under 50 ms at 100k requests):", "met" if ok else "NOT met")
    print("written to", write_section("waits", _markdown(results, ok), growth=_growth(results)))


def _markdown(results: list[dict[str, Any]], ok: bool) -> str:
    lines = ["## Waits at scale",
             "",
             "`/waits` and `/api/v1/waits` through the app (test client) on PostgreSQL, with synthetic requests "
             f"and about {results[-1]['events'] / results[-1]['requests']:.0f} status events each; the published "
             "figures refreshed as the worker "
             f"would. Median / p95 of {REPEATS} calls. Target: median under 50 ms for both URLs at 100k requests.",
             ""]
    header = ["requests", "events", "load s", "refresh ms", "/waits ms (med / p95)", "/api/v1/waits ms (med / p95)",
              "personal estimate ms (med)"]
    rows = [[f"{r['requests']:,}", f"{r['events']:,}", f"{r['load_s']:.1f}", f"{r['refresh_ms']:.0f}",
             *(f"{r[key][0]:.1f} / {r[key][1]:.1f}" for key in ("/waits", "/api/v1/waits")), f"{r['estimate'][0]:.1f}"]
            for r in results]
    lines += [*markdown_table(header, rows, "rrrrrrr"), "", f"Target {'met' if ok else '**not met**'}."]
    return "\n".join(lines)


def _growth(results: list[dict[str, Any]]) -> list[Growth]:
    def points(key: str, index: int | None = 0) -> list[tuple[str, float]]:
        return [(f"{r['requests']:,} requests", r[key] if index is None else r[key][index]) for r in results]

    big = results[-1]
    return [
        Growth("/waits median", "ms", points("/waits"), "< 50 ms at 100k", big["/waits"][0] < 50),
        Growth("/api/v1/waits median", "ms", points("/api/v1/waits"), "< 50 ms at 100k",
               big["/api/v1/waits"][0] < 50),
        Growth("refresh of the published figures", "ms", points("refresh_ms", None)),
        Growth("personal estimate median", "ms", points("estimate")),
    ]


if __name__ == "__main__":
    main()
