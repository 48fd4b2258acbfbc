"""Form pieces shared by every package: translated messages for the common validators."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FloatField, HiddenField, IntegerField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Email, InputRequired, Length, StopValidation


def names_no_question(validator):
    """A shared message says what is wrong, not which question ("This cannot be empty."): the error
    summary names the question with it (webapp.templating.error_links)."""
    validator.names_question = False
    return validator


def required(message=None) -> DataRequired:
    if message is None:
        return names_no_question(DataRequired(message=_l("This cannot be empty.")))
    return DataRequired(message=message)


def input_required(message=None) -> InputRequired:
    if message is None:
        return names_no_question(InputRequired(message=_l("Choose an answer.")))
    return InputRequired(message=message)


def email_address() -> Email:
    return Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False)


def max_length(limit: int) -> Length:
    return names_no_question(Length(max=limit, message=_l("Use %(limit)d characters or fewer.", limit=limit)))


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


DATE_PARTS = ("day", "month", "year")
# The year range a person could mean: a date of birth, a review day, a drop-in session.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class DateParts:
    """What was typed in a date's three boxes, and what is wrong with it.

    `error` names the part that is wrong ("must include a month", "the day is a number from 1 to
    31"), `wrong` lists the parts to mark, `data` is the date once all three make a real one.
    """

    def __init__(self, typed: dict[str, str], label) -> None:
        self.typed = typed
        self.label = label
        self.data: date | None = None
        self.error = None
        self.wrong: tuple[str, ...] = ()
        self._read()

    def _read(self) -> None:
        missing = tuple(part for part in DATE_PARTS if not self.typed[part])
        if len(missing) == len(DATE_PARTS):
            return
        if missing:
            self.wrong, self.error = missing, _MISSING[missing](self.label)
            return
        numbers = {part: self.typed[part] for part in DATE_PARTS}
        for part, low, high, message in _RANGES:
            if not numbers[part].isdigit() or not low <= int(numbers[part]) <= high or (
                    part == "year" and len(numbers[part]) != 4):
                self.wrong, self.error = (part,), message(self.label)
                return
        try:
            self.data = date(int(numbers["year"]), int(numbers["month"]), int(numbers["day"]))
        except ValueError:
            self.wrong, self.error = ("day", "month"), _l(
                "%(label)s must be a real date: that month has fewer days.", label=self.label)


_MISSING = {
    ("day",): lambda label: _l("%(label)s must include a day.", label=label),
    ("month",): lambda label: _l("%(label)s must include a month.", label=label),
    ("year",): lambda label: _l("%(label)s must include a year.", label=label),
    ("day", "month"): lambda label: _l("%(label)s must include a day and month.", label=label),
    ("day", "year"): lambda label: _l("%(label)s must include a day and year.", label=label),
    ("month", "year"): lambda label: _l("%(label)s must include a month and year.", label=label),
}
_RANGES = (
    ("day", 1, 31, lambda label: _l("%(label)s must be a real date: the day is a number from 1 to 31.",
                                    label=label)),
    ("month", 1, 12, lambda label: _l("%(label)s must be a real date: the month is a number from 1 to 12.",
                                      label=label)),
    ("year", EARLIEST_YEAR, LATEST_YEAR, lambda label: _l(
        "%(label)s must be a real date: the year has 4 numbers, like 2010.", label=label)),
)


def date_from_form_values(values, name: str) -> date | None:
    """The date kept under `name` in submitted (or saved) form values: its three boxes
    (`name-day`, `name-month`, `name-year`) or one ISO date (`name`, as in a link's `?date=`)."""
    typed = {part: str(values.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS}
    if any(typed.values()):
        return DateParts(typed, name).data
    try:
        return date.fromisoformat(str(values.get(name) or "").strip())
    except ValueError:
        return None


class _CurrentLabel:
    """The field's label as it reads when the message is shown (a form may change it after reading
    what was typed: "Your date of birth", "The young person's date of birth")."""

    def __init__(self, field: Field) -> None:
        self.field = field

    def __str__(self) -> str:
        return str(self.field.label.text) if self.field.label else ""


def days_ahead(days: int) -> Callable[[], date]:
    """An example date `days` from today, for a date in the future (a review day, a session)."""
    from webapp import clock

    return lambda: clock.today_local() + timedelta(days=days)


class LocalDateField(Field):
    """A date in the NHS.UK pattern: day, month and year in three numeric boxes under one legend
    (rendered by `f.date_input`), so no browser shows mm/dd/yyyy and a date of birth is typed as
    people say it. What was typed is kept on an error, which names the part that is wrong.

    One ISO date under the field's own name (`?date=2026-06-16` in a link) is read too.
    """

    def __init__(self, label=None, validators=None, example: date | Callable[[], date] | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example or date(2010, 3, 27)
        self.typed = dict.fromkeys(DATE_PARTS, "")
        self.wrong: tuple[str, ...] = ()

    @property
    def example_text(self) -> str:
        """The hint's example, typed as the boxes take it: "27 3 2010"."""
        example = self.example() if callable(self.example) else self.example
        return f"{example.day} {example.month} {example.year}"

    @property
    def input_names(self) -> tuple[str, ...]:
        """The names it is sent under: its three boxes, or one ISO date."""
        return (self.name, *(f"{self.name}-{part}" for part in DATE_PARTS))

    def part_id(self, part: str) -> str:
        return f"{self.id}-{part}"

    @property
    def first_wrong_id(self) -> str:
        return self.part_id(self.wrong[0] if self.wrong else "day")

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = self.data = data
        self.raw_data = []
        if isinstance(data, date):
            self.typed = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is None:
            return
        names = [f"{self.name}-{part}" for part in DATE_PARTS]
        if any(name in formdata for name in names):
            typed = {part: strip_control_characters(formdata.get(f"{self.name}-{part}", "")).strip()
                     for part in DATE_PARTS}
            self._take(typed)
        elif self.name in formdata:
            self._take_iso(strip_control_characters(formdata.get(self.name, "")).strip())

    def _take(self, typed: dict[str, str]) -> None:
        self.typed = typed
        self.raw_data = ["-".join(typed[part] for part in DATE_PARTS)] if any(typed.values()) else []
        parts = DateParts(typed, _CurrentLabel(self))
        self.data, self.wrong = parts.data, parts.wrong
        if parts.error is not None:
            self.process_errors.append(parts.error)

    def _take_iso(self, value: str) -> None:
        try:
            day = date.fromisoformat(value) if value else None
        except ValueError:
            self._take({"day": "", "month": "", "year": value})
            self.wrong, self.process_errors = DATE_PARTS, [_l("Enter a real date, for example 27 3 2010.")]
            return
        if day is None:
            self._take(dict.fromkeys(DATE_PARTS, ""))
        else:
            self._take({"day": str(day.day), "month": str(day.month), "year": str(day.year)})

    def pre_validate(self, form):
        """A date that could not be read keeps its own message: `required()` would replace it."""
        if self.process_errors:
            raise StopValidation()

    def post_validate(self, form, validation_stopped):
        if self.errors and not self.wrong:
            self.wrong = DATE_PARTS  # a rule about the whole date (too late, in the future): all three

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, date) else ""


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
