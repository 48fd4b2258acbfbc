"""Check-in reminders: a day and a UK time the person chooses, sent through the notifications outbox.

One reminder is pending at a time. The worker job schedules the next one whenever none is pending
(so after each one is sent), only while the person has an active goal. Stopping cancels it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, exists, or_, select

from webapp import audit, clock
from webapp.extensions import db
from webapp.goals.models import ACTIVE, Goal, GoalSettings
from webapp.i18n import N_
from webapp.notifications import service as notifications
from webapp.notifications.models import GOAL_CHECKIN, ScheduledNotification
from webapp.outbox import PENDING

SUBJECT_TYPE = "goal_checkin"
WEEKDAYS = ((0, _l("Mondays")), (1, _l("Tuesdays")), (2, _l("Wednesdays")), (3, _l("Thursdays")),
            (4, _l("Fridays")), (5, _l("Saturdays")), (6, _l("Sundays")))
# Daytime choices only, on the hour and half hour (outside the usual quiet hours).
TIMES = tuple(time(hour, minute) for hour in range(8, 21) for minute in (0, 30)) + (time(21, 0),)
REMINDER_LIFETIME = timedelta(hours=12)


def _local_moment(day: date, at: time) -> datetime:
    """`at` on `day` in UK time as UTC. A time skipped when the clocks go forward moves on an hour;
    a time that happens twice when they go back is the first of the two."""
    try:
        return clock.local_to_utc(day, at)
    except clock.NonexistentLocalTime:
        later = (datetime.combine(day, at) + timedelta(hours=1)).time()
        return clock.local_to_utc(day, later)
    except clock.AmbiguousLocalTime:
        return clock.local_to_utc(day, at, fold=0)


def next_reminder_at(weekday: int, at: time, after: datetime) -> datetime:
    """The first `weekday` at `at` (UK time) strictly after `after`."""
    local_day = clock.to_local(after).date()
    day = local_day + timedelta(days=(weekday - local_day.weekday()) % 7)
    moment = _local_moment(day, at)
    if moment <= after:
        moment = _local_moment(day + timedelta(days=7), at)
    return moment


def _has_active_goal(user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Goal.user_id == user_id, Goal.status == ACTIVE))))


def schedule_next(settings: GoalSettings, after: datetime | None = None) -> ScheduledNotification | None:
    if not settings.reminders_on or not _has_active_goal(settings.user_id):
        return None
    due = next_reminder_at(settings.reminder_weekday, settings.reminder_time, after or clock.now())
    settings.next_reminder_at = due
    return notifications.schedule(
        user_id=settings.user_id, kind=GOAL_CHECKIN, due_at=due, expires_at=due + REMINDER_LIFETIME,
        title=N_("Time for a goals check-in"),
        body=N_("How close are you to your goals this week? It takes a minute."),
        url="/goals/", subject_type=SUBJECT_TYPE, subject_id=settings.user_id, topic="goal-checkin")


def set_reminders(user_id: int, weekday: int, at: time) -> ScheduledNotification | None:
    """Choose (or change) the reminder day and time; the next reminder replaces any pending one."""
    from webapp.goals.service import settings_for

    if weekday not in dict(WEEKDAYS) or at not in TIMES:
        raise ValueError("reminder day or time out of range")
    settings = settings_for(user_id)
    settings.reminder_weekday, settings.reminder_time, settings.updated_at = weekday, at, clock.now()
    notifications.cancel(SUBJECT_TYPE, user_id, GOAL_CHECKIN)
    audit.record("goals.reminders_set", actor_id=user_id, subject_type="user", subject_id=user_id)
    return schedule_next(settings)


def stop_reminders(user_id: int) -> None:
    settings = db.session.get(GoalSettings, user_id)
    if settings is not None:
        settings.reminder_weekday = settings.reminder_time = settings.next_reminder_at = None
        settings.updated_at = clock.now()
    notifications.cancel(SUBJECT_TYPE, user_id, GOAL_CHECKIN)
    audit.record("goals.reminders_stopped", actor_id=user_id, subject_type="user", subject_id=user_id)


def cancel_if_no_goals(user_id: int) -> None:
    """No active goals, nothing to check in on: the pending reminder goes (the choice is kept)."""
    if not _has_active_goal(user_id):
        notifications.cancel(SUBJECT_TYPE, user_id, GOAL_CHECKIN)


def pending_reminder(user_id: int) -> ScheduledNotification | None:
    found = notifications.pending_for(SUBJECT_TYPE, user_id, GOAL_CHECKIN)
    return found[0] if found else None


def _pending_condition():
    return exists().where(ScheduledNotification.subject_type == SUBJECT_TYPE,
                          ScheduledNotification.subject_id == cast(GoalSettings.user_id, String),
                          ScheduledNotification.kind == GOAL_CHECKIN, ScheduledNotification.status == PENDING)


def schedule_due_reminders() -> int:
    """Worker job: the next reminder for everyone who chose one, has an active goal and has none pending.

    Only rows whose last reminder is due (or that never had one) are looked at, through an index, so a
    pass costs little however many people have reminders. Each person's settings row is locked and
    checked again before scheduling, so two workers never schedule the same reminder twice."""
    now = clock.now()
    candidates = list(db.session.scalars(
        select(GoalSettings.user_id).where(
            or_(GoalSettings.next_reminder_at.is_(None), GoalSettings.next_reminder_at <= now),
            GoalSettings.reminder_weekday.is_not(None), GoalSettings.reminder_time.is_not(None),
            exists().where(and_(Goal.user_id == GoalSettings.user_id, Goal.status == ACTIVE)),
            ~_pending_condition()).limit(500)))
    scheduled = 0
    for user_id in candidates:
        settings = db.session.get(GoalSettings, user_id, with_for_update=True)
        if settings is None:
            continue
        settings.updated_at = clock.now()
        db.session.flush()
        if pending_reminder(user_id) is None and schedule_next(settings) is not None:
            scheduled += 1
        db.session.commit()
    return scheduled
