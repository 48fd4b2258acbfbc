"""Reminders of a drop-in booking (24 and 2 hours before) and word when a base cancels one.

The texts are kept as message ids with parameters; the sender writes them in the person's language
when it sends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webapp import clock
from webapp.bookings.models import Booking, Slot
from webapp.extensions import db
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
        _tell(booking.user_id, due, slot, push={
            "title": N_("Drop-in reminder"),
            "body": N_("Your drop-in at %(base)s is on %(day)s at %(time)s (UK time)."), "params": params,
            "url": f"/bookings/mine/{booking.id}/cancel", "topic": f"booking-{booking.id}"},
            subject_id=booking.id)
        made += 1
    return made


def _tell(user_id: int, due: datetime, slot: Slot, push: dict, subject_id: int) -> None:
    """By the person's channels (webapp/messaging): push as before unless they chose texts, emails or
    letters; a text or email names the base and time only if they chose that and proved the address."""
    from webapp.messaging.service import absolute_link, notify

    notify(user_id=user_id, kind=APPOINTMENT_REMINDER, template="booking_reminder",
           personalisation={"when": _when_in_their_language(user_id, slot.starts_at),
                            "link": absolute_link(push["url"])},
           push=push, subject_type="booking", subject_id=subject_id, due_at=due, expires_at=slot.starts_at)


def _when_in_their_language(user_id: int, moment: datetime) -> str:
    from flask_babel import force_locale

    from webapp.accounts.models import User
    from webapp.i18n import day_and_month, time_of_day

    user = db.session.get(User, user_id)
    with force_locale((user.locale if user else None) or "en"):
        return f"{day_and_month(moment)} {time_of_day(moment)}"


def cancel_reminders(booking_id: int) -> None:
    """Every reminder still waiting for a booking, on every channel."""
    from webapp.messaging.sender import cancel as cancel_messages

    notifications.cancel("booking", booking_id)
    cancel_messages("booking", booking_id)


def tell_cancelled_by_base(booking: Booking, slot: Slot) -> None:
    cancel_reminders(booking.id)
    if booking.user_id is None:
        return
    notifications.schedule(
        user_id=booking.user_id, kind=APPOINTMENT_REMINDER, due_at=clock.now(), expires_at=slot.starts_at,
        title=N_("Drop-in cancelled"),
        body=N_("Sorry: %(base)s has cancelled the drop-in on %(day)s at %(time)s (UK time). You can book another."),
        params={"base": slot.session.base.name, **when_params(slot.starts_at)},
        url="/bookings/mine", subject_type="booking_cancelled", subject_id=booking.id)
