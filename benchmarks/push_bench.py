"""Push throughput at 0, 50 and 200 ms of push-service latency: the sender before (#16 item 3) and now.

The worker's job (`send_due` until nothing is due) sends due notifications to the local push
service (tests/notifications/push_service.py), which runs in its own process on the same machine,
checks every message as a real one would (VAPID JWT, headers, decrypting the aes128gcm body) and
waits `latency` before each answer, as a push service across a real network does. Measured: the
worker's notifications a second end to end, its CPU (every thread of the process) per
notification, and the push service's CPU per notification (it shares the machine's two cores).

"Before" is the sender as it was at BEFORE_REF (one message at a time), loaded from git into a
scratch package, so it can be measured again at any time; "now" is the working tree. Counts per
latency are smaller for the sequential sender, which needs latency x count seconds. Run by hand:

    python -m benchmarks push                      # SQLite in a temporary directory
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_push_bench python -m benchmarks push
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

from benchmarks.measure import database_name, scratch_database_url
from benchmarks.results import markdown_table, write_section

ROOT = Path(__file__).resolve().parents[1]
BEFORE_REF = os.environ.get("BENCH_PUSH_BEFORE_REF", "777f7ff")  # the last commit with the one-at-a-time sender
LATENCIES_MS = (0, 50, 200)
COUNTS = {"before": (2000, 400, 100), "now": (4000, 4000, 4000)}
TARGET_PER_S_AT_50_MS = 500
CONCURRENCY = 64  # PUSH_CONCURRENCY's default, which the runs use


@dataclass
class Run:
    sender: str
    latency_ms: int
    handled: int
    sent: int
    wall_s: float
    cpu_s: float
    service_cpu_s: float
    load: float  # the machine's 1-minute load average at the end of the run (2 cores; others share them)
    received: int
    distinct: int
    refused: int
    connections: int

    @property
    def per_s(self) -> float:
        return self.handled / self.wall_s

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s / self.handled * 1000

    @property
    def service_cpu_ms(self) -> float:
        return self.service_cpu_s / self.handled * 1000

    @property
    def once(self) -> bool:
        return self.received == self.distinct == self.sent == self.handled and not self.refused


def _push_service(people: int, delay: float, to_bench, from_bench) -> None:
    """The child process: a local push service with `people` fake browsers, answering after `delay`."""
    from tests.notifications.push_service import LocalPushService

    service = LocalPushService(delay=delay).start()
    to_bench.put([service.new_browser().subscription for _ in range(people)])
    from_bench.get()  # "start": count CPU from here
    started = time.process_time()
    from_bench.get()  # "stop"
    to_bench.put({"cpu_s": time.process_time() - started, "received": len(service.received),
                  "refused": len(service.refused), "distinct": len({m.payload["url"] for m in service.received}),
                  "connections": len(service.connections)})
    service.stop()


def _before_sender():
    """The sender module as it was at BEFORE_REF, with its own web push client of that time."""
    scratch = Path(tempfile.mkdtemp()) / "push_before"
    scratch.mkdir()
    (scratch / "__init__.py").write_text("")
    for name in ("sender", "webpush_client"):
        text = subprocess.run(["git", "show", f"{BEFORE_REF}:webapp/notifications/{name}.py"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
        text = text.replace("webapp.notifications.webpush_client", "push_before.webpush_client")
        (scratch / f"{name}.py").write_text(text)
    sys.path.insert(0, str(scratch.parent))
    return importlib.import_module("push_before.sender")


def _load(db, subscriptions: list[dict], count: int, now) -> None:
    from sqlalchemy import insert

    from webapp.accounts.models import User
    from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification

    people = len(subscriptions)
    db.session.execute(insert(User), [
        {"id": i + 1, "email": f"bench{i}@example.org", "password_hash": "-", "role": "young_person",
         "session_version": 1, "created_at": now} for i in range(people)])
    db.session.execute(insert(NotificationPreferences), [
        {"user_id": i + 1, "appointment_reminders": True, "goal_checkins": True, "request_updates": True,
         "discreet": i % 2 == 0, "quiet_hours": False, "quiet_start": time_of_day(21), "quiet_end": time_of_day(8)}
        for i in range(people)])
    db.session.execute(insert(PushSubscription), [
        {"user_id": i + 1, "endpoint": sub["endpoint"], "p256dh": sub["keys"]["p256dh"], "auth": sub["keys"]["auth"],
         "device_label": "Chrome on Android", "created_at": now} for i, sub in enumerate(subscriptions)])
    db.session.execute(insert(ScheduledNotification), [
        {"user_id": n % people + 1, "kind": "appointment_reminder", "subject_type": "booking",
         "subject_id": str(n), "due_at": now - timedelta(minutes=1), "next_attempt_at": now - timedelta(minutes=1),
         "expires_at": now + timedelta(hours=3), "title": "Drop-in at %(place)s", "body": "Today at %(time)s.",
         "params": {"place": "The Garage, Norwich", "time": "16:00"}, "url": f"/bookings/my/{n}",
         "status": "pending", "attempts": 0, "created_at": now, "delivered_to": []}
        for n in range(count)])
    db.session.commit()


def measure(sender_name: str, latency_ms: int, count: int) -> tuple[Run, str]:
    from sqlalchemy import func, select

    from webapp import clock, create_app
    from webapp.extensions import db
    from webapp.notifications.models import ScheduledNotification

    sender = _before_sender() if sender_name == "before" else importlib.import_module("webapp.notifications.sender")
    people = max(1, count // 10)  # ten due notifications each, one device each
    to_bench, from_bench = multiprocessing.Queue(), multiprocessing.Queue()
    child = multiprocessing.Process(target=_push_service, args=(people, latency_ms / 1000, to_bench, from_bench),
                                    daemon=True)
    child.start()
    subscriptions = to_bench.get(timeout=120)
    scratch = tempfile.mkdtemp()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_database_url(scratch), "INSTANCE_DIR": scratch})
    with app.app_context():
        database = database_name(db.engine)
        db.create_all()
        _load(db, subscriptions, count, clock.now())
        db.session.remove()
        from_bench.put("start")
        wall, cpu = time.perf_counter(), time.process_time()
        handled = 0
        while done := sender.send_due(app):
            handled += done
        wall_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        sent = db.session.scalar(select(func.count()).select_from(ScheduledNotification)
                                 .where(ScheduledNotification.status == "sent"))
        db.session.remove()
        db.engine.dispose()
    from_bench.put("stop")
    service = to_bench.get(timeout=120)
    child.join(timeout=30)
    return Run(sender_name, latency_ms, handled, sent, wall_s, cpu_s, service["cpu_s"], os.getloadavg()[0],
               service["received"],
               service["distinct"], service["refused"], service["connections"]), database


def main() -> None:
    """Every sender named in BENCH_PUSH_SENDERS ("before,now") at each latency. With BENCH_PUSH_KEEP
    set to a JSON file, runs are added to it and the section is written from every run kept there
    (so "before" and "now" can be measured in separate invocations)."""
    keep = Path(os.environ["BENCH_PUSH_KEEP"]) if os.environ.get("BENCH_PUSH_KEEP") else None
    kept = json.loads(keep.read_text()) if keep and keep.exists() else {"runs": [], "database": ""}
    runs: list[Run] = [Run(**run) for run in kept["runs"]]
    database = kept["database"]
    for sender_name in filter(None, os.environ.get("BENCH_PUSH_SENDERS", "before,now").split(",")):
        for latency_ms, count in zip(LATENCIES_MS, COUNTS[sender_name], strict=True):
            run, database = measure(sender_name, latency_ms, count)
            runs = [r for r in runs if (r.sender, r.latency_ms) != (sender_name, latency_ms)]
            runs.append(run)
            if keep:
                keep.write_text(json.dumps({"runs": [asdict(r) for r in runs], "database": database}))
            print(f"{run.sender:6} {run.latency_ms:4} ms: {run.per_s:7.0f}/s, worker CPU {run.cpu_ms:.3f} ms, "
                  f"push service CPU {run.service_cpu_ms:.3f} ms, {run.connections} connections, "
                  f"{run.handled} handled, exactly once: {run.once}", flush=True)
    if {run.sender for run in runs} == set(COUNTS):
        runs.sort(key=lambda run: (list(COUNTS).index(run.sender), run.latency_ms))
        print("written to", write_section("push", _markdown(runs, database)))


def _markdown(runs: list[Run], database: str) -> str:
    rows = [[run.sender, f"{run.latency_ms}", f"{run.handled:,}", f"{run.per_s:,.0f}", f"{run.cpu_ms:.3f}",
             f"{run.service_cpu_ms:.3f}", f"{run.connections}", f"{run.load:.1f}", "yes" if run.once else "**no**"]
            for run in runs]
    at_50 = next(run for run in runs if run.sender == "now" and run.latency_ms == 50)
    met = at_50.per_s >= TARGET_PER_S_AT_50_MS
    cores = os.cpu_count() or 1
    cpu_bound = cores * 1000 / (at_50.cpu_ms + at_50.service_cpu_ms)
    latency_bound = CONCURRENCY * 1000 / 50
    return "\n".join([
        "## Push throughput by push-service latency (#16 item 3)",
        "",
        f"Due notifications (ten each per person, one device each, half discreet) on {database}, sent by the "
        "worker's job (`send_due` until nothing is due) to the local push service in its own process on the same "
        "machine, which checks and decrypts every message and waits the given latency before answering. "
        f"\"before\" is the sender at {BEFORE_REF} (one message at a time); \"now\" sends a batch concurrently "
        "over a pool of kept-alive connections. Worker CPU counts every thread of the worker process; the push "
        "service's CPU is its own process's. Connections: TCP connections the push service saw.",
        "",
        *markdown_table(["sender", "latency ms", "notifications", "notifications/s", "worker CPU ms each",
                         "push service CPU ms each", "connections", "load average", "each sent exactly once"],
                        rows, "lrrrrrrrl"),
        "",
        f"Target: at least {TARGET_PER_S_AT_50_MS} a second end to end at 50 ms: "
        f"{'met' if met else '**not met**'} in this run ({at_50.per_s:,.0f} a second, with the machine's load "
        f"average at {at_50.load:.0f} on {cores} cores: other work was using them). What the sender can do on "
        f"{cores} cores of its own: at 50 ms, {CONCURRENCY} messages in flight allow {latency_bound:,.0f} a second, "
        f"and the CPU the worker and the push service use per notification ({at_50.cpu_ms:.2f} + "
        f"{at_50.service_cpu_ms:.2f} ms) allows {cpu_bound:,.0f} a second; the lower of the two is the ceiling.",
    ])


if __name__ == "__main__":
    main()
