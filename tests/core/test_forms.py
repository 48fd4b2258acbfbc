"""Shared form pieces: what a person sees when a date cannot be read."""

from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from webapp.forms import BaseForm, LocalDateField, required


class BirthdayForm(BaseForm):
    born = LocalDateField("Date of birth", validators=[required()])


def test_an_unreadable_date_says_so_rather_than_empty(app):
    with app.test_request_context():
        form = BirthdayForm(MultiDict({"born": "2026-02-30"}), meta={"csrf": False})
        assert not form.validate()
        assert form.born.errors == ["Enter a real date, for example 27 3 2010."]
        empty = BirthdayForm(MultiDict({"born": ""}), meta={"csrf": False})
        assert not empty.validate()
        assert empty.born.errors == ["This cannot be empty."]


def _born(values: dict) -> BirthdayForm:
    form = BirthdayForm(MultiDict(values), meta={"csrf": False})
    form.validate()
    return form


def test_a_date_is_typed_in_three_boxes_as_people_say_it(app):
    with app.test_request_context():
        form = _born({"born-day": "27", "born-month": "3", "born-year": "2010"})
        assert form.born.data == date(2010, 3, 27) and not form.born.errors
        assert _born({"born-day": " 07 ", "born-month": "03", "born-year": "2010"}).born.data == date(2010, 3, 7)


@pytest.mark.parametrize(("typed", "message", "wrong"), [
    ({"born-day": "27", "born-month": "", "born-year": "2010"}, "Date of birth must include a month.", ("month",)),
    ({"born-day": "", "born-month": "3", "born-year": ""}, "Date of birth must include a day and year.",
     ("day", "year")),
    ({"born-day": "32", "born-month": "3", "born-year": "2010"}, "the day is a number from 1 to 31", ("day",)),
    ({"born-day": "27", "born-month": "March", "born-year": "2010"}, "the month is a number from 1 to 12",
     ("month",)),
    ({"born-day": "27", "born-month": "3", "born-year": "10"}, "the year has 4 numbers, like 2010", ("year",)),
    ({"born-day": "30", "born-month": "2", "born-year": "2012"}, "that month has fewer days", ("day", "month")),
])
def test_a_wrong_date_says_which_part_is_wrong_and_keeps_what_was_typed(app, typed, message, wrong):
    """A wrong date of birth puts a person in the wrong age band (the wrong service, the wrong
    safeguarding rules): the message names the part to fix, and nothing typed is lost."""
    with app.test_request_context():
        form = _born(typed)
        assert form.born.data is None
        assert message in str(form.born.errors[0])
        assert form.born.wrong == wrong
        assert form.born.typed == {part: typed[f"born-{part}"].strip() for part in ("day", "month", "year")}
        assert form.born.first_wrong_id == f"born-{wrong[0]}"


def test_nothing_typed_is_left_to_the_required_rule(app):
    with app.test_request_context():
        assert _born({"born-day": "", "born-month": "", "born-year": ""}).born.errors == ["This cannot be empty."]


def test_the_date_of_birth_is_asked_in_the_nhs_pattern_on_registration(client):
    """One fieldset with a legend and an example, three numeric boxes the browser can fill in; no
    type="date" (which some browsers show as mm/dd/yyyy)."""
    page = client.get("/register").get_data(as_text=True)
    fieldset = re.search(r'<fieldset class="fieldset" role="group" id="date_of_birth".*?</fieldset>',
                         page, re.S).group(0)
    assert "<legend" in fieldset and "For example, 27 3 2010" in fieldset
    for part in ("day", "month", "year"):
        assert re.search(rf'<input [^>]*name="date_of_birth-{part}" type="text" inputmode="numeric"[^>]*'
                         rf'autocomplete="bday-{part}"', fieldset), part
    assert 'type="date"' not in page


def test_the_error_summary_links_to_the_box_that_is_wrong(client):
    page = client.post_form("/register", {"role": "young_person", "email": "kit@example.org",
                                          "password": "blue kettle running late", "date_of_birth-day": "27",
                                          "date_of_birth-month": "13", "date_of_birth-year": "2010"})
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert '<a href="#date_of_birth-month">Date of birth must be a real date' in body
    assert re.search(r'class="input date-input__input input--width-2 input--error" id="date_of_birth-month"', body)
    assert 'id="date_of_birth-day" name="date_of_birth-day" type="text" inputmode="numeric" value="27"' in body


def test_no_page_asks_for_a_date_with_a_browser_date_picker():
    from pathlib import Path

    found = [str(path) for path in Path("templates").rglob("*.html") if 'type="date"' in path.read_text()]
    assert not found, f"use f.date_input (three boxes) instead of type=\"date\": {found}"
