"""Form pieces shared by every package: translated messages for the common validators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.validators import DataRequired, Email, InputRequired, Length


def required(message=None) -> DataRequired:
    return DataRequired(message=message or _l("This cannot be empty."))


def input_required(message=None) -> InputRequired:
    return InputRequired(message=message or _l("Choose an answer."))


def email_address() -> Email:
    return Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Use %(limit)d characters or fewer.", limit=limit))


class BaseForm(FlaskForm):
    """Forms keep what was typed on an error (WTForms re-renders `data`), except passwords."""

    class Meta:
        locales = False


class NextForm(BaseForm):
    next = HiddenField()


class LocalDateField(DateField):
    """A native date input whose error message is ours (and so translated)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, for example 27/03/2010.")) from None
