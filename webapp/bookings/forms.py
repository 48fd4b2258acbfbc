"""Booking forms. Dates and times use native inputs (type=date, type=time) that keyboards and screen
readers already know; choices are plain radios and selects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp.bookings.models import AUDIENCES
from webapp.forms import BaseForm, LocalDateField, WholeNumberField, days_ahead, max_length, required

AUDIENCE_LABELS = {"young_people": _l("Young people"), "parents": _l("Parents and carers"),
                   "everyone": _l("Young people, parents and carers")}
SLOT_LENGTHS = (10, 15, 20, 30, 45, 60, 90, 120)
PURPOSE_MISSING = _l("Enter what the session is for.")


class UKTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a time like 14:30.")) from None


class DistrictForm(BaseForm):
    """Sent by POST, never in a URL (see bookings.routes.index)."""

    class Meta:
        locales = False

    district = StringField(_l("Your postcode district"), validators=[Optional(), max_length(8)],
                           description=_l("The first half of your postcode, like NR2 or PE30. We do not keep it."))


class ChildFields(BaseForm):
    """A parent books for their child: first name and age only (the base's age limits apply)."""

    child_first_name = StringField(_l("Your child's first name"), validators=[Optional(), max_length(40)])
    child_age = WholeNumberField(_l("Your child's age"), validators=[
        Optional(), NumberRange(min=0, max=25, message=_l("Enter an age from 0 to 25."))],
        not_a_number=_l("Enter your child's age, in numbers."))
    # Asked only of a young person whose account has no date of birth yet (kept with the account).
    date_of_birth = LocalDateField(_l("Your date of birth"), validators=[Optional()],
                                   description=_l("We ask once, to check the drop-in is for your age."))


class BookForm(ChildFields):
    # "1" once the person has said yes to a second booking the same day at the same base.
    confirm_same_day = HiddenField()


class WaitForm(ChildFields):
    pass


class ConfirmForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class MoveForm(BaseForm):
    slot_id = RadioField(_l("Choose a new time"), coerce=int, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose a new time."))])


class SessionForm(BaseForm):
    base_id = SelectField(_l("Base"), coerce=int, validate_choice=False)
    day = LocalDateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date of the session."))],
                         example=days_ahead(7))
    start = UKTimeField(_l("Start time (UK time)"), validators=[InputRequired(message=_l("Enter a start time."))])
    end = UKTimeField(_l("End time (UK time)"), validators=[InputRequired(message=_l("Enter an end time."))])
    slot_minutes = SelectField(_l("Length of each slot"), coerce=int, default=30,
                               choices=[(m, _l("%(num)d minutes", num=m)) for m in SLOT_LENGTHS])
    places_per_slot = WholeNumberField(_l("Places in each slot"), default=1, validators=[
        InputRequired(message=_l("Enter how many places each slot has.")),
        NumberRange(min=1, max=50, message=_l("Offer from 1 to 50 places in each slot."))])
    purpose = StringField(_l("What it is for"), validators=[required(PURPOSE_MISSING), max_length(200)],
                          description=_l("For example: a first chat about how things are going."))
    audience = SelectField(_l("Who it is for"), choices=[(a, AUDIENCE_LABELS[a]) for a in AUDIENCES])
    repeat_weeks = WholeNumberField(_l("Repeat every week for how many weeks? (optional)"), validators=[
        Optional(), NumberRange(min=0, max=26, message=_l("Repeat for up to 26 weeks."))],
        description=_l("Leave empty for this day only. Weekly sessions keep the same UK time across clock changes."))
    fold = RadioField(_l("Which one do you mean?"), choices=[
        ("0", _l("The first one, before the clocks go back (BST)")),
        ("1", _l("The second one, after the clocks go back (GMT)"))], validators=[Optional()], validate_choice=True)


class EditSessionForm(BaseForm):
    purpose = StringField(_l("What it is for"), validators=[required(PURPOSE_MISSING), max_length(200)])
    audience = SelectField(_l("Who it is for"), choices=[(a, AUDIENCE_LABELS[a]) for a in AUDIENCES])
    places_per_slot = WholeNumberField(_l("Places in each slot"), validators=[
        InputRequired(message=_l("Enter how many places each slot has.")),
        NumberRange(min=1, max=50, message=_l("Offer from 1 to 50 places in each slot."))])
    scope = RadioField(_l("Change"), default="one", choices=[
        ("one", _l("This session only")), ("series", _l("This and every later session in the series"))])


class CancelSessionForm(BaseForm):
    scope = RadioField(_l("Cancel"), default="one", choices=[
        ("one", _l("This session only")), ("series", _l("This and every later session in the series"))])


class WalkInForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(_l("Enter the name of the person you are booking in.")),
                                               max_length(80)])
    contact = StringField(_l("Phone number or email"), validators=[
        required(_l("Enter a phone number or email, so the base can reach them.")), max_length(120)],
                          description=_l("So the base can reach them if the session changes."))


class OverCapacityForm(WalkInForm):
    reason = TextAreaField(_l("Why they need this time although it is full"), validators=[
        required(_l("Say why they need this time although it is full.")), max_length(300)],
                           description=_l("Kept with the booking and counted. For example: crisis follow-up, "
                                          "travelled far, interpreter booked for this time."))


class AttendanceForm(BaseForm):
    attendance = HiddenField()


class DayForm(BaseForm):
    class Meta:
        csrf = False
        locales = False

    date = LocalDateField(_l("Day"), validators=[Optional()], example=days_ahead(1))


class AssignStaffForm(BaseForm):
    email = StringField(_l("Staff member's email"), validators=[required(_l("Enter the staff member's email.")),
                                                                max_length(254)])
    base_id = SelectField(_l("Base"), coerce=int, validate_choice=False)
