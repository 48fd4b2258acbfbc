"""Request for support: the form, risk, timeline, FHIR record, front-door outbox and API, triage."""

from datetime import timedelta

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
    from webapp import jobs

    jobs.register(app, jobs.Job(
        "front-door", _l("Delivers requests for support and their updates to the front door's webhook."),
        delivery.deliver_due, lock=jobs.ROWS, budget=timedelta(seconds=10),
        first="requests on the urgent path (risk signals, urgent) before routine ones"))
    jobs.register(app, jobs.Job("request-drafts", _l("Deletes request drafts left untouched."),
                                drafts.delete_old_drafts, lock=jobs.CLUSTER, every=jobs.HOUSEKEEPING_EVERY))
    register_rule(RetentionRule("old status idempotency keys", lambda: models.StatusIdempotencyKey, "created_at",
                                idempotency.KEEP_FOR))
    hooks.demo_seeders.append(("support requests", demo.seed_requests))
    hooks.personal_data_exporters.append(("requests_for_support", service.export_for))
    from webapp.support import lookups

    hooks.personal_data_exporters.append(("track_lookups_of_my_requests", lookups.export_for))
