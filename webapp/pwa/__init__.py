"""Installable and offline: manifest, service worker, offline page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.pwa import routes, service

    app.register_blueprint(routes.bp)
    app.jinja_env.globals["static_url"] = service.static_url
