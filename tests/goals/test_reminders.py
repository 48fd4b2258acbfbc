"""Check-in reminders: the next one in UK time (across the clock changes), one pending at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from webapp import clock
from webapp.extensions import db
from webapp.goals import reminders, service
from webapp.notifications.models import GOAL_CHECKIN, ScheduledNotification

SUNDAY = 6


def test_next_reminder_is_the_chosen_day_and_uk_time(app):
    monday_noon = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)
    assert reminders.next_reminder_at(SUNDAY, time(18, 0), monday_noon) == datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
    sunday_evening = datetime(2026, 6, 21, 17, 0, tzinfo=UTC)  # exactly then: the next week's
    assert reminders.next_reminder_at(SUNDAY, time(18, 0), sunday_evening) == datetime(2026, 6, 28, 17, 0,
                                                                                     tzinfo=UTC)
    assert reminders.next_reminder_at(0, time(18, 0), monday_noon) == datetime(2026, 6, 15, 17, 0, tzinfo=UTC)


def test_reminders_follow_the_clock_changes(app):
    # Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    before_spring = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    assert reminders.next_reminder_at(SUNDAY, time(18, 0), before_spring) == datetime(2027, 3, 28, 17, 0,
                                                                                     tzinfo=UTC)
    before_autumn = datetime(2027, 10, 30, 12, 0, tzinfo=UTC)
    assert reminders.next_reminder_at(SUNDAY, time(18, 0), before_autumn) == datetime(2027, 10, 31, 18, 0,
                                                                                     tzinfo=UTC)
    # A time the clocks skip moves on an hour; one that happens twice is the first.
    assert reminders._local_moment(date(2027, 3, 28), time(1, 30)) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert reminders._local_moment(date(2027, 10, 31), time(1, 30)) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def _pending(user):
    return db.session.query(ScheduledNotification).filter_by(user_id=user.id, kind=GOAL_CHECKIN,
                                                             status="pending").all()


def test_choosing_a_time_schedules_one_reminder_and_the_worker_the_next(app, frozen_clock, young):
    service.add_goal(young.id, "goal", 3)
    reminders.set_reminders(young.id, SUNDAY, time(18, 0))
    db.session.commit()
    [first] = _pending(young)
    assert first.due_at == datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
    assert first.url == "/goals/" and first.subject_type == reminders.SUBJECT_TYPE
    assert reminders.schedule_due_reminders() == 0  # one is already pending
    first.status = "sent"
    db.session.commit()
    clock.freeze(first.due_at + timedelta(minutes=1))
    assert reminders.schedule_due_reminders() == 1
    assert reminders.schedule_due_reminders() == 0
    db.session.commit()
    [second] = _pending(young)
    assert second.due_at == datetime(2026, 6, 28, 17, 0, tzinfo=UTC)


def test_changing_and_stopping_reminders(app, frozen_clock, young):
    service.add_goal(young.id, "goal", 3)
    reminders.set_reminders(young.id, SUNDAY, time(18, 0))
    reminders.set_reminders(young.id, 2, time(9, 30))
    db.session.commit()
    [pending] = _pending(young)
    assert pending.due_at == datetime(2026, 6, 17, 8, 30, tzinfo=UTC)
    reminders.stop_reminders(young.id)
    db.session.commit()
    assert _pending(young) == []
    assert reminders.schedule_due_reminders() == 0
    assert service.settings_for(young.id).reminders_on is False


def test_no_active_goal_no_reminder(app, frozen_clock, young):
    reminders.set_reminders(young.id, SUNDAY, time(18, 0))
    db.session.commit()
    assert _pending(young) == [] and reminders.schedule_due_reminders() == 0
    goal = service.add_goal(young.id, "goal", 3)
    db.session.commit()
    assert reminders.schedule_due_reminders() == 1
    service.close_goal(young.id, goal.id, "reached")
    reminders.cancel_if_no_goals(young.id)
    db.session.commit()
    assert _pending(young) == []


def test_the_job_is_in_the_worker(app):
    from webapp import jobs

    assert jobs.get("goal-reminders", app).run is reminders.schedule_due_reminders
