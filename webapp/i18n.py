"""Language choice and locale-aware formatting of dates and times (always shown in UK time)."""

from __future__ import annotations

from datetime import date, datetime, time

from babel import dates
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from webapp import clock

LOCALE_COOKIE = "flourish_lang"

# Each language named in itself, as a person looking for it would recognise it.
LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "pt": "Português", "lt": "Lietuvių"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The person's choice (account, then cookie), else the browser's languages, else English."""
    supported = supported_locales()
    if not has_request_context():
        return getattr(g, "locale_override", None) or supported[0]
    override = getattr(g, "locale_override", None)
    if override in supported:
        return override
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in supported:
        return user_locale
    return browser_language() or supported[0]


def browser_language() -> str | None:
    """The language chosen on this browser (the cookie), else the browser's own when it is one of
    ours; None when neither (a request is needed)."""
    supported = supported_locales()
    cookie = request.cookies.get(LOCALE_COOKIE)
    return cookie if cookie in supported else request.accept_languages.best_match(supported)


def select_timezone() -> str:
    return current_app.config["FLOURISH_TIMEZONE"]


def formatting_locale() -> str:
    """The locale dates and times are written in: English as in the UK ("16 June 2026", "14:30")."""
    language = current_language()
    return "en_GB" if language == "en" else language


# One style per kind of date, in Babel's (CLDR's) own patterns for each language: never a pattern
# written here, so each reads as a native speaker writes it ("domingo, 6 de dezembro de 2026",
# "2026 m. gruodžio 6 d., sekmadienis"). Templates name the kind: `|local_date("with_weekday")`.
DATE_KINDS = {"with_weekday": "full", "long": "long", "short": "medium"}
# Older names for the same kinds, as templates wrote them: "full" is the date with its weekday,
# "medium" the short date.
_KIND_ALIASES = {"full": "with_weekday", "medium": "short"}
# A day and month with no year, for chart axes and week labels ("6 Dec", "6 gru", "12-06").
DAY_MONTH_SKELETON = "MMMd"


def _date_kind(kind: str) -> str:
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in DATE_KINDS:
        raise ValueError(f"unknown kind of date {kind!r}: use one of {sorted(DATE_KINDS)} (see webapp/i18n.py)")
    return DATE_KINDS[kind]


def _as_local_date(value: date | datetime) -> date:
    return clock.to_local(value).date() if isinstance(value, datetime) else value


def _as_local_naive(moment: datetime) -> datetime:
    return clock.to_local(moment).replace(tzinfo=None)


def date_with_weekday(value: date | datetime) -> str:
    """A day someone will come or was promised: "Sunday, 6 December 2026", "domingo, 6 de dezembro de 2026"."""
    return dates.format_date(_as_local_date(value), "full", locale=formatting_locale())


def date_long(value: date | datetime) -> str:
    """A date in a sentence: "6 December 2026", "6 grudnia 2026", "2026 m. gruodžio 6 d."."""
    return dates.format_date(_as_local_date(value), "long", locale=formatting_locale())


def date_short(value: date | datetime) -> str:
    """A date in a table or list: "6 Dec 2026", "6 de dez. de 2026", "2026-12-06"."""
    return dates.format_date(_as_local_date(value), "medium", locale=formatting_locale())


def day_and_month(value: date | datetime) -> str:
    """A day with no year, for chart axes and weeks: "6 Dec", "6 de dez.", "12-06"."""
    return dates.format_skeleton(DAY_MONTH_SKELETON, _as_local_date(value), locale=formatting_locale())


def time_of_day(value: datetime | time) -> str:
    """A time in UK time, 24-hour in every shipped language: "14:30"."""
    moment = _as_local_naive(value) if isinstance(value, datetime) else value
    return dates.format_time(moment, "short", locale=formatting_locale())


def _date_and_time(moment: datetime, kind: str) -> str:
    """The language's own way of joining a date and a time ("6 December 2026 at 14:30")."""
    locale = formatting_locale()
    joined = dates.get_datetime_format(DATE_KINDS[kind], locale=locale)
    day = dates.format_date(_as_local_date(moment), DATE_KINDS[kind], locale=locale)
    return str(joined).replace("'", "").replace("{0}", time_of_day(moment)).replace("{1}", day)


def datetime_long(moment: datetime) -> str:
    """When something happened, in a sentence: "6 December 2026 at 14:30"."""
    return _date_and_time(moment, "long")


def datetime_short(moment: datetime) -> str:
    """When something happened, in a table or list: "6 Dec 2026, 14:30"."""
    return _date_and_time(moment, "short")


def local_datetime(moment: datetime, kind: str = "long") -> str:
    """A UTC moment as UK local date and time in the person's language (the kinds of `local_date`)."""
    kind = _KIND_ALIASES.get(kind, kind)
    return datetime_short(moment) if kind == "short" else datetime_long(moment)


def local_date(value: date | datetime, kind: str = "long") -> str:
    """A date of one kind: "with_weekday", "long" or "short" (see DATE_KINDS)."""
    return dates.format_date(_as_local_date(value), _date_kind(kind), locale=formatting_locale())


def local_time(moment: datetime | time, kind: str = "short") -> str:
    if kind != "short":
        raise ValueError(f"unknown kind of time {kind!r}: times are always 'short' (14:30)")
    return time_of_day(moment)


def current_language() -> str:
    return str(get_locale() or "en")


def init_i18n(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["date_with_weekday"] = date_with_weekday
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["date_short"] = date_short
    app.jinja_env.filters["day_and_month"] = day_and_month
    app.jinja_env.filters["time_of_day"] = time_of_day
    app.jinja_env.filters["datetime_long"] = datetime_long
    app.jinja_env.filters["datetime_short"] = datetime_short
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_language"] = current_language


def N_(message: str) -> str:
    """Mark a string for translation later (e.g. stored, then translated when a notification is sent)."""
    return message
