"""Shared form pieces: what a person sees when a date cannot be read."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from webapp.forms import BaseForm, LocalDateField, required


class BirthdayForm(BaseForm):
    born = LocalDateField("Date of birth", validators=[required()])


def test_an_unreadable_date_says_so_rather_than_empty(app):
    with app.test_request_context():
        form = BirthdayForm(MultiDict({"born": "2026-02-30"}), meta={"csrf": False})
        assert not form.validate()
        assert form.born.errors == ["Enter a real date, for example 27/03/2010."]
        empty = BirthdayForm(MultiDict({"born": ""}), meta={"csrf": False})
        assert not empty.validate()
        assert empty.born.errors == ["This cannot be empty."]
