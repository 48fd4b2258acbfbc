"""Template helpers shared by every package: error summaries a screen reader can place, and text
people typed marked with the language it was written in (WCAG 3.1.2, language of parts)."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import RadioField, SelectMultipleField
from wtforms.widgets import CheckboxInput


def first_control_id(field) -> str:
    """The id an error summary links to: a radio or checkbox group's first input (its fieldset
    cannot take focus), a date's first wrong box, any other field's own control."""
    if hasattr(field, "first_wrong_id"):  # a date's three boxes: the first one that is wrong
        return field.first_wrong_id
    grouped = isinstance(field, RadioField) or (
        isinstance(field, SelectMultipleField) and isinstance(field.option_widget, CheckboxInput))
    if grouped:
        for option in field:
            return option.id
    return field.id


def _names_no_question(field, text: str) -> bool:
    """True when the error is a shared validator's message that says what is wrong but not which
    question ("This cannot be empty.", "Use 60 characters or fewer.": see webapp.forms)."""
    return any(getattr(validator, "names_question", True) is False and str(validator.message) == text
               for validator in field.validators)


def error_links(form) -> list[tuple[str, str]]:
    """(id of the control, text) for each field with an error, in the form's order. Each text names
    its question: a message shared by several fields ("Choose an answer."), or one that names no
    question, is given the question too: the field's `summary_question` when it has one (a phone
    number in a list of contacts: which contact; a field whose question is asked by the page around
    it), always, else its label."""
    fields = [field for field in form
              if field.errors and field.type != "CSRFTokenField" and isinstance(field.errors, list | tuple)]
    counts = Counter(str(field.errors[0]) for field in fields)
    links = []
    for field in fields:
        text = str(field.errors[0])
        own_question = getattr(field, "summary_question", None)
        question = own_question or (field.label.text if field.label else "")
        if (own_question or counts[text] > 1 or _names_no_question(field, text)) and str(question).strip():
            text = _("%(question)s – %(error)s", question=question, error=text)
        links.append((first_control_id(field), text))
    return links


# Staff write in English: bases' details, sessions' purposes, notes from the front door, wait notes.
STAFF_LANGUAGE = "en"


def staff_text(text, translate: bool = False) -> Markup:
    """Text that staff or people typed, escaped; on a page in another language, in a
    `<span lang="en">` so a screen reader reads it with English rules. With `translate`, text that
    may have a translation in the catalogue (demo data) shows it, and is marked only when it has none."""
    from webapp.i18n import current_language

    if text is None or str(text) == "":
        return Markup("")
    text = str(text)
    shown = _(text) if translate else text
    if current_language() != STAFF_LANGUAGE and shown == text:
        return Markup('<span lang="%s">%s</span>') % (STAFF_LANGUAGE, text)
    return escape(shown)


def init_templating(app: Flask) -> None:
    app.jinja_env.globals["error_links"] = error_links
    app.jinja_env.filters["staff_text"] = staff_text
