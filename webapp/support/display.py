"""Small words for templates: status titles, who asked, how long something has waited."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

REQUESTER_TYPE_NAMES = {"young_person": _l("Young person"), "parent": _l("Parent or carer"),
                        "professional": _l("Professional")}


def status_title(status: str) -> str:
    from webapp.support.service import STATUS_WORDS

    return str(STATUS_WORDS.get(status, (status, ""))[0])


def requester_type_name(kind: str) -> str:
    return str(REQUESTER_TYPE_NAMES.get(kind, kind))


def duration_words(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", hours // 24)


def crisis_lines_by_id() -> dict:
    from webapp.core.service import crisis_lines

    return {line.id: line for line in crisis_lines()}


def request_status_title(req) -> str:
    from webapp.support.service import status_title_for

    return status_title_for(req)


def urgent_promise(req):
    from webapp.support.urgency import promise_for

    return promise_for(req)


def init_display(app: Flask) -> None:
    for function in (status_title, requester_type_name, duration_words, crisis_lines_by_id, request_status_title,
                     urgent_promise):
        app.jinja_env.globals[function.__name__] = function
    from webapp.support.contact import contact_summary

    app.jinja_env.globals["contact_summary"] = contact_summary
