"""Self-help: topics, offline tools, mood check-ins and "what would help right now?"."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    from webapp.selfhelp import (
        models,  # noqa: F401 - tables for migrations
        routes,
        service,
    )

    app.register_blueprint(routes.bp)
    hooks = hooks_for(app)
    hooks.nav_links.insert(0, Link("selfhelp.index", _l("Self-help"),
                                   _l("Tools and advice you can use now, with no account and no signal.")))
    hooks.personal_data_exporters.append(("mood_check_ins", service.export_for))
    hooks.offline_urls.append(routes.offline_urls)
