"""Home, urgent help, health check and error pages."""

from datetime import timedelta

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.core import errors, routes, service

    app.register_blueprint(routes.bp)
    errors.init_errors(app)
    app.jinja_env.globals["crisis_line"] = service.crisis_line
    app.jinja_env.globals["urgent_lines"] = service.lines_for

    from flask_babel import lazy_gettext as _l

    from webapp import jobs
    from webapp.retention import apply_retention

    jobs.register(app, jobs.Job("retention", _l("Deletes what is kept past its time (retention rules)."),
                                apply_retention, lock=jobs.CLUSTER, every=jobs.HOUSEKEEPING_EVERY,
                                budget=timedelta(seconds=60)))
