"""The deploy commands: demo data never in production; the real services loaded from their file; every
command in its package's `cli.py`, registered the same way."""

from __future__ import annotations

import re
from pathlib import Path

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


WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
# Every command the README, the Makefile and docs/deploy.md name, and the module that defines it.
COMMANDS = {
    "seed-demo": "webapp.cli", "worker": "webapp.cli", "jobs": "webapp.cli",
    "create-user": "webapp.accounts.cli", "reset-two-factor": "webapp.accounts.cli",
    "reseal-secrets": "webapp.accounts.cli", "load-services": "webapp.directory.cli",
    "load-bases": "webapp.bookings.cli", "notify-standin": "webapp.messaging.cli",
}


def test_every_command_is_in_its_packages_cli_module_registered_the_same_way(app):
    ours = {name: command.callback.__module__ for name, command in app.cli.commands.items()}
    assert {name: module for name, module in ours.items() if module.startswith("webapp")} == COMMANDS
    assert set(ours) - set(COMMANDS) == {"db"}  # Flask-Migrate's
    for path in WEBAPP.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name == "cli.py":  # each defines its commands in init_cli(app) ...
            assert re.search(r"^def init_cli\(app: Flask\) -> None:", source, re.MULTILINE), path
        else:  # ... and nothing else defines one
            assert "cli.command" not in source and "cli.add_command" not in source, path
    packages = {module.rsplit(".", 1)[0] for module in COMMANDS.values()} - {"webapp"}
    for package in packages:  # ... which the package's init_app calls, as create_app calls webapp.cli's
        init = (WEBAPP.parent / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8")
        assert "cli.init_cli(app)" in init, package
    assert "cli.init_cli(app)" in (WEBAPP / "__init__.py").read_text(encoding="utf-8")


def test_the_notify_stand_in_refuses_to_run_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["notify-standin", "--port", "0"])
    assert result.exit_code != 0 and "for development only" in result.output
