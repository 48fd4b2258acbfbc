"""Admin forms: staff accounts, services and bases. Plain inputs, radios and selects; no JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp.admin.service import BASE_KIND_NAMES, STAFF_ROLE_NAMES
from webapp.directory.models import THRIVE_GROUPS
from webapp.directory.service import THRIVE_GROUP_NAMES
from webapp.forms import BaseForm, DecimalNumberField, WholeNumberField, email_address, max_length, required

AGES = NumberRange(min=0, max=25, message=_l("Enter an age from 0 to 25."))


class ConfirmForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class NewStaffForm(BaseForm):
    email = StringField(_l("Email address"), validators=[
        required(_l("Enter the person's work email address.")), max_length(254), email_address()],
        description=_l("They sign in with this. Use their work address."))
    role = RadioField(_l("What do they do?"), choices=list(STAFF_ROLE_NAMES.items()),
                      validators=[InputRequired(message=_l("Choose what this person does."))])
    base_id = SelectField(_l("Their base (community base staff only, optional)"), coerce=int,
                          validate_choice=False, validators=[Optional()],
                          description=_l("You can link them to more bases later, from Drop-in sessions."))


class ServiceForm(BaseForm):
    service_id = StringField(_l("Id"), validators=[required(), max_length(60)],
                             description=_l("A short name other systems use, like point-1: lower-case letters, "
                                            "numbers and hyphens. It cannot be changed later."))
    name = StringField(_l("Service name"), validators=[required(), max_length(200)])
    thrive_group = RadioField(_l("THRIVE grouping"), choices=[(g, THRIVE_GROUP_NAMES[g]) for g in THRIVE_GROUPS],
                              validators=[InputRequired(message=_l("Choose a THRIVE grouping."))])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), max_length(3000)],
                                description=_l("What the service offers, in plain words."))
    min_age = WholeNumberField(_l("Youngest age"), default=0, validators=[
        InputRequired(message=_l("Enter the youngest age the service sees.")), AGES],
        not_a_number=_l("Enter an age in numbers, like 11."))
    max_age = WholeNumberField(_l("Oldest age"), default=25, validators=[
        InputRequired(message=_l("Enter the oldest age the service sees.")), AGES],
        not_a_number=_l("Enter an age in numbers, like 25."))
    active = BooleanField(_l("The front door can allocate requests to this service"), default=True)
    wait_note = TextAreaField(_l("Note about the wait (optional)"), validators=[Optional(), max_length(3000)],
                              description=_l("Shown to people next to the waiting time."))
    paused = BooleanField(_l("Paused: not taking new people for now"))
    paused_reason = TextAreaField(_l("Why it is paused"), validators=[Optional(), max_length(3000)],
                                  description=_l("Needed when the service is paused. People waiting are shown this."))


class EditServiceForm(ServiceForm):
    service_id = None  # the id never changes


class BaseDetailsForm(BaseForm):
    slug = StringField(_l("Web address name"), validators=[required(), max_length(60)],
                       description=_l("Part of the base's web address, like norwich-one-stop-shop: lower-case "
                                      "letters, numbers and hyphens. It cannot be changed later."))
    name = StringField(_l("Base name"), validators=[required(), max_length(120)])
    kind = RadioField(_l("Kind of base"), choices=list(BASE_KIND_NAMES.items()),
                      validators=[InputRequired(message=_l("Choose what kind of base it is."))])
    town = StringField(_l("Town"), validators=[required(), max_length(60)])
    address = TextAreaField(_l("Address"), validators=[required(), max_length(300)])
    postcode_district = StringField(_l("Postcode district"), validators=[required(), max_length(8)],
                                    description=_l("The first half of the postcode, like NR2 or PE30."))
    latitude = DecimalNumberField(_l("Latitude"), validators=[
        InputRequired(message=_l("Enter the latitude.")),
        NumberRange(min=49.0, max=61.0, message=_l("Enter a latitude in the UK, from 49 to 61."))],
        description=_l("For putting the nearest bases first, like 52.629."))
    longitude = DecimalNumberField(_l("Longitude"), validators=[
        InputRequired(message=_l("Enter the longitude.")),
        NumberRange(min=-9.0, max=2.5, message=_l("Enter a longitude in the UK, from -9 to 2.5."))],
        description=_l("West of Greenwich is negative, like -1.25; east is positive, like 1.292."))
    getting_there = TextAreaField(_l("Getting there (optional)"), validators=[Optional(), max_length(3000)])
    accessibility = TextAreaField(_l("Accessibility (optional)"), validators=[Optional(), max_length(3000)])
    opening_hours = TextAreaField(_l("Opening hours (optional)"), validators=[Optional(), max_length(3000)])
    min_age = WholeNumberField(_l("Youngest age"), validators=[
        InputRequired(message=_l("Enter the youngest age the base sees.")), AGES],
        not_a_number=_l("Enter an age in numbers, like 11."))
    max_age = WholeNumberField(_l("Oldest age"), default=25, validators=[
        InputRequired(message=_l("Enter the oldest age the base sees.")), AGES],
        not_a_number=_l("Enter an age in numbers, like 25."))
    is_demo = BooleanField(_l("Demo data: made up, not a real place"),
                           description=_l("Demo bases say so on their page."))


class EditBaseForm(BaseDetailsForm):
    slug = None  # the web address never changes
