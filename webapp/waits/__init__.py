"""Wait-time visibility: live waits for every service, a personal estimate, the leaders' view."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from webapp.hooks import Link, hooks_for
    from webapp.waits import demo, models, routes, service  # noqa: F401 - models: tables

    app.register_blueprint(routes.bp)
    hooks = hooks_for(app)
    hooks.request_status_recorded.append(service.figures_changed)
    hooks.nav_links.append(Link("waits.index", _l("Waiting times"),
                                _l("How long people are waiting for each service, and what can help meanwhile.")))
    hooks.staff_links.append(Link("waits.leaders", _l("Waiting lists"),
                                  _l("Who is waiting how long for each service, hidden waits, and a CSV."),
                                  roles=("clinician", "admin")))
    hooks.demo_seeders.append(("waits", demo.seed_flow))
    from webapp import jobs

    jobs.register(app, jobs.Job(service.REFRESH_JOB, _l("Recomputes the published waiting-time figures when due."),
                                service.refresh_if_due, lock=jobs.CLUSTER))
    app.jinja_env.globals["waits_estimate"] = service.personal_estimate
    app.jinja_env.filters["week_label"] = week_label


def week_label(week_start: str, long: bool = False, fmt: str | None = None) -> str:
    """A week's Monday ("2026-03-30") as "30 Mar" (chart axis), "30 March 2026" (long) or in another
    kind of date `fmt` (webapp/i18n.py: "short" is "30 Mar 2026", the week-by-week tables)."""
    from datetime import date

    from webapp.i18n import day_and_month, local_date

    monday = date.fromisoformat(week_start)
    if fmt is None and not long:
        return day_and_month(monday)
    return local_date(monday, fmt or "long")
