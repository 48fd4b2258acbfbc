"""Commands: `flask seed-demo`, `flask worker` (`create-user` lives with accounts)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from webapp.hooks import hooks_for


def init_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no accounts yet.")
    def seed_demo(if_empty: bool) -> None:
        """Load the Norfolk & Waveney demo data (never in production: it makes sign-ins whose
        password is published)."""
        from webapp.demo import database_is_empty, seed

        if current_app.config.get("ENV_NAME") == "production":
            raise click.ClickException(
                "Demo data is never loaded in production: its accounts have a published password. "
                "Use load-services, load-bases and create-user (see docs/deploy.md).")
        if if_empty and not database_is_empty():
            click.echo("The database already has data; demo data not loaded.")
            return
        seed()
        click.echo("Demo data loaded: " + ", ".join(name for name, _ in hooks_for().demo_seeders))

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run one pass and exit.")
    @click.option("--interval", type=float, default=None, help="Seconds between passes.")
    def worker(once: bool, interval: float | None) -> None:
        """Send due notifications and deliver requests to the front door."""
        from webapp import worker as worker_module

        if once:
            results = worker_module.run_once(current_app._get_current_object())
            click.echo(" ".join(f"{name}={count}" for name, count in results.items()) or "no jobs")
            return
        worker_module.run_forever(current_app._get_current_object(),
                                  interval or current_app.config["WORKER_INTERVAL_SECONDS"])

