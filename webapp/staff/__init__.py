"""The staff home: a landing page for base staff, clinicians and admins."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.staff import routes

    app.register_blueprint(routes.bp)
