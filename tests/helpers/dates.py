"""Typing a date into its three boxes (day, month, year: the NHS.UK date input) in Playwright."""

from __future__ import annotations

import re
from datetime import date


def fill_date(page, question: str | re.Pattern, value: str | date) -> None:
    """Type `value` ("2012-03-27" or a date) into the date asked by `question` (its legend)."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    group = page.get_by_role("group", name=question)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def date_parts(name: str, value: str | date) -> dict[str, str]:
    """The form values of a date's three boxes, for a test client's post."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
