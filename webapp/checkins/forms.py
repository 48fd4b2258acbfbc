"""The check-in's two taps, and the clinician's decision on an answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField

from webapp.checkins.models import NOT_SURE, OK_NOW, STILL_NEED, WORSE
from webapp.checkins.service import WORDS_LIMIT
from webapp.checkins.timeline import ANSWER_WORDS
from webapp.forms import BaseForm, input_required, max_length, required


class CheckInForm(BaseForm):
    answer = RadioField(_l("How are things now?"),
                        choices=[(kind, ANSWER_WORDS[kind]) for kind in (STILL_NEED, OK_NOW, WORSE, NOT_SURE)],
                        validators=[input_required(_l("Choose how things are now."))])
    words = TextAreaField(_l("Anything you want to add? (optional)"), validators=[max_length(WORDS_LIMIT)])


class ComeBackForm(BaseForm):
    what_changed = TextAreaField(_l("What has changed?"),
                                 description=_l("A few words are enough. A clinician will read them."),
                                 validators=[required(_l("Tell us what has changed.")), max_length(3000)])
    worse = RadioField(_l("Are things worse than when you first asked?"),
                       choices=[("yes", _l("Yes")), ("no", _l("No")), ("not_sure", _l("I'm not sure"))],
                       validators=[input_required(_l("Choose whether things are worse."))])


class DecisionForm(BaseForm):
    note = TextAreaField(_l("Note the requester will see"), validators=[max_length(3000)])
