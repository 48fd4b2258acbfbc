"""The staff home: a landing page for base staff, clinicians and admins."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.accounts.two_factor import IDLE_LIMIT
    from webapp.staff import routes

    app.register_blueprint(routes.bp)
    # For the idle warning two minutes before a staff session's idle sign-out (templates/staff/_idle_warning.html).
    app.jinja_env.globals["staff_idle_seconds"] = int(IDLE_LIMIT.total_seconds())
