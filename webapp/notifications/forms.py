"""Forms for the notification settings page. Every one works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TimeField

from webapp.forms import BaseForm


class LocalTimeField(TimeField):
    """A native time input (24-hour "21:00") whose error message is ours, and so translated."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None  # blank is fine while quiet hours are off; `validate` asks otherwise
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a time like 21:00.")) from None


class PreferencesForm(BaseForm):
    appointment_reminders = BooleanField(_l("Appointment reminders"))
    goal_checkins = BooleanField(_l("Goal check-ins"))
    request_updates = BooleanField(_l("Updates on my request for support"))
    discreet = BooleanField(
        _l("Discreet text"),
        description=_l("The notification says only \u201cYou have a new reminder from Flourish\u201d. "
                       "You see what it is about when you open the app."))
    quiet_hours = BooleanField(_l("Use quiet hours"))
    quiet_start = LocalTimeField(_l("Quiet from"), description=_l("UK time, for example 21:00."))
    quiet_end = LocalTimeField(_l("Quiet until"), description=_l("UK time, for example 08:00."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.quiet_hours.data:
            return valid
        for field in (self.quiet_start, self.quiet_end):
            if field.data is None and not field.errors:
                field.errors = [*field.errors, _l("Enter a time like 21:00.")]
                valid = False
        if valid and self.quiet_start.data == self.quiet_end.data:
            self.quiet_end.errors = [_l("Quiet hours must end at a different time from when they start.")]
            valid = False
        return valid


class ButtonForm(BaseForm):
    """A CSRF-protected button (remove a device, send a test)."""
