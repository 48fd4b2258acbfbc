"""The one place that knows what time it is, and the one home of time zones.

Everything stores aware UTC datetimes; people see Europe/London (or `FLOURISH_TIMEZONE`). Tests
freeze time with `freeze()`; nothing else in the code calls `datetime.now()`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_frozen: datetime | None = None
_zone_name = "Europe/London"


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a clock change (e.g. 01:30 on the spring-forward Sunday)."""


class AmbiguousLocalTime(ValueError):
    """A wall-clock time that happens twice (e.g. 01:30 on the autumn clock-change Sunday)."""


def configure(zone_name: str) -> None:
    global _zone_name
    ZoneInfo(zone_name)  # fail fast on a typo
    _zone_name = zone_name


def zone() -> ZoneInfo:
    return ZoneInfo(_zone_name)


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today_local() -> date:
    return to_local(now()).date()


def freeze(moment: datetime | None) -> None:
    """Stop the clock at `moment` (aware); `None` lets it run again. For tests and demo data."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock on."""
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    freeze(_frozen + delta)
    return now()


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime; store and pass aware UTC datetimes")
    return moment.astimezone(zone())


def local_to_utc(day: date, at: time, fold: int | None = None) -> datetime:
    """Turn a local wall-clock date and time into UTC, refusing times a clock change skips.

    `zoneinfo` accepts nonexistent and ambiguous times silently; we check both. An ambiguous time
    raises unless `fold` says which of the two is meant (0 = the first, BST; 1 = the second, GMT).
    """
    tz = zone()
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}")
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise AmbiguousLocalTime(f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key}")
        return (second if fold else first).astimezone(UTC)
    return first.astimezone(UTC)


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of `day` in local time, as UTC (midnight always exists in the UK)."""
    return datetime.combine(day, time(0), tzinfo=zone()).astimezone(UTC)
