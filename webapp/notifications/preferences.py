"""What each person wants: which kinds of reminder, discreet text, and quiet hours in UK time.

Quiet hours are wall-clock times in Europe/London (the person thinks "not after 9pm"), so the
end of a quiet spell is worked out on the local calendar and turned into UTC with
`clock.local_to_utc`, never by adding hours to a UTC time: across a clock change the spell is an
hour longer or shorter, and nothing is sent early or twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from webapp import clock
from webapp.notifications.models import PREFERENCE_FOR_KIND, NotificationPreferences
from webapp.notifications.service import preferences_for


def wants(prefs: NotificationPreferences, kind: str) -> bool:
    switch = PREFERENCE_FOR_KIND.get(kind)
    return True if switch is None else bool(getattr(prefs, switch))


def update_preferences(user_id: int, *, appointment_reminders: bool, goal_checkins: bool,
                       request_updates: bool, discreet: bool, quiet_hours: bool,
                       quiet_start: time | None, quiet_end: time | None) -> NotificationPreferences:
    prefs = preferences_for(user_id)
    prefs.appointment_reminders = appointment_reminders
    prefs.goal_checkins = goal_checkins
    prefs.request_updates = request_updates
    prefs.discreet = discreet
    prefs.quiet_hours = quiet_hours
    if quiet_start is not None:
        prefs.quiet_start = quiet_start.replace(second=0, microsecond=0)
    if quiet_end is not None:
        prefs.quiet_end = quiet_end.replace(second=0, microsecond=0)
    return prefs


def _in_window(at: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end  # wraps midnight, e.g. 21:00-08:00


def _first_moment_at_or_after(day, at: time) -> datetime:
    """`at` on `day` in UK time as UTC; a time the clocks skip becomes the moment they jump to."""
    try:
        return clock.local_to_utc(day, at)
    except clock.NonexistentLocalTime:
        # 01:xx on the spring-forward Sunday: quiet until 02:00 BST, the next time that exists.
        probe = datetime.combine(day, at)
        while True:
            probe += timedelta(minutes=1)
            try:
                return clock.local_to_utc(probe.date(), probe.time())
            except clock.NonexistentLocalTime:
                continue
    except clock.AmbiguousLocalTime:
        # 01:xx on the autumn Sunday happens twice: wait for the second, never send early.
        return clock.local_to_utc(day, at, fold=1)


def quiet_until(prefs: NotificationPreferences, now: datetime | None = None) -> datetime | None:
    """When quiet hours end, as UTC, if `now` is inside them; None when a notification may go now."""
    if not prefs.quiet_hours:
        return None
    now = now or clock.now()
    local = clock.to_local(now)
    start, end = prefs.quiet_start, prefs.quiet_end
    if not _in_window(local.time(), start, end):
        return None
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)  # evening part of a spell that ends tomorrow morning
    ends = _first_moment_at_or_after(day, end)
    return ends if ends > now else None
