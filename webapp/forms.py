"""Form pieces shared by every package: translated messages for the common validators."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, HiddenField, IntegerField
from wtforms.validators import DataRequired, Email, InputRequired, Length, StopValidation


def required(message=None) -> DataRequired:
    return DataRequired(message=message or _l("This cannot be empty."))


def input_required(message=None) -> InputRequired:
    return InputRequired(message=message or _l("Choose an answer."))


def email_address() -> Email:
    return Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Use %(limit)d characters or fewer.", limit=limit))


# C0 control characters other than tab, newline and carriage return, and DEL. Nobody types them;
# PostgreSQL refuses NUL in text, and the rest only ever arrive in hostile input.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Forms keep what was typed on an error (WTForms re-renders `data`), except passwords.

    Every field of every form drops control characters before validation.
    """

    class Meta:
        locales = False

        def bind_field(self, form, unbound_field, options):
            filters = (strip_control_characters, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, filters=filters, **options)


class NextForm(BaseForm):
    next = HiddenField()


class LocalDateField(DateField):
    """A native date input whose error message is ours (and so translated)."""

    def process_formdata(self, valuelist):
        if not "".join(valuelist or ()).strip():
            self.data = None  # nothing typed: `required()` (or Optional) says what to do
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, for example 27/03/2010.")) from None

    def pre_validate(self, form):
        """A date that could not be read keeps its own message: `required()` would replace it."""
        if self.process_errors:
            raise StopValidation()


class _OwnNotANumberMessage:
    """A number field whose "not a number" message is ours (and so translated): WTForms' own is not."""

    default_not_a_number: Any = None

    def __init__(self, *args, not_a_number: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number or self.default_not_a_number

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.not_a_number) from None


class WholeNumberField(_OwnNotANumberMessage, IntegerField):
    default_not_a_number = _l("Enter a whole number, like 3.")


class DecimalNumberField(_OwnNotANumberMessage, FloatField):
    """Takes a decimal comma too (52,63), as Polish, Portuguese and Lithuanian write it."""

    default_not_a_number = _l("Enter a number, like 52.63.")

    def process_formdata(self, valuelist):
        super().process_formdata([value.replace(",", ".", 1) if isinstance(value, str) and value.count(",") == 1
                                  and "." not in value else value for value in valuelist])
