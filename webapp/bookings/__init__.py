"""Drop-in booking at community bases and One Stop Shops."""

from __future__ import annotations

from datetime import timedelta

import click
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
    hooks.worker_jobs.append(("expire drop-in place offers", waiting_list.expire_offers))
    from webapp.notifications import service as notifications

    notifications.listen("waiting_list", notifications.SubjectHooks(
        before_send=waiting_list.before_offer_sent, after_outcome=waiting_list.after_offer_outcome))
    from webapp.worker import HOUSEKEEPING_EVERY, at_most_every

    hooks.worker_jobs.append(("make weekly drop-in sessions", at_most_every(
        "make weekly drop-in sessions", HOUSEKEEPING_EVERY, sessions.extend_series)))
    _register_retention()
    _free_places_when_an_account_goes()

    @app.cli.command("load-bases")
    def load_bases_command() -> None:
        """Add or update bases from webapp/bookings/data/bases.yaml."""
        from webapp.bookings.places import load_bases
        from webapp.extensions import db

        count = load_bases()
        db.session.commit()
        click.echo(f"{count} bases loaded")


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
