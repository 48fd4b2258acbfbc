"""`flask load-services`: add or update the services the front door allocates to."""

from __future__ import annotations

import click
from flask import Flask


def init_cli(app: Flask) -> None:
    @app.cli.command("load-services")
    def load_services_command() -> None:
        """Add or update the services the front door allocates to, from webapp/data/services.yaml."""
        from webapp.directory.service import sync_services_from_data
        from webapp.extensions import db

        count = sync_services_from_data()
        db.session.commit()
        click.echo(f"{count} services loaded")
