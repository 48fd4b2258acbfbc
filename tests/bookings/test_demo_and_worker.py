"""The demo data loads, and the worker runs the package's jobs."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp import jobs, worker
from webapp.bookings.models import BaseStaff, Booking, CommunityBase, DropInSession
from webapp.demo import seed, seed_accounts
from webapp.extensions import db
from webapp.hooks import hooks_for


def test_demo_data_has_bases_sessions_staff_and_a_booking(app, frozen_clock):
    seed_accounts()
    db.session.commit()
    from webapp.bookings import demo

    demo.seed()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CommunityBase)) == 14
    assert db.session.scalar(select(func.count()).select_from(DropInSession)) > 40
    assert db.session.scalar(select(func.count()).select_from(BaseStaff)) == 2
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_package_plugs_into_the_shared_hooks(app):
    hooks = hooks_for(app)
    assert ("bookings", __import__("webapp.bookings.demo", fromlist=["seed"]).seed) in hooks.demo_seeders
    assert {"place-offers", "drop-in-series"} <= {job.name for job in jobs.registered(app)}
    assert "drop_in_bookings" in {n for n, _ in hooks.personal_data_exporters}
    assert any(link.endpoint == "bookings.index" for link in hooks.nav_links)
    assert any(link.endpoint == "bookings_staff.home" and link.roles == ("base_staff", "admin")
               for link in hooks.staff_links)


def test_the_worker_runs_the_booking_jobs(app, frozen_clock):
    results = worker.run_once(app)
    assert results["place-offers"] == 0
    assert results["drop-in-series"] == 0


def test_seed_demo_runs_every_seeder(app, frozen_clock):
    seed()
    assert db.session.scalar(select(func.count()).select_from(DropInSession)) > 40
