"""Two real workers (`flask --app webapp worker --once` processes) at the same time on the same
database (SQLite by default, PostgreSQL with TEST_DATABASE_URL): every notification arrives once.

The local push service holds every answer until both workers have sent a message (it tells them
apart by their VAPID tokens: each worker process signs its own, and reuses it), so the two passes
are proven to overlap rather than merely hoped to. Each worker sends its batches concurrently, on
many connections at once, at the speed it sends in production: it claims its next batch while the
last is still out and writes a batch's outcomes back together, so the claims of both workers
interleave over several batches.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import time, timedelta

from sqlalchemy import func, select

from tests.helpers.worker_processes import ROOT, worker_env
from tests.notifications.push_service import LocalPushService
from webapp import clock
from webapp.extensions import db
from webapp.notifications import devices, service
from webapp.notifications.models import ScheduledNotification
from webapp.notifications.preferences import update_preferences

PEOPLE, EACH = 40, 25  # 1,000 notifications: five batches of 200, claimed by both workers while their last are out


def test_two_workers_at_once_send_every_notification_exactly_once(app, make_user):
    push = LocalPushService(gate=2).start()  # real time: the workers run on the real clock
    try:
        browsers = {}
        for _ in range(PEOPLE):
            user = make_user()
            update_preferences(user.id, appointment_reminders=True, goal_checkins=True, request_updates=True,
                               discreet=True, quiet_hours=False, quiet_start=time(21), quiet_end=time(8))
            browser = push.new_browser()
            devices.subscribe(user.id, browser.subscription, devices.EndpointRules(False, None))
            browsers[browser.token] = user.id
            for n in range(EACH):
                service.schedule(user_id=user.id, kind="request_update", due_at=clock.now() - timedelta(minutes=1),
                                 title="t", body="b", subject_type="support_request", subject_id=f"{user.id}-{n}",
                                 url=f"/n/{user.id}/{n}")
        db.session.commit()
        db.session.remove()

        flask = [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--once"]
        workers = [subprocess.Popen(flask, cwd=ROOT, env=worker_env(app), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=180) for worker in workers]
        for worker, (out, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err[-2000:]
            assert "push=-1" not in out, err[-2000:]
    finally:
        push.stop()

    urls = Counter(message.payload["url"] for message in push.received)
    assert len(urls) == PEOPLE * EACH
    assert set(urls.values()) == {1}, [url for url, count in urls.items() if count > 1]
    assert all(browsers[m.token] == int(m.payload["url"].split("/")[2]) for m in push.received)
    assert len({message.jwt for message in push.received}) == 2  # both workers sent some (one VAPID token each)
    handled = [int(dict(item.split("=", 1) for item in out.split() if "=" in item)["push"]) for out, _err in outputs]
    assert sum(handled) == PEOPLE * EACH and min(handled) > 0
    statuses = dict(db.session.execute(select(ScheduledNotification.status, func.count())
                                       .group_by(ScheduledNotification.status)).all())
    assert statuses == {"sent": PEOPLE * EACH}
