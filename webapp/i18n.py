"""Language choice and locale-aware formatting of dates and times (always shown in UK time)."""

from __future__ import annotations

from datetime import date, datetime

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
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or supported[0]


def select_timezone() -> str:
    return current_app.config["FLOURISH_TIMEZONE"]


def formatting_locale() -> str:
    """The locale dates and times are written in: English as in the UK ("16 June 2026", "14:30")."""
    language = current_language()
    return "en_GB" if language == "en" else language


def local_datetime(moment: datetime, fmt: str = "medium") -> str:
    """A UTC moment as UK local date and time in the person's language."""
    return dates.format_datetime(clock.to_local(moment).replace(tzinfo=None), fmt, locale=formatting_locale())


def local_date(value: date | datetime, fmt: str = "long") -> str:
    if isinstance(value, datetime):
        value = clock.to_local(value).date()
    return dates.format_date(value, fmt, locale=formatting_locale())


def local_time(moment: datetime, fmt: str = "short") -> str:
    return dates.format_time(clock.to_local(moment).replace(tzinfo=None), fmt, locale=formatting_locale())


def current_language() -> str:
    return str(get_locale() or "en")


def init_i18n(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_language"] = current_language


def N_(message: str) -> str:
    """Mark a string for translation later (e.g. stored, then translated when a notification is sent)."""
    return message
