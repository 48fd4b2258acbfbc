"""A booking as an iCalendar file (RFC 5545): local Europe/London times with their VTIMEZONE.

Phones open a downloaded .ics in their own calendar app, which is the add-to-calendar that sends
nothing to a third party.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from webapp import clock
from webapp.bookings.models import Booking


def booking_calendar(booking: Booking, host: str, discreet: bool = False) -> bytes:
    """The booking's calendar file. `discreet` (the person chose discreet notifications): titled
    "Appointment", the place named only by its address in the location, nothing else said."""
    slot = booking.slot
    base = slot.session.base
    calendar = Calendar()
    calendar.add("prodid", "-//Flourish//Drop-in bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.id}@{host}")
    event.add("dtstamp", clock.now())
    event.add("dtstart", clock.to_local(slot.starts_at))
    event.add("dtend", clock.to_local(slot.ends_at))
    event.add("summary", _("Appointment") if discreet else _("Drop-in at %(base)s", base=base.name))
    event.add("location", base.address)
    if not discreet:
        event.add("description", "\n".join(part for part in (
            slot.session.purpose, _("How to get there: %(how)s", how=base.getting_there) if base.getting_there else "",
            _("To cancel or move this booking, open My bookings in Flourish.")) if part))
    event.add("sequence", int(booking.moved_at.timestamp()) if booking.moved_at else 0)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Appointment reminder") if discreet else _("Drop-in reminder"))
    alarm.add("trigger", -timedelta(hours=2))
    event.add_component(alarm)
    calendar.add_component(event)
    local_day = clock.to_local(slot.starts_at).date()
    calendar.add_missing_timezones(first_date=date(local_day.year - 1, 1, 1),
                                   last_date=date(local_day.year + 1, 12, 31))
    return calendar.to_ical()
