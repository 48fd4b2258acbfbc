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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from webapp import clock
from webapp.extensions import db
from webapp.notifications.models import (
    CANCELLED,
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    KINDS,
    TEST,
    NotificationPreferences,
    ScheduledNotification,
)
from webapp.outbox import PENDING

_UNCHANGED: Any = object()


@dataclass(frozen=True)
class SubjectHooks:
    """What a package wants to hear about its own notifications (e.g. a place offered from a waiting
    list: the hold starts when the offer is sent, and an offer nobody can be told passes on).

    `before_send(row, now) -> bool` runs in the worker just before a claimed notification is
    pushed: False drops it (what it was about is over); it may change `row.params` (reassign the
    dict) and `row.expires_at`, and its writes are committed before the push service is called.
    `after_outcome(row, now)` runs in the same transaction as the notification's final state
    (sent, failed, no_device, expired, not_wanted, cancelled); never for a retry or quiet hours.
    """

    before_send: Callable[[ScheduledNotification, datetime], bool] | None = None
    after_outcome: Callable[[ScheduledNotification, datetime], None] | None = None


_SUBJECT_HOOKS: dict[str, SubjectHooks] = {}


def listen(subject_type: str, hooks: SubjectHooks) -> None:
    """Register a package's hooks for the notifications about its `subject_type` (once per process)."""
    _SUBJECT_HOOKS[subject_type] = hooks


def hooks_for_subject(subject_type: str | None) -> SubjectHooks | None:
    return None if subject_type is None else _SUBJECT_HOOKS.get(subject_type)


@dataclass(frozen=True)
class Reach:
    """How a person can be told something of a kind now: on how many devices, and from when."""

    devices: int
    wanted: bool
    from_at: datetime | None  # when it could arrive (the end of quiet hours, or now); None: no way to tell them
    quiet_start: Any = None
    quiet_end: Any = None

    @property
    def possible(self) -> bool:
        return self.from_at is not None


def reach(user_id: int, kind: str, now: datetime | None = None) -> Reach:
    """Whether a notification of `kind` could reach the person, and the first moment it could arrive:
    no device with reminders on, or that kind turned off, is no way at all; inside quiet hours it is
    their end (what the sender does)."""
    from webapp.notifications.models import PushSubscription
    from webapp.notifications.preferences import quiet_until, wants

    now = now or clock.now()
    devices = db.session.scalar(select(func.count()).select_from(PushSubscription)
                                .where(PushSubscription.user_id == user_id)) or 0
    prefs = db.session.get(NotificationPreferences, user_id) or NotificationPreferences(
        user_id=user_id, appointment_reminders=True, goal_checkins=True, request_updates=True, discreet=True,
        quiet_hours=True, quiet_start=DEFAULT_QUIET_START, quiet_end=DEFAULT_QUIET_END)
    wanted = wants(prefs, kind)
    from_at = None
    if devices and wanted:
        from_at = now if kind == TEST else (quiet_until(prefs, now) or now)
    return Reach(devices, wanted, from_at, prefs.quiet_start if prefs.quiet_hours else None,
                 prefs.quiet_end if prefs.quiet_hours else None)


def error_in_words(error: str | None):
    """A sender's error (kept in English for admins) as a reason a person can read, with the push
    service's own code when it gave one."""
    from flask_babel import lazy_gettext as _l

    if not error:
        return None
    code = next((word.strip("()") for word in error.split() if word.strip("()").isdigit()), None)
    if error.startswith("could not reach"):
        return _l("we could not reach your browser's push service")
    if "refused our key" in error:
        return _l("your browser's push service did not accept our key (code %(code)s)", code=code)
    if "refused" in error:
        return _l("your browser's push service refused it (code %(code)s)", code=code)
    return _l("your browser's push service was busy (code %(code)s)", code=code)


def last_test(user_id: int) -> ScheduledNotification | None:
    """The newest test notification the person asked for, to show how it went (refusals included)."""
    return db.session.scalar(select(ScheduledNotification).where(
        ScheduledNotification.user_id == user_id, ScheduledNotification.kind == TEST)
        .order_by(ScheduledNotification.created_at.desc(), ScheduledNotification.id.desc()).limit(1))


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


def schedule_many(notifications: list[dict[str, Any]]) -> int:
    """Many notifications at once, as `schedule` would add each (its keyword arguments, as dicts), in
    one multi-row INSERT: for a job that queues thousands in a pass. The caller commits."""
    from sqlalchemy import insert

    now = clock.now()
    rows = []
    for given in notifications:
        if given["kind"] not in KINDS:
            raise ValueError(f"unknown notification kind {given['kind']!r}")
        subject_id = given.get("subject_id")
        rows.append({"user_id": given["user_id"], "kind": given["kind"], "due_at": given["due_at"],
                     "next_attempt_at": given["due_at"], "title": given["title"], "body": given["body"],
                     "params": given.get("params") or {}, "url": given.get("url", "/"),
                     "subject_type": given.get("subject_type"),
                     "subject_id": None if subject_id is None else str(subject_id), "topic": given.get("topic"),
                     "expires_at": given.get("expires_at"), "status": PENDING, "attempts": 0, "created_at": now})
    if rows:
        db.session.execute(insert(ScheduledNotification), rows)
    return len(rows)


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


def is_discreet(user_id: int) -> bool:
    """Whether the person wants discreet text (the default until they choose), without making a row."""
    prefs = db.session.get(NotificationPreferences, user_id)
    return True if prefs is None or prefs.discreet is None else bool(prefs.discreet)


def send_test(user_id: int) -> ScheduledNotification:
    """The "send me a test notification" button: through the outbox like any other, due now."""
    from webapp.i18n import N_

    now = clock.now()
    return schedule(user_id=user_id, kind="test", due_at=now, expires_at=now + timedelta(minutes=15),
                    title=N_("Test notification"),
                    body=N_("Reminders are working on this device."), url="/settings/notifications")


def _words(row: ScheduledNotification, locale: str | None) -> dict[str, str]:
    """A notification's title and body as they read when it says what it is about, in the language
    it is sent in, the account's (kept as a message id with its details until it is sent)."""
    from webapp.notifications.payload import detailed_text

    title, body = detailed_text(row, locale)
    return {"title": title, "body": body, "language": locale or "en"}


def export_for(user) -> dict[str, Any]:
    """This person's notification settings, devices and notifications, for "download my data"."""
    from webapp.notifications.devices import devices_for, display_label

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
        "devices": [{"label": display_label(d.device_label), "endpoint": d.endpoint,
                     "added_at": d.created_at.isoformat(),
                     "last_reminder_at": d.last_success_at.isoformat() if d.last_success_at else None}
                    for d in devices_for(user.id)],
        "notifications": [{"kind": n.kind, "about": n.subject_type, "due_at": n.due_at.isoformat(),
                           "status": n.status, **_words(n, user.locale), "details": n.params,
                           "sent_at": n.sent_at.isoformat() if n.sent_at else None} for n in notifications],
    }
