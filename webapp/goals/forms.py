"""Forms for setting, rating and closing goals, sharing and reminders. All work without JavaScript."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import ValidationError

from webapp.forms import BaseForm, input_required, max_length, required
from webapp.goals import reminders, service

RATING_LABELS = {0: _l("not at all"), 5: _l("halfway"), 10: _l("reached")}


class RatingField(RadioField):
    """0 to 10 as radios. Anything else ("-1", "11", "5.5", "abc", nothing) gets one kind message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label or _l("How close are you to reaching this goal?"),
                         choices=[(n, str(n)) for n in range(service.RATING_MIN, service.RATING_MAX + 1)],
                         coerce=int, validate_choice=False,
                         description=_l("0 means not at all, 5 means halfway and 10 means you have reached it."),
                         **kwargs)
        self.summary_question = self.label.text  # its one message names no question

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = service.parse_rating(valuelist[0])
            except service.GoalError:
                self.data = None

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(str(service.RATING_MESSAGE))


class ClientIdField(HiddenField):
    """An id made when the form is drawn, so sending the form twice keeps one goal or check-in."""

    def process_formdata(self, valuelist):
        """A missing or mangled id gets a fresh one: the form still works, it just is not
        protected against being sent twice."""
        try:
            self.data = service.clean_client_id(valuelist[0] if valuelist else None)
        except service.GoalError:
            self.data = uuid.uuid4().hex


class _WithClientId(BaseForm):
    client_id = ClientIdField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.client_id.data:
            self.client_id.data = uuid.uuid4().hex


class GoalForm(_WithClientId):
    text = TextAreaField(_l("Your goal, in your own words"),
                         description=_l("Something you would like to be different, for example "
                                        "\"to feel less worried about going to school\"."),
                         validators=[required(_l("Write your goal in your own words.")),
                                     max_length(service.GOAL_TEXT_LIMIT)])
    rating = RatingField()


class CheckInForm(_WithClientId):
    rating = RatingField()
    note = TextAreaField(_l("Anything you want to add? (optional)"),
                         description=_l("What helped, or what got in the way."),
                         validators=[max_length(service.NOTE_LIMIT)])


class CloseForm(BaseForm):
    outcome = RadioField(_l("Why are you closing this goal?"),
                         choices=[("reached", _l("I have reached it")),
                                  ("not_wanted", _l("I no longer want to work on it"))],
                         validators=[input_required(_l("Choose whether you reached this goal or no longer want it."))])


class SharingForm(BaseForm):
    share = RadioField(_l("Share your goals with your worker?"),
                       choices=[("yes", _l("Yes, my worker can see my goals and ratings")),
                                ("no", _l("No, keep them to myself"))],
                       validators=[input_required(_l("Choose yes or no."))])


class ReminderForm(BaseForm):
    weekday = SelectField(_l("Day"), coerce=int, choices=list(reminders.WEEKDAYS),
                          validators=[input_required(_l("Choose a day."))])
    at = SelectField(_l("Time (UK time)"), choices=[(t.strftime("%H:%M"), t.strftime("%H:%M"))
                                                    for t in reminders.TIMES],
                     validators=[input_required(_l("Choose a time."))])


class ButtonForm(BaseForm):
    """A CSRF-protected button."""
