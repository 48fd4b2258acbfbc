"""Administration: staff accounts, services, bases and system health, at /staff/admin/ (admins only)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and its staff home link here."""
    from webapp.admin import routes
    from webapp.hooks import Link, hooks_for

    app.register_blueprint(routes.bp)
    hooks_for(app).staff_links.append(Link(
        "admin.home", _l("Administration"),
        _l("Staff accounts, services, bases and whether the system is working."), roles=("admin",)))
