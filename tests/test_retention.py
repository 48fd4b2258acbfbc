from __future__ import annotations

from datetime import timedelta

from webapp import audit, clock
from webapp.extensions import db
from webapp.notifications import service as notifications
from webapp.notifications.models import ScheduledNotification
from webapp.retention import apply_retention


def test_retention_job_deletes_only_what_is_past_its_time(app, frozen_clock, make_user):
    user = make_user()
    old_sent = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    old_sent.status = "sent"
    old_pending = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    audit.record("example.old", actor_id=user.id)
    db.session.commit()
    clock.advance(timedelta(days=91))
    recent_sent = notifications.schedule(user_id=user.id, kind="test", due_at=clock.now(), title="t", body="b")
    recent_sent.status = "sent"
    db.session.commit()

    assert apply_retention() == 1
    db.session.commit()
    left = {row.id for row in db.session.query(ScheduledNotification)}
    assert left == {old_pending.id, recent_sent.id}

    clock.advance(timedelta(days=365 * 8))
    apply_retention()
    db.session.commit()
    assert db.session.query(audit.AuditEvent).filter_by(action="example.old").count() == 0


def test_retention_runs_in_the_worker(app):
    from webapp.hooks import hooks_for

    assert "retention" in [name for name, _job in hooks_for(app).worker_jobs]
