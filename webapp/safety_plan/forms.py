"""The plan's form (works without JavaScript), its settings, and a worker's addition."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import Optional, ValidationError

from webapp.forms import BaseForm, LocalDateField, days_ahead, input_required, max_length
from webapp.safety_plan import service

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
CHOOSE_PART = _l("Choose which part of the plan this is for.")


def _phone(form, field) -> None:
    if not service.valid_phone(field.data):
        raise ValidationError(str(service.PHONE_MESSAGE))


class PlanForm(BaseForm):
    """Fields named as service.FIELDS; built below from service.ALL_STEPS."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The error summary names which contact a name or phone number belongs to (every one is
        # labelled "Name" and "Phone number" inside its own fieldset).
        for step in service.ALL_STEPS:
            for number, (name, phone) in enumerate(service.contact_fields(step), start=1):
                where = step.title if step.contacts == 1 else _l("%(step)s, contact %(number)d",
                                                                 step=step.title, number=number)
                self[name].summary_question = _l("%(contact)s: name", contact=where)
                self[phone].summary_question = _l("%(contact)s: phone number", contact=where)

    def steps(self):
        """(step, [text field] or [(name field, phone field), ...]) in the plan's order."""
        for step in service.ALL_STEPS:
            if step.contacts:
                yield step, [(self[name], self[phone]) for name, phone in service.contact_fields(step)]
            else:
                yield step, [self[step.key]]

    def content(self) -> dict[str, str]:
        return {name: self[name].data for name in service.FIELDS if isinstance(self[name].data, str)}


for _step in service.ALL_STEPS:
    if not _step.contacts:
        setattr(PlanForm, _step.key, TextAreaField(_step.title, description=_step.hint,
                                                   validators=[max_length(service.TEXT_LIMIT)]))
        continue
    for _n, (_name, _phone_name) in enumerate(service.contact_fields(_step), start=1):
        setattr(PlanForm, _name, StringField(_l("Name"), validators=[max_length(service.NAME_LIMIT)]))
        setattr(PlanForm, _phone_name, TelField(_l("Phone number"), validators=[max_length(service.PHONE_LIMIT),
                                                                                _phone]))


class KeepForm(BaseForm):
    keep = RadioField(_l("Keep a copy of my plan in my Flourish account?"), choices=YES_NO,
                        validators=[input_required(_l("Choose whether to keep a copy of your plan in your "
                                                      "Flourish account."))],
                        description=_l("Then it comes back if you lose your phone or sign in somewhere else. "
                                       "Saying no later deletes the copy in your account."))


class ShareForm(BaseForm):
    share = RadioField(_l("Share my plan with my worker?"), choices=YES_NO,
                        validators=[input_required(_l("Choose whether to share your plan with your worker."))],
                        description=_l("Only the worker looking after your request for support can see it, "
                                       "and add to it with you. Never your parent or carer."))


class ReviewForm(BaseForm):
    review_on = LocalDateField(_l("Day to look over my plan again"), validators=[Optional()], example=days_ahead(28),
                               description=_l("We will send a reminder that says only \"A reminder you asked for\". "
                                              "Leave it empty for no reminder."))


class AdditionForm(BaseForm):
    # The service checks the choice, with a message that names the question (not WTForms' "Not a valid choice").
    step = SelectField(_l("Part of the plan"), choices=service.ADDABLE_STEPS, validate_choice=False,
                       validators=[input_required(CHOOSE_PART)])
    text = TextAreaField(_l("What to add"), validators=[max_length(service.TEXT_LIMIT)],
                         description=_l("Write it with the young person, in their words where you can."))
