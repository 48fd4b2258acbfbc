"""The deploy commands: demo data never in production; the real services loaded from their file."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.accounts.models import User
from webapp.directory.models import Service
from webapp.directory.service import directory_entries
from webapp.extensions import db


def test_seed_demo_refuses_in_production_and_makes_no_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_load_services_adds_every_allocatable_service_and_updates_them_again(app):
    runner = app.test_cli_runner()
    allocatable = {entry["id"]: entry for entry in directory_entries() if entry.get("allocatable")}
    first = runner.invoke(args=["load-services"])
    assert first.exit_code == 0 and f"{len(allocatable)} services loaded" in first.output
    loaded = {service.id: service for service in db.session.scalars(select(Service))}
    assert set(loaded) == set(allocatable)
    some_id = next(iter(allocatable))
    assert loaded[some_id].name == allocatable[some_id]["name"] and loaded[some_id].active

    loaded[some_id].name = "Renamed by hand"
    db.session.commit()
    again = runner.invoke(args=["load-services"])
    assert again.exit_code == 0
    db.session.expire_all()
    assert db.session.get(Service, some_id).name == allocatable[some_id]["name"]
    assert db.session.scalar(select(func.count()).select_from(Service)) == len(allocatable)
