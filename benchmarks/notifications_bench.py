"""How fast the worker sends push notifications: 10,000 due notifications to the local push service.

The local push service (tests/notifications/push_service.py) runs in its own process and checks
every message as a real one would (VAPID JWT, headers, decrypting the aes128gcm body), so its work
is not counted against the worker. The worker's side is timed as `flask worker` would run it:
claiming from the outbox, reading preferences and devices, building, encrypting and POSTing each
message, recording the outcome. Next to it, in the same run, the bare cost of encrypting the same
payloads and signing a fresh VAPID JWT for each (what sending costs with no token reuse and no
database or network at all). Written to the "notifications" section of benchmarks/RESULTS.md, with its
data-growth rows. No target is set for it yet. Run by hand, never by the test suite:

    python -m benchmarks notifications            # SQLite in a temporary directory
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flourish_notifications_bench \
        python -m benchmarks notifications
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from datetime import time as time_of_day
from datetime import timedelta

from benchmarks.measure import database_name, scratch_database_url
from benchmarks.results import Growth, markdown_table, write_section

NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", "10000"))
PEOPLE = max(1, NOTIFICATIONS // 10)  # ten due notifications each, one device each


def _push_service(people: int, to_bench, from_bench) -> None:
    """The child process: a local push service with `people` fake browsers."""
    from tests.notifications.push_service import LocalPushService

    service = LocalPushService().start()
    to_bench.put([service.new_browser().subscription for _ in range(people)])
    from_bench.get()  # "stop"
    to_bench.put({"received": len(service.received), "refused": len(service.refused),
                  "distinct_urls": len({m.payload["url"] for m in service.received})})
    service.stop()


def _load(db, subscriptions: list[dict], now) -> None:
    from sqlalchemy import insert

    from webapp.accounts.models import User
    from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification

    db.session.execute(insert(User), [
        {"id": i + 1, "email": f"bench{i}@example.org", "password_hash": "-", "role": "young_person",
         "session_version": 1, "created_at": now} for i in range(len(subscriptions))])
    db.session.execute(insert(NotificationPreferences), [
        {"user_id": i + 1, "appointment_reminders": True, "goal_checkins": True, "request_updates": True,
         "discreet": i % 2 == 0, "quiet_hours": False, "quiet_start": time_of_day(21),
         "quiet_end": time_of_day(8)}
        for i in range(len(subscriptions))])
    db.session.execute(insert(PushSubscription), [
        {"user_id": i + 1, "endpoint": sub["endpoint"], "p256dh": sub["keys"]["p256dh"], "auth": sub["keys"]["auth"],
         "device_label": "Chrome on Android", "created_at": now} for i, sub in enumerate(subscriptions)])
    per_person = NOTIFICATIONS // len(subscriptions)
    db.session.execute(insert(ScheduledNotification), [
        {"user_id": n % len(subscriptions) + 1, "kind": "appointment_reminder", "subject_type": "booking",
         "subject_id": str(n), "due_at": now - timedelta(minutes=1), "next_attempt_at": now - timedelta(minutes=1),
         "expires_at": now + timedelta(hours=3), "title": "Drop-in at %(place)s", "body": "Today at %(time)s.",
         "params": {"place": "The Garage, Norwich", "time": "16:00"}, "url": f"/bookings/my/{n}",
         "status": "pending", "attempts": 0, "created_at": now, "delivered_to": []}
        for n in range(per_person * len(subscriptions))])
    db.session.commit()


def _bare_cost(client, devices, payloads) -> float:
    """CPU seconds to encrypt every payload and sign a new VAPID JWT for each, nothing else."""
    import jwt

    started = time.process_time()
    for device, payload in zip(devices, payloads, strict=True):
        client.encrypt(payload, device)
        jwt.encode({"aud": "https://push.example", "exp": int(time.time()) + 43200, "sub": client.subject},
                   client.private_pem, algorithm="ES256")
    return time.process_time() - started


def run() -> dict:
    import json

    from sqlalchemy import func, select

    from webapp import clock, create_app
    from webapp.extensions import db
    from webapp.notifications import sender
    from webapp.notifications.models import ScheduledNotification

    to_bench, from_bench = multiprocessing.Queue(), multiprocessing.Queue()
    child = multiprocessing.Process(target=_push_service, args=(PEOPLE, to_bench, from_bench), daemon=True)
    child.start()
    subscriptions = to_bench.get(timeout=120)
    scratch = tempfile.mkdtemp()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_database_url(scratch), "INSTANCE_DIR": scratch})
    result: dict = {}
    with app.app_context():
        result["database"] = database_name(db.engine)
        db.create_all()
        _load(db, subscriptions, clock.now())
        client = sender.client_for(app)

        wall, cpu = time.perf_counter(), time.process_time()
        handled = 0
        while True:
            done = sender.send_due()
            handled += done
            if not done:
                break
        result["wall_s"] = time.perf_counter() - wall
        result["cpu_s"] = time.process_time() - cpu
        result["handled"] = handled
        result["sent"] = db.session.scalar(select(func.count()).select_from(ScheduledNotification)
                                           .where(ScheduledNotification.status == "sent"))
        result["tokens_made"] = client.tokens_made

        rows = db.session.scalars(select(ScheduledNotification).order_by(ScheduledNotification.id)).all()
        devices = [sender.Device(0, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"])
                   for sub in subscriptions]
        payloads = [json.dumps(sender.build_payload(row, sender.Choices(discreet=row.user_id % 2 == 1), "en")).encode()
                    for row in rows]
        result["bare_cpu_s"] = _bare_cost(client, [devices[(row.user_id - 1)] for row in rows], payloads)
        db.session.remove()
        db.engine.dispose()
    from_bench.put("stop")
    result["push_service"] = to_bench.get(timeout=120)
    child.join(timeout=30)
    return result


def main() -> None:
    r = run()
    n = r["handled"]
    print(f"database: {r['database']}; {n} notifications handled, {r['sent']} sent; push service received "
          f"{r['push_service']['received']} (distinct {r['push_service']['distinct_urls']}), "
          f"refused {r['push_service']['refused']}; VAPID tokens made: {r['tokens_made']}")
    print(f"{'':28} {'notifications/s':>16} {'CPU ms/notification':>20}")
    print(f"{'worker, end to end':28} {n / r['wall_s']:>16.0f} {r['cpu_s'] / n * 1000:>20.3f}")
    print(f"{'bare encrypt + sign':28} {n / r['bare_cpu_s']:>16.0f} {r['bare_cpu_s'] / n * 1000:>20.3f}")
    print(f"worker CPU is {r['cpu_s'] / r['bare_cpu_s']:.1f}x the bare cost of encrypting and signing")
    print("written to", write_section("notifications", _markdown(r), growth=_growth(r)))


def _markdown(r: dict) -> str:
    n, push = r["handled"], r["push_service"]
    rows = [["worker, end to end (`send_due` until nothing is due)", f"{n / r['wall_s']:,.0f}",
             f"{r['cpu_s'] / n * 1000:.3f}", f"{r['wall_s']:.1f}"],
            ["bare encrypt + sign a new VAPID JWT, no database or network", f"{n / r['bare_cpu_s']:,.0f}",
             f"{r['bare_cpu_s'] / n * 1000:.3f}", f"{r['bare_cpu_s']:.1f} (CPU)"]]
    delivered = push["received"] == push["distinct_urls"] == r["sent"] == n and not push["refused"]
    return "\n".join([
        "## Push notifications at scale",
        "",
        f"{n:,} due notifications ({n // PEOPLE} each for {PEOPLE:,} people, one device each, half of them "
        f"discreet) on {r['database']}, sent by the worker as `flask worker` would to the local push service "
        "(tests/notifications/push_service.py), which runs in its own process and checks every message as a real "
        "one would (VAPID JWT, headers, decrypting the aes128gcm body); its work is not counted against the "
        "worker's CPU, but shares the machine. The bare cost is the same payloads encrypted and a fresh VAPID JWT "
        "signed for each, in the same run. No target is set for this benchmark.",
        "",
        *markdown_table(["sending", "notifications/s", "CPU ms per notification", "seconds"], rows, "lrrr"),
        "",
        f"The worker's CPU is {r['cpu_s'] / r['bare_cpu_s']:.1f}× the bare cost. {r['sent']:,} of {n:,} marked "
        f"sent; the push service received {push['received']:,} ({push['distinct_urls']:,} distinct URLs) and "
        f"refused {push['refused']:,}; VAPID tokens made: {r['tokens_made']:,} for {n:,} messages. "
        f"Every notification delivered once: {'yes' if delivered else '**no**'}.",
    ])


def _growth(r: dict) -> list[Growth]:
    size = f"{r['handled']:,} notifications"
    return [
        Growth("push worker throughput", "notifications/s", [(size, r["handled"] / r["wall_s"])],
               note="one size only"),
        Growth("push worker CPU per notification", "ms", [(size, r["cpu_s"] / r["handled"] * 1000)],
               note="one size only"),
    ]


if __name__ == "__main__":
    main()
