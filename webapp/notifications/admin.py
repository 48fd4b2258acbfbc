"""What admins see of the notifications outbox: counts by state, and what failed and why."""

from __future__ import annotations

from sqlalchemy import func, select, update

from webapp import audit, clock
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.outbox import FAILED, PENDING


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(ScheduledNotification.status, func.count())
                              .group_by(ScheduledNotification.status))
    return {status: count for status, count in rows}


def failed(limit: int = 100) -> list[ScheduledNotification]:
    """The newest failures first. Ids and the push service's answer only, never the text."""
    return list(db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.status == FAILED)
                                   .order_by(ScheduledNotification.due_at.desc(), ScheduledNotification.id.desc())
                                   .limit(limit)))


def try_again(notification_id: int, actor_id: int) -> bool:
    """Put a failed notification back in the outbox, due now, with its attempts reset."""
    result = db.session.execute(
        update(ScheduledNotification)
        .where(ScheduledNotification.id == notification_id, ScheduledNotification.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=clock.now(), claimed_by=None)
        .execution_options(synchronize_session=False))
    if result.rowcount:
        audit.record("notification.retried", actor_id=actor_id, subject_type="notification",
                     subject_id=notification_id)
    return bool(result.rowcount)
