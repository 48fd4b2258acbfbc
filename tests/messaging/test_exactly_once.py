"""Two real workers (`flask --app webapp worker --once` processes) at the same time on the same database
(SQLite by default, PostgreSQL with TEST_DATABASE_URL): every text, email and letter reaches Notify once.

The stand-in holds every answer until a second connection has sent, so the two workers are proven to
overlap rather than merely hoped to.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from tests.helpers.worker_processes import ROOT, worker_env
from webapp import clock
from webapp.extensions import db
from webapp.messaging import service
from webapp.messaging.models import Message
from webapp.messaging.standin import NotifyStandIn

EACH = 40  # per channel: 120 messages, claimed in batches of 50


def test_two_workers_at_once_send_every_message_exactly_once(app):
    standin = NotifyStandIn(app.config["NOTIFY_API_KEY"], None, "", gate=2).start()
    try:
        past = clock.now() - timedelta(minutes=1)
        for n in range(EACH):
            service.queue(channel="sms", to=f"07700 9{n:05d}", template="verify_code",
                          personalisation={"code": f"{n:06d}"}, language="en", reference=f"sms-{n}", due_at=past)
            service.queue(channel="email", to=f"person{n}@example.org", template="sign_up_finish",
                          personalisation={"link": f"https://x.test/{n}"}, language="pl", reference=f"email-{n}",
                          due_at=past)
            address = {"lines": [f"Person {n}", "1 Elm Road", "Norwich"], "postcode": "NR1 3SR"}
            service.queue(channel="letter", to=address,
                          template="discreet_news", personalisation={"link": "https://x.test"}, language="pt",
                          reference=f"letter-{n}", due_at=past)
        db.session.commit()
        db.session.remove()

        env = {**worker_env(app), "NOTIFY_BASE_URL": standin.url, "NOTIFY_API_KEY": app.config["NOTIFY_API_KEY"],
               "NOTIFY_CALLBACK_TOKEN": app.config["NOTIFY_CALLBACK_TOKEN"]}
        command = [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--once", "--jobs", "notify-messages"]
        workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        outputs = [worker.communicate(timeout=180) for worker in workers]
        for worker, (out, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err[-2000:]
            assert "notify-messages=-1" not in out, err[-2000:]
    finally:
        standin.stop()

    references = Counter(message.reference for message in standin.received)
    assert len(references) == 3 * EACH
    assert set(references.values()) == {1}, [ref for ref, count in references.items() if count > 1]
    handled = [int(out.split("notify-messages=")[1].split()[0]) for out, _err in outputs]
    assert sum(handled) == 3 * EACH and min(handled) > 0  # both workers sent some
    statuses = dict(db.session.execute(select(Message.status, func.count()).group_by(Message.status)).all())
    assert statuses == {"sent": 3 * EACH}
    ids = db.session.scalars(select(Message.notify_id)).all()
    assert len(set(ids)) == 3 * EACH and None not in ids
