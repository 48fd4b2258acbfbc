"""Home, urgent help, health check and error pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.core import errors, routes, service

    app.register_blueprint(routes.bp)
    errors.init_errors(app)
    app.jinja_env.globals["crisis_line"] = service.crisis_line
    app.jinja_env.globals["urgent_lines"] = service.lines_for

    from webapp.hooks import hooks_for
    from webapp.retention import apply_retention
    from webapp.worker import HOUSEKEEPING_EVERY, at_most_every

    hooks_for(app).worker_jobs.append(("retention", at_most_every("retention", HOUSEKEEPING_EVERY, apply_retention)))
