"""Working days in England: Monday to Friday, except bank holidays (including days in lieu and the
one-off ones the government announces, from the `holidays` package's calendar for England)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(after: date) -> date:
    """The first working day after `after`."""
    day = after + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
