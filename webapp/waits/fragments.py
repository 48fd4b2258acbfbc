"""Each service's part of /waits (its figures in words, two charts and a week-by-week table), rendered
once and kept.

A part changes only when the published figures or the service's own details do, but drawing it is
nearly all of the page's work (a date label and a bar for every week, a dozen translated phrases).
Parts are kept per app and keyed on everything they show: the language, the service's details
(name, grouping, ages, pause, the front door's note) and its figures. So new figures, an edit by the
front door or another language makes a new entry, and a kept part can never show old figures.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from markupsafe import Markup

from webapp.directory.service import GROUP_NAMES
from webapp.i18n import current_language
from webapp.waits.charts import chart
from webapp.waits.service import BAND_NAMES, FEWER_THAN_5, MIN_PEOPLE, RECENT_WEEKS, ServiceWaits

MAX_KEPT = 400  # 10 services x 4 languages x a few refreshes; past it, start again


def _kept() -> dict[tuple[Any, ...], Markup]:
    return current_app.extensions.setdefault("waits.parts", {})


def key(row: ServiceWaits) -> tuple[Any, ...]:
    """What the part shows, and so what it is kept under."""
    s = row.service
    return (current_language(), s.id, s.name, s.thrive_group, s.min_age, s.max_age, s.paused,
            s.paused_reason if s.paused else None, s.wait_note, row.has_waiting_list, s.how_to_get,
            row.waiting_now, row.to_first_appointment, row.to_first_help, row.front_door_step,
            tuple(row.waited_so_far), row.to_first_contact,
            tuple((week["week_start"], week["starts"], week["waiting"]) for week in row.weeks))


def drawn(weeks: list[dict[str, Any]], name: str) -> list[float]:
    """A series as the charts draw it: a hidden count (1 to 4) at one height halfway to 5, the same for
    every hidden week, so the drawing says no more than the words "fewer than 5"."""
    return [MIN_PEOPLE / 2 if week[name] == FEWER_THAN_5 else week[name] for week in weeks]


def service_part(row: ServiceWaits) -> Markup:
    """The HTML of one service on /waits (the same HTML for the same service, figures and language)."""
    kept, part_key = _kept(), key(row)
    html = kept.get(part_key)
    if html is None:
        rendered = render_template(
            "waits/_service.html", row=row, group_names=GROUP_NAMES, recent_weeks=RECENT_WEEKS,
            min_people=MIN_PEOPLE, band_names=BAND_NAMES,
            waiting=chart(drawn(row.public_weeks, "waiting"), kind="line"),
            starts=chart(drawn(row.public_weeks, "starts"), kind="bars"))
        # The output of an autoescaping template (everything in it escaped there): marked safe so the page
        # includes it as it is, rather than escaping it a second time.
        html = Markup(rendered)  # noqa: S704  # nosec B704
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[part_key] = html
    return html


def forget() -> None:
    """Drop every kept part (a deploy starts with none anyway)."""
    _kept().clear()
