"""My safety plan: kept on the device (encrypted), a copy in the account and sharing with the worker by choice."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and hooks here."""
    from webapp.safety_plan import (
        models,  # noqa: F401 - tables for migrations
        routes,
        service,
    )

    app.register_blueprint(routes.bp)
    hooks = hooks_for(app)
    hooks.nav_links.append(Link("safety_plan.plan", _l("My safety plan"),
                                _l("Your own plan for hard moments, kept on your phone. Works with no signal.")))
    hooks.settings_links.append(Link("safety_plan.settings", _l("Safety plan: account copy, sharing and review"),
                                     _l("Choose whether your plan is kept in your account, and who sees it."),
                                     roles=("young_person",)))
    hooks.personal_data_exporters.append(("safety_plan", service.export_for))
    hooks.offline_urls.append(routes.offline_urls)
    # For the support request page: {% include "safety_plan/_shared_with_worker.html" %} with `user_id` set.
    app.jinja_env.globals["safety_plan_shared_with_worker"] = _shared_for_current_user(service)
    app.jinja_env.globals["safety_plan_steps"] = service.ALL_STEPS
    app.jinja_env.globals["safety_plan_contact_fields"] = service.contact_fields
    app.jinja_env.globals["safety_plan_phone_digits"] = service.phone_digits
    app.jinja_env.globals["about_me_editable"] = _about_me_editable


def _shared_for_current_user(service):
    def shared(user_id: int):
        from flask_login import current_user

        plan = service.shared_plan(current_user, user_id)
        return service.shared_view(plan) if plan is not None else None

    return shared


def _about_me_editable(req) -> bool:
    from flask_login import current_user

    from webapp.safety_plan import about_me

    return about_me.editable(req, current_user)
