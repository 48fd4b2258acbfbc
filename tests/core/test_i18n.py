"""Dates and times are written as people in the UK (and in each shipped language) write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.i18n import local_date, local_datetime, local_time

SUMMER_AFTERNOON = datetime(2026, 6, 16, 13, 30, tzinfo=UTC)  # 14:30 in London (BST)


@pytest.mark.parametrize(("language", "day"), [("en", "16 June 2026"), ("pl", "16 czerwca 2026"),
                                                ("pt", "16 de junho de 2026"), ("lt", "2026 m. birželio 16 d.")])
def test_dates_in_each_language(app, language, day):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert local_date(SUMMER_AFTERNOON) == day
        assert local_time(SUMMER_AFTERNOON) == "14:30"


def test_english_short_dates_are_day_first(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_datetime(SUMMER_AFTERNOON, "short") == "16/06/2026, 14:30"
