"""Weeks as people in the UK live them: Monday 00:00 Europe/London to the next Monday 00:00.

A week that holds a clock change is 167 or 169 hours long; working in local dates and turning
each Monday midnight into UTC (midnight always exists in the UK) keeps every event in the week
its local date says.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta

from webapp import clock


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_starts(count: int, *, before: date) -> list[date]:
    """The Mondays of the `count` complete weeks that end before the week holding `before`."""
    this_monday = monday_of(before)
    return [this_monday - timedelta(weeks=count - i) for i in range(count)]


def week_bounds_utc(mondays: list[date]) -> list[datetime]:
    """The UTC instants at which each week starts, plus the end of the last one."""
    return [clock.start_of_local_day(monday) for monday in [*mondays, mondays[-1] + timedelta(weeks=1)]]


class WeekIndex:
    """Find which of a run of local weeks a UTC moment falls in (None: outside them)."""

    def __init__(self, mondays: list[date]):
        self.mondays = mondays
        self.bounds = week_bounds_utc(mondays) if mondays else []

    def __len__(self) -> int:
        return len(self.mondays)

    def index(self, moment: datetime | None) -> int | None:
        if moment is None or not self.bounds or moment < self.bounds[0] or moment >= self.bounds[-1]:
            return None
        return bisect_right(self.bounds, moment) - 1

    def end(self, i: int) -> datetime:
        return self.bounds[i + 1]
