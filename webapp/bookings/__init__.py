"""Drop-in booking at community bases and One Stop Shops."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import event


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and hooks here."""
    from webapp.bookings import demo, models, routes, service, sessions, staff_routes, waiting_list  # noqa: F401 - tables
    from webapp.hooks import Link, hooks_for

    app.register_blueprint(routes.bp)
    app.register_blueprint(staff_routes.bp)
    hooks = hooks_for(app)
    hooks.nav_links.append(Link("bookings.index", _l("Drop-ins"),
                                _l("Book a drop-in at a One Stop Shop or community base near you.")))
    hooks.staff_links.append(Link("bookings_staff.home", _l("Drop-in sessions"),
                                  _l("Publish drop-in sessions at your bases and run the day's list."),
                                  roles=("base_staff", "admin")))
    hooks.demo_seeders.append(("bookings", demo.seed))
    hooks.personal_data_exporters.append(("drop_in_bookings", service.export_for))
    from webapp import jobs

    jobs.register(app, jobs.Job("place-offers", _l("Passes a drop-in place offer not taken in time to the next "
                                                   "person waiting."), waiting_list.expire_offers, lock=jobs.ROWS))
    from webapp.notifications import service as notifications

    notifications.listen("waiting_list", notifications.SubjectHooks(
        before_send=waiting_list.before_offer_sent, after_outcome=waiting_list.after_offer_outcome))
    jobs.register(app, jobs.Job("drop-in-series", _l("Makes weekly drop-in sessions ahead."), sessions.extend_series,
                                lock=jobs.CLUSTER, every=jobs.HOUSEKEEPING_EVERY))
    _register_retention()
    _free_places_when_an_account_goes()
    from webapp.bookings import cli

    cli.init_cli(app)


def _register_retention() -> None:
    from webapp.retention import RetentionRule, register_rule

    def bookings():
        from webapp.bookings.models import Booking

        return Booking

    def waiting():
        from webapp.bookings.models import WaitingListEntry

        return WaitingListEntry

    # A year after the drop-in: long enough for follow-ups and questions, then the names and contacts go.
    register_rule(RetentionRule("past drop-in bookings", bookings, "ends_at", timedelta(days=365)))
    register_rule(RetentionRule("old drop-in waiting lists", waiting, "created_at", timedelta(days=90)))


_listening = False


def _free_places_when_an_account_goes() -> None:
    """Deleting an account cascades its bookings away; give their places back first."""
    global _listening
    if _listening:
        return
    from webapp.accounts.models import User
    from webapp.bookings.service import free_places_of

    @event.listens_for(User, "before_delete")
    def _before_user_delete(mapper, connection, target) -> None:
        free_places_of(target.id, connection)

    _listening = True
