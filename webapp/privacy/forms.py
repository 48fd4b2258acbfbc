"""The privacy concern form, and the admin's "handled" button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from webapp.forms import BaseForm, max_length, required

CONCERN_LIMIT = 3000


class ConcernForm(BaseForm):
    concern = TextAreaField(_l("What is your concern?"),
                            description=_l("For example: something you think we should not keep, a mistake in your "
                                           "data, or someone seeing something they should not. Please do not "
                                           "include more personal details than we need to understand it."),
                            validators=[required(_l("Tell us what your concern is.")), max_length(CONCERN_LIMIT)])
    reply_to = StringField(_l("How can we reply to you? (optional)"),
                           description=_l("An email address or phone number. Leave it empty to stay anonymous: "
                                          "we will not be able to reply."),
                           validators=[max_length(254)])


class HandledForm(BaseForm):
    """Marks a concern as handled (the button alone)."""
