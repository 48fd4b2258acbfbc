"""How the goals pages, the offline sync and the reminder job hold up as goals and ratings grow, on PostgreSQL.

Builds 1,000 and 10,000 young people, each with three goals of 30 ratings and a weekly reminder, in a
scratch database (dropped and made again each run). Times, through the app: /goals/ and one goal's page
for one person, a sync of 10 offline check-ins, and a pass of the reminder job when everyone already has
a reminder pending (the steady state: it must stay cheap however many people there are). Run by hand:

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_goals_bench python -m benchmarks goals

Target: each page and the sync under 50 ms median, and the job pass under 200 ms, at 10,000 people.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import time as clock_time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from benchmarks.measure import fresh_app, median_and_p95_ms
from benchmarks.results import Growth, markdown_table, write_section

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/flourish_goals_bench"
SIZES = (1_000, 10_000)
GOALS_EACH, RATINGS_EACH = 3, 30
REPEATS = 40


def _time(fn, repeats: int = REPEATS) -> tuple[float, float]:
    return median_and_p95_ms(fn, repeats, warmups=3)


def _load(db, size: int, now) -> None:
    from webapp.accounts.models import User
    from webapp.goals.models import Goal, GoalRating, GoalSettings
    from webapp.goals.reminders import SUBJECT_TYPE
    from webapp.notifications.models import GOAL_CHECKIN, ScheduledNotification

    start = now - timedelta(weeks=RATINGS_EACH)
    db.session.execute(insert(User), [
        {"id": i, "email": f"yp{i}@bench.example", "password_hash": "x", "role": "young_person",
         "session_version": 1, "created_at": start} for i in range(1, size + 1)])
    db.session.execute(insert(GoalSettings), [
        {"user_id": i, "share_with_worker": False, "reminder_weekday": 6, "reminder_time": clock_time(18, 0),
         "dismissed_request_ids": [], "updated_at": start, "next_reminder_at": now + timedelta(days=3)}
        for i in range(1, size + 1)])
    goals = [{"id": (i - 1) * GOALS_EACH + g + 1, "user_id": i, "text": f"goal {g}", "status": "active",
              "created_at": start} for i in range(1, size + 1) for g in range(GOALS_EACH)]
    db.session.execute(insert(Goal), goals)
    batch: list[dict[str, Any]] = []
    for goal in goals:
        for r in range(RATINGS_EACH):
            batch.append({"goal_id": goal["id"], "rating": (r * 7 + goal["id"]) % 11, "recorded_at":
                          start + timedelta(weeks=r), "created_at": start})
        if len(batch) >= 10_000:
            db.session.execute(insert(GoalRating), batch)
            batch = []
    if batch:
        db.session.execute(insert(GoalRating), batch)
    db.session.execute(insert(ScheduledNotification), [
        {"user_id": i, "kind": GOAL_CHECKIN, "subject_type": SUBJECT_TYPE, "subject_id": str(i),
         "due_at": now + timedelta(days=3), "next_attempt_at": now + timedelta(days=3), "title": "t", "body": "b",
         "params": {}, "url": "/goals/", "status": "pending", "attempts": 0, "created_at": now}
        for i in range(1, size + 1)])
    for table in ("users", "goals", "goal_ratings", "goal_settings", "scheduled_notifications"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


def run(size: int, url: str) -> dict[str, Any]:
    from webapp import clock
    from webapp.extensions import db
    from webapp.goals import reminders
    from webapp.goals.models import GoalRating

    app = fresh_app(url)
    result: dict[str, Any] = {"size": size}
    with app.app_context():
        started = time.perf_counter()
        _load(db, size, clock.now())
        result["load_s"] = time.perf_counter() - started
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{size // 2}:1"
            session["_fresh"] = True
        goal_id = (size // 2 - 1) * GOALS_EACH + 1
        assert client.get("/goals/").status_code == 200
        result["/goals/"] = _time(lambda: client.get("/goals/"))
        result["/goals/<id>"] = _time(lambda: client.get(f"/goals/{goal_id}"))

        token = client.get("/goals/api/device").get_json()["csrf_token"]

        def sync():
            items = [{"id": uuid.uuid4().hex, "goal_id": goal_id, "rating": 5,
                      "recorded_at": clock.now().isoformat()} for _ in range(10)]
            assert client.post("/goals/api/check-ins", json={"check_ins": items},
                               headers={"X-CSRFToken": token}).status_code == 200

        result["sync"] = _time(sync, repeats=20)

        def job_pass():
            assert reminders.schedule_due_reminders() == 0
            db.session.commit()

        result["job"] = _time(job_pass, repeats=20)
        result["ratings"] = db.session.scalar(select(func.count()).select_from(GoalRating))
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    results = [run(size, url) for size in SIZES]
    for r in results:
        print(f"{r['size']:>7} people {r['ratings']:>8} ratings load {r['load_s']:.1f}s  "
              f"/goals/ {r['/goals/'][0]:.1f}ms  /goals/<id> {r['/goals/<id>'][0]:.1f}ms  "
              f"sync {r['sync'][0]:.1f}ms  job {r['job'][0]:.1f}ms")
    big = results[-1]
    ok = all(big[key][0] < 50 for key in ("/goals/", "/goals/<id>", "sync")) and big["job"][0] < 200
    print("target:", "met" if ok else "NOT met")
    print("written to", write_section("goals", _markdown(results, ok), growth=_growth(results)))


def _markdown(results: list[dict[str, Any]], ok: bool) -> str:
    lines = ["## Goals at scale",
             "",
             f"Young people with {GOALS_EACH} goals of {RATINGS_EACH} ratings each and a weekly reminder pending, "
             "on PostgreSQL, through the app (test client). Median / p95. Target at 10,000 people: pages and a "
             "10-check-in sync under 50 ms, a reminder-job pass (nothing due) under 200 ms.",
             ""]
    header = ["people", "ratings", "/goals/ ms", "/goals/&lt;id&gt; ms", "sync of 10 ms", "reminder job pass ms"]
    rows = [[f"{r['size']:,}", f"{r['ratings']:,}",
             *(f"{r[key][0]:.1f} / {r[key][1]:.1f}" for key in ("/goals/", "/goals/<id>", "sync", "job"))]
            for r in results]
    lines += [*markdown_table(header, rows, "rrrrrr"), "", f"Target {'met' if ok else '**not met**'}."]
    return "\n".join(lines)


def _growth(results: list[dict[str, Any]]) -> list[Growth]:
    def points(key: str) -> list[tuple[str, float]]:
        return [(f"{r['size']:,} people", r[key][0]) for r in results]

    big = results[-1]
    return [
        Growth("/goals/ median", "ms", points("/goals/"), "< 50 ms at 10k", big["/goals/"][0] < 50),
        Growth("goals sync of 10 median", "ms", points("sync"), "< 50 ms at 10k", big["sync"][0] < 50),
        Growth("goal reminder job pass median", "ms", points("job"), "< 200 ms at 10k", big["job"][0] < 200),
    ]


if __name__ == "__main__":
    main()
