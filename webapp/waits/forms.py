"""The /waits filters: a POST form (so an age never sits in a URL), works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from webapp.directory.service import GROUP_NAMES
from webapp.forms import BaseForm, WholeNumberField


class AgeField(WholeNumberField):
    default_not_a_number = _l("Enter an age from 0 to 25, in numbers.")


class WaitsFilterForm(BaseForm):
    class Meta:
        csrf = False
        locales = False

    group = SelectField(_l("Kind of help"), choices=[], validators=[Optional()], default="", validate_choice=False,
                        description=_l("Services are grouped by how much help they give."))
    age = AgeField(
        _l("Age of the child or young person (optional)"),
        validators=[Optional(), NumberRange(min=0, max=25, message=_l("Enter an age from 0 to 25."))],
        description=_l("Shows only the services for that age."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [("", _l("All kinds of help"))] + [(k, v) for k, v in GROUP_NAMES.items()]
