"""Privacy and accessibility (#21): the privacy notice in layers, the accessibility statement, and
"raise a privacy concern", which reaches an admin."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from webapp.hooks import Link, hooks_for
    from webapp.privacy import models, routes, service
    from webapp.retention import RetentionRule, register_rule

    app.register_blueprint(routes.bp)
    hooks_for(app).staff_links.append(Link("privacy.concerns", _l("Privacy concerns"),
                                           _l("Concerns people raised about their data: read, reply, mark handled."),
                                           roles=("admin",)))
    register_rule(RetentionRule("handled privacy concerns", lambda: models.PrivacyConcern, "handled_at",
                                models.HANDLED_CONCERNS_KEPT_FOR))
    hooks_for(app).personal_data_exporters.append(("privacy_concerns", service.export_for))
