"""Forms for the mood check-in and "what would help right now?"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, TextAreaField, widgets

from webapp.forms import BaseForm, input_required, max_length
from webapp.selfhelp.service import AGE_BANDS, AREAS, SITUATIONS, URGENCIES
from webapp.selfhelp.tools import MOOD_SCALE, MOOD_TAGS, MOOD_WORDS_LIMIT


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MoodForm(BaseForm):
    score = RadioField(_l("How are you feeling right now?"), coerce=int,
                       choices=[(value, label) for value, label in MOOD_SCALE],
                       validators=[input_required(_l("Choose how you are feeling, from 1 to 5."))])
    tags = MultiCheckboxField(_l("Any of these words fit? (optional)"),
                              choices=[(key, label) for key, label in MOOD_TAGS])
    words = TextAreaField(_l("Anything you want to add? (optional)"),
                          description=_l("A few words about what is going on. Only you can see this."),
                          validators=[max_length(MOOD_WORDS_LIMIT)])


class DeleteForm(BaseForm):
    """A CSRF-protected button."""


class WhatWouldHelpForm(BaseForm):
    """Sent by POST with a CSRF token, never in a URL: answers such as "suicidal" must not sit in the
    browser's history or a server log. The kept offline copy decides on the device instead."""

    class Meta:
        locales = False

    situation = RadioField(_l("What is going on for you?"), choices=list(SITUATIONS),
                           validators=[input_required(_l("Choose what is going on, or the closest answer."))])
    urgency = RadioField(_l("How urgent does it feel?"), choices=list(URGENCIES),
                         validators=[input_required(_l("Choose how urgent it feels."))])
    age = RadioField(_l("How old are you, or the young person you are asking for?"),
                     choices=[(key, label) for key, label, _low, _high in AGE_BANDS],
                     validators=[input_required(_l("Choose an age."))])
    area = RadioField(_l("Where do you live?"), choices=list(AREAS),
                      description=_l("So we can suggest places near you. We do not keep your answers."),
                      validators=[input_required(_l("Choose where you live, or \"I would rather not say\"."))])
