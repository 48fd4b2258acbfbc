"""Request for support: the form, risk, timeline, FHIR record, front-door outbox and API, triage."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from webapp.hooks import Link, hooks_for
    from webapp.retention import RetentionRule, register_rule
    from webapp.support import (
        api,
        delivery,
        demo,
        display,
        drafts,
        idempotency,
        models,
        requester_routes,
        routes,
        service,
        staff_routes,
    )

    for blueprint in (routes.bp, requester_routes.bp, staff_routes.bp, api.bp):
        app.register_blueprint(blueprint)
    display.init_display(app)
    hooks = hooks_for(app)
    hooks.nav_links.append(Link("support.start", _l("Request support"),
                                _l("One form to ask the NHS front door for support, for yourself or someone else.")))
    hooks.nav_links.append(Link("support_requester.mine", _l("My requests"),
                                _l("Where your requests for support are, and how long the wait may be."),
                                roles=("young_person", "parent", "professional")))
    hooks.staff_links.append(Link("support_staff.queue", _l("Requests for support"),
                                  _l("The front door's queue: risk first, then oldest. Triage and allocate."),
                                  roles=("clinician", "admin")))
    hooks.staff_links.append(Link("support_staff.undelivered", _l("Records not yet delivered"),
                                  _l("Requests the front door's system has not yet received, and for how long."),
                                  roles=("clinician", "admin")))
    hooks.worker_jobs.append(("deliver requests to the front door", delivery.deliver_due))
    hooks.worker_jobs.append(("delete old request drafts", drafts.delete_old_drafts))
    register_rule(RetentionRule("old status idempotency keys", lambda: models.StatusIdempotencyKey, "created_at",
                                idempotency.KEEP_FOR))
    hooks.demo_seeders.append(("support requests", demo.seed_requests))
    hooks.personal_data_exporters.append(("requests_for_support", service.export_for))
