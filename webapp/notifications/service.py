"""The notifications outbox API that other packages call: schedule, reschedule, cancel.

Other packages call `schedule(...)` in their own transaction (a booking and its reminder commit
together), `reschedule(...)` when the thing moves and `cancel(...)` when it is called off. Nothing
is sent from a web request: the worker job in `sender.py` sends what is due.

`title` and `body` are English message ids marked with `webapp.i18n.N_`, translated into the
person's language when sent, with `params` filled in (`%(name)s` placeholders). They are shown
only to someone who turned discreet text off; everyone else sees "You have a new reminder from
Flourish". An appointment reminder also offers "I'll be there" and "Can't make it" (detailed
text only): they open `url` with `?reply=yes` or `?reply=no`, and the page there should show that
choice ready to confirm (never act on the GET itself).

Devices live in `devices.py`, preferences and quiet hours in `preferences.py`, what a message
says in `payload.py`; this module also holds the test button and the personal-data export.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from webapp import clock
from webapp.extensions import db
from webapp.notifications.models import CANCELLED, KINDS, NotificationPreferences, ScheduledNotification
from webapp.outbox import PENDING

_UNCHANGED: Any = object()


def schedule(*, user_id: int, kind: str, due_at: datetime, title: str, body: str,
             params: dict | None = None, url: str = "/", subject_type: str | None = None,
             subject_id: str | int | None = None, topic: str | None = None,
             expires_at: datetime | None = None) -> ScheduledNotification:
    """Add a notification to the outbox in the caller's transaction (the caller commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    row = ScheduledNotification(
        user_id=user_id, kind=kind, due_at=due_at, next_attempt_at=due_at, title=title, body=body,
        params=params or {}, url=url, subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id), topic=topic, expires_at=expires_at,
        status=PENDING, attempts=0, created_at=clock.now(),
    )
    db.session.add(row)
    return row


def _pending_for(subject_type: str, subject_id: str | int, kind: str | None):
    condition = ((ScheduledNotification.subject_type == subject_type)
                 & (ScheduledNotification.subject_id == str(subject_id))
                 & (ScheduledNotification.status == PENDING))
    if kind is not None:
        condition &= ScheduledNotification.kind == kind
    return condition


def cancel(subject_type: str, subject_id: str | int, kind: str | None = None) -> int:
    """Cancel what is still pending for a subject (e.g. a cancelled booking). Returns how many."""
    result = db.session.execute(
        update(ScheduledNotification).where(_pending_for(subject_type, subject_id, kind))
        .values(status=CANCELLED).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def reschedule(subject_type: str, subject_id: str | int, *, due_at: datetime, kind: str | None = None,
               expires_at: datetime | None = _UNCHANGED, params: dict | None = None,
               url: str | None = None) -> int:
    """Move what is still pending for a subject to `due_at` (e.g. a booking moved to another slot).

    Returns how many moved; 0 means nothing was pending (it was sent already), so schedule a new
    one if it is still wanted. Attempts start again from nothing at the new time.
    """
    values: dict[str, Any] = {"due_at": due_at, "next_attempt_at": due_at, "attempts": 0, "last_error": None}
    if expires_at is not _UNCHANGED:
        values["expires_at"] = expires_at
    if params is not None:
        values["params"] = params
    if url is not None:
        values["url"] = url
    result = db.session.execute(
        update(ScheduledNotification).where(_pending_for(subject_type, subject_id, kind))
        .values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def pending_for(subject_type: str, subject_id: str | int, kind: str | None = None) -> list[ScheduledNotification]:
    return list(db.session.scalars(
        select(ScheduledNotification).where(_pending_for(subject_type, subject_id, kind))
        .order_by(ScheduledNotification.due_at)))


def preferences_for(user_id: int) -> NotificationPreferences:
    """The person's preferences, created with the most private defaults on first use."""
    prefs = db.session.get(NotificationPreferences, user_id)
    if prefs is None:
        prefs = NotificationPreferences(user_id=user_id)
        db.session.add(prefs)
        db.session.flush()
    return prefs


def send_test(user_id: int) -> ScheduledNotification:
    """The "send me a test notification" button: through the outbox like any other, due now."""
    from webapp.i18n import N_

    now = clock.now()
    return schedule(user_id=user_id, kind="test", due_at=now, expires_at=now + timedelta(minutes=15),
                    title=N_("Test notification"),
                    body=N_("Reminders are working on this device."), url="/settings/notifications")


def export_for(user) -> dict[str, Any]:
    """This person's notification settings, devices and notifications, for "download my data"."""
    from webapp.notifications.devices import devices_for

    prefs = db.session.get(NotificationPreferences, user.id)
    notifications = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.user_id == user.id)
                                       .order_by(ScheduledNotification.due_at, ScheduledNotification.id))
    return {
        "preferences": None if prefs is None else {
            "appointment_reminders": prefs.appointment_reminders, "goal_checkins": prefs.goal_checkins,
            "request_updates": prefs.request_updates, "discreet": prefs.discreet,
            "quiet_hours": prefs.quiet_hours, "quiet_start": prefs.quiet_start.strftime("%H:%M"),
            "quiet_end": prefs.quiet_end.strftime("%H:%M"), "time_zone": clock.zone().key,
        },
        "devices": [{"label": d.device_label, "endpoint": d.endpoint, "added_at": d.created_at.isoformat(),
                     "last_reminder_at": d.last_success_at.isoformat() if d.last_success_at else None}
                    for d in devices_for(user.id)],
        "notifications": [{"kind": n.kind, "about": n.subject_type, "due_at": n.due_at.isoformat(),
                           "status": n.status, "title": n.title, "body": n.body, "details": n.params,
                           "sent_at": n.sent_at.isoformat() if n.sent_at else None} for n in notifications],
    }
