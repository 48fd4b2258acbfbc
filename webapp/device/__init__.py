"""What this device keeps: one control that removes it all (mood check-ins, the goals copy, pages
kept for offline use), signed in or not, with or without JavaScript (#14 item 5)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    from webapp.device import routes

    app.register_blueprint(routes.bp)
    hooks_for(app).settings_links.append(Link(
        "device.this_device", _l("Remove what this device keeps"),
        _l("Mood check-ins, the copy of your goals and pages kept for use with no signal."),
    ))
