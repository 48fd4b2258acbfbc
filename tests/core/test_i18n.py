"""Dates and times are written as people in the UK (and in each shipped language) write them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

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
        assert local_datetime(SUMMER_AFTERNOON, "short") == "16 Jun 2026, 14:30"


WINTER_AFTERNOON = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)  # a Sunday, 14:30 in London (GMT)
# One style per kind of date, as each language writes it (CLDR's patterns through Babel).
KINDS = {
    "en": {"date_with_weekday": "Sunday, 6 December 2026", "date_long": "6 December 2026",
           "date_short": "6 Dec 2026", "day_and_month": "6 Dec", "time_of_day": "14:30",
           "datetime_long": "6 December 2026, 14:30", "datetime_short": "6 Dec 2026, 14:30"},
    "pl": {"date_with_weekday": "niedziela, 6 grudnia 2026", "date_long": "6 grudnia 2026",
           "date_short": "6 gru 2026", "day_and_month": "6 gru", "time_of_day": "14:30",
           "datetime_long": "6 grudnia 2026 14:30", "datetime_short": "6 gru 2026, 14:30"},
    "pt": {"date_with_weekday": "domingo, 6 de dezembro de 2026", "date_long": "6 de dezembro de 2026",
           "date_short": "6 de dez. de 2026", "day_and_month": "6 de dez.", "time_of_day": "14:30",
           "datetime_long": "6 de dezembro de 2026 14:30", "datetime_short": "6 de dez. de 2026 14:30"},
    "lt": {"date_with_weekday": "2026 m. gruodžio 6 d., sekmadienis", "date_long": "2026 m. gruodžio 6 d.",
           "date_short": "2026-12-06", "day_and_month": "12-06", "time_of_day": "14:30",
           "datetime_long": "2026 m. gruodžio 6 d. 14:30", "datetime_short": "2026-12-06 14:30"},
}


@pytest.mark.parametrize(("language", "kind"), [(language, kind) for language in KINDS for kind in KINDS[language]])
def test_each_kind_of_date_in_each_language(app, language, kind):
    from webapp import i18n

    with app.test_request_context(headers={"Accept-Language": language}):
        assert getattr(i18n, kind)(WINTER_AFTERNOON) == KINDS[language][kind]


@pytest.mark.parametrize(("name", "kind"), [("with_weekday", "date_with_weekday"), ("full", "date_with_weekday"),
                                            ("long", "date_long"), ("short", "date_short"),
                                            ("medium", "date_short")])
def test_the_template_filter_names_a_kind_never_a_pattern(app, name, kind):
    with app.test_request_context(headers={"Accept-Language": "pt"}):
        assert local_date(WINTER_AFTERNOON, name) == KINDS["pt"][kind]
        with pytest.raises(ValueError, match="kind of date"):
            local_date(WINTER_AFTERNOON, "EEEE d MMMM yyyy")


HAND_MADE = re.compile(r"strftime\(|local_date\(\s*[\"'](?!(?:with_weekday|long|short|full|medium)[\"'])"
                       r"|local_time\(\s*[\"']|local_datetime\(\s*[\"'](?!(?:long|short)[\"'])")


def test_no_page_writes_a_date_with_a_hand_made_pattern():
    """Every date a person reads goes through webapp/i18n.py's kinds. (strftime in Python stays for
    machine values: form values, exports, stored parameters.)"""
    found = [f"{path}:{number}: {line.strip()}" for path in sorted(Path("templates").rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_MADE.search(line)]
    assert not found, "\n".join(found)


WEEKDAY_DATE = {"lt": re.compile(r"\d{4} m\. \w+ \d{1,2} d\., \w+"),
                "pt": re.compile(r"\w+(?:-feira)?, \d{1,2} de \w+ de \d{4}"),
                "pl": re.compile(r"\w+, \d{1,2} \w+ \d{4}")}


@pytest.mark.parametrize("language", sorted(WEEKDAY_DATE))
def test_a_drop_in_day_reads_the_same_on_every_page(app, login, language):
    """A drop-in's day on the base's page and on "My bookings": the same style, never 2026-12-06
    on one and "sekmadienis 6 gruodžio 2026" on the other."""
    from tests.core.helpers import client_for, read_page
    from webapp.demo import seed, seed_accounts
    from webapp.i18n import LOCALE_COOKIE

    seed_accounts()
    seed()
    client = client_for(app, login, "young_person")
    client.set_cookie(LOCALE_COOKIE, language)
    for path in ("/bookings/bases/norwich-one-stop-shop", "/bookings/mine"):
        texts = read_page(client.get(path).get_data(as_text=True)).texts
        shown = " | ".join(texts)
        assert WEEKDAY_DATE[language].search(shown), f"{path} in {language}: no date with its weekday: {shown}"
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}/\d{2}/\d{4}\b", shown), f"{path} in {language}"
