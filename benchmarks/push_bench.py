"""Push throughput at 0, 50 and 200 ms of push-service latency: the sender before (#16 item 3) and now.

The worker's job (`send_due` until nothing is due) sends due notifications to the local push
service (tests/notifications/push_service.py), which runs in its own process on the same machine,
checks every message as a real one would (VAPID JWT, headers, decrypting the aes128gcm body) and
waits `latency` before each answer, as a push service across a real network does. Measured: the
worker's notifications a second end to end, its CPU (every thread of the process) per
notification, and the push service's CPU per notification (it shares the machine's two cores).

Three senders, each measured against the same push service as it is now:
- "before": `sender.py` and `webpush_client.py` as at BEFORE_REF (one message at a time);
- "batched": as at BATCHED_REF (a batch sent concurrently through `requests`, each row's outcome
  written on its own);
- "now": the working tree (urllib3, outcomes written in bulk, the next batch claimed while the
  last one is still out).
The old senders are loaded from git into scratch packages, so they can be measured again at any
time (with today's `outbox.claim_due`, which they call). Counts are smaller for the sequential
sender, which needs latency x count seconds. Wall-clock throughput depends on what else the
machine is doing, so the load average is reported beside it; CPU per notification depends on it
much less. Run by hand, on a quiet machine for the figures that go in RESULTS.md:

    python -m benchmarks push                      # SQLite in a temporary directory
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_push_bench python -m benchmarks push
    BENCH_PUSH_SENDERS=now BENCH_PUSH_KEEP=/tmp/push.json python -m benchmarks push   # some senders only
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
BATCHED_REF = os.environ.get("BENCH_PUSH_BATCHED_REF", "3d6a248")  # the first concurrent sender (requests)
REFS = {"before": BEFORE_REF, "batched": BATCHED_REF}
LATENCIES_MS = (0, 50, 200)
COUNTS = {"before": (2000, 400, 100), "batched": (4000, 4000, 4000), "now": (8000, 8000, 4000)}
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
    connections: int  # TCP connections messages came on
    opened: int = -1  # TCP connections the push service accepted (-1: not counted by that run)
    load_before: float = -1.0  # the 1-minute load average as the run started

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
                  "connections": len(service.connections), "opened": service.opened})
    service.stop()


def _old_sender(name: str):
    """The sender module as it was at REFS[name], with its own web push client of that time."""
    ref, package = REFS[name], f"push_{name}"
    scratch = Path(tempfile.mkdtemp()) / package
    scratch.mkdir()
    (scratch / "__init__.py").write_text("")
    for module in ("sender", "webpush_client"):
        text = subprocess.run(["git", "show", f"{ref}:webapp/notifications/{module}.py"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
        text = text.replace("webapp.notifications.webpush_client", f"{package}.webpush_client")
        (scratch / f"{module}.py").write_text(text)
    sys.path.insert(0, str(scratch.parent))
    return importlib.import_module(f"{package}.sender")


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

    sender = _old_sender(sender_name) if sender_name in REFS else importlib.import_module("webapp.notifications.sender")
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
        load_before = os.getloadavg()[0]
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
               service["received"], service["distinct"], service["refused"], service["connections"],
               service["opened"], load_before), database


def main() -> None:
    """Every sender named in BENCH_PUSH_SENDERS ("before,now") at each latency. With BENCH_PUSH_KEEP
    set to a JSON file, runs are added to it and the section is written from every run kept there
    (so "before" and "now" can be measured in separate invocations)."""
    keep = Path(os.environ["BENCH_PUSH_KEEP"]) if os.environ.get("BENCH_PUSH_KEEP") else None
    kept = json.loads(keep.read_text()) if keep and keep.exists() else {"runs": [], "database": ""}
    runs: list[Run] = [Run(**run) for run in kept["runs"]]
    database = kept["database"]
    for sender_name in filter(None, os.environ.get("BENCH_PUSH_SENDERS", ",".join(COUNTS)).split(",")):
        for latency_ms, count in zip(LATENCIES_MS, COUNTS[sender_name], strict=True):
            run, database = measure(sender_name, latency_ms, count)
            runs = [r for r in runs if (r.sender, r.latency_ms) != (sender_name, latency_ms)]
            runs.append(run)
            if keep:
                keep.write_text(json.dumps({"runs": [asdict(r) for r in runs], "database": database}))
            print(f"{run.sender:7} {run.latency_ms:4} ms: {run.per_s:7.0f}/s, worker CPU {run.cpu_ms:.3f} ms, "
                  f"push service CPU {run.service_cpu_ms:.3f} ms, {run.opened} connections opened, "
                  f"{run.handled} handled, exactly once: {run.once}, load {run.load_before:.1f}-{run.load:.1f}",
                  flush=True)
    if {run.sender for run in runs} == set(COUNTS):
        runs.sort(key=lambda run: (list(COUNTS).index(run.sender), run.latency_ms))
        print("written to", write_section("push", _markdown(runs, database)))


def _markdown(runs: list[Run], database: str) -> str:
    rows = [[run.sender, f"{run.latency_ms}", f"{run.handled:,}", f"{run.per_s:,.0f}", f"{run.cpu_ms:.3f}",
             f"{run.service_cpu_ms:.3f}", f"{run.opened if run.opened >= 0 else run.connections}",
             f"{run.load_before:.1f}–{run.load:.1f}" if run.load_before >= 0 else f"{run.load:.1f}",
             "yes" if run.once else "**no**"]
            for run in runs]
    at_50 = next(run for run in runs if run.sender == "now" and run.latency_ms == 50)
    met = at_50.per_s >= TARGET_PER_S_AT_50_MS
    cores = os.cpu_count() or 1
    cpu_bound = cores * 1000 / (at_50.cpu_ms + at_50.service_cpu_ms)
    one_process = 1000 / at_50.cpu_ms
    latency_bound = CONCURRENCY * 1000 / 50
    return "\n".join([
        "## Push throughput by push-service latency (#16 item 3)",
        "",
        f"Due notifications (ten each per person, one device each, half discreet) on {database}, sent by the "
        "worker's job (`send_due` until nothing is due) to the local push service in its own process on the same "
        "machine, which checks and decrypts every message and waits the given latency before answering. "
        f"\"before\" is the sender at {BEFORE_REF} (one message at a time); \"batched\" the sender at {BATCHED_REF} "
        "(a batch sent concurrently through `requests`, each row's outcome written on its own); \"now\" posts "
        "through urllib3, writes a batch's outcomes in one statement and claims the next batch while the last "
        "is still out. All three send to the push service as it is now. Worker CPU counts every thread of the "
        "worker process; the push service's CPU is its own process's. Connections: TCP connections the push "
        "service accepted. Load average: the machine's, as the run started and ended.",
        "",
        *markdown_table(["sender", "latency ms", "notifications", "notifications/s", "worker CPU ms each",
                         "push service CPU ms each", "connections", "load average", "each sent exactly once"],
                        rows, "lrrrrrrrl"),
        "",
        f"Target: at least {TARGET_PER_S_AT_50_MS} a second end to end at 50 ms: "
        f"{'met' if met else '**not met**'} in this run ({at_50.per_s:,.0f} a second, the load average "
        f"{at_50.load_before:.1f}–{at_50.load:.1f} on {cores} cores). What the sender can do: at 50 ms, "
        f"{CONCURRENCY} messages in flight allow {latency_bound:,.0f} a second; one worker process (its threads "
        f"share one core) allows {one_process:,.0f} a second at {at_50.cpu_ms:.2f} ms of CPU each; the worker and "
        f"the push service together ({at_50.cpu_ms:.2f} + {at_50.service_cpu_ms:.2f} ms) allow {cpu_bound:,.0f} "
        f"a second on {cores} cores. The lowest of these is the ceiling; more `--jobs push` worker processes "
        "raise the second.",
    ])


if __name__ == "__main__":
    main()
