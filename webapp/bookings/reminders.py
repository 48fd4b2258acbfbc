"""Reminders of a drop-in booking (24 and 2 hours before) and word when a base cancels one.

The texts are kept as message ids with parameters; the sender writes them in the person's language
when it sends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webapp import clock
from webapp.bookings.models import Booking, Slot
from webapp.i18n import N_
from webapp.notifications import service as notifications
from webapp.notifications.models import APPOINTMENT_REMINDER

REMINDERS_BEFORE = (timedelta(hours=24), timedelta(hours=2))


def when_params(moment: datetime) -> dict[str, str]:
    """When, for a notification's text: the sender writes it as a UK day and time in the person's
    language (`%(day)s`, `%(time)s`) when it sends."""
    return {"starts_at": moment.astimezone(UTC).isoformat()}


def schedule(booking: Booking, slot: Slot) -> int:
    """24 hours and 2 hours before (those still ahead). The sender honours the person's settings when it
    sends, so turning reminders on later still works. "I'll be there"/"Can't make it" open the cancel page."""
    if booking.user_id is None:
        return 0
    params = {"base": slot.session.base.name, **when_params(slot.starts_at)}
    made = 0
    for before in REMINDERS_BEFORE:
        due = slot.starts_at - before
        if due <= clock.now():
            continue
        notifications.schedule(
            user_id=booking.user_id, kind=APPOINTMENT_REMINDER, due_at=due, expires_at=slot.starts_at,
            title=N_("Drop-in reminder"), body=N_("Your drop-in at %(base)s is on %(day)s at %(time)s (UK time)."),
            params=params, url=f"/bookings/mine/{booking.id}/cancel", subject_type="booking", subject_id=booking.id,
            topic=f"booking-{booking.id}")
        made += 1
    return made


def tell_cancelled_by_base(booking: Booking, slot: Slot) -> None:
    notifications.cancel("booking", booking.id)
    if booking.user_id is None:
        return
    notifications.schedule(
        user_id=booking.user_id, kind=APPOINTMENT_REMINDER, due_at=clock.now(), expires_at=slot.starts_at,
        title=N_("Drop-in cancelled"),
        body=N_("Sorry: %(base)s has cancelled the drop-in on %(day)s at %(time)s (UK time). You can book another."),
        params={"base": slot.session.base.name, **when_params(slot.starts_at)},
        url="/bookings/mine", subject_type="booking_cancelled", subject_id=booking.id)
