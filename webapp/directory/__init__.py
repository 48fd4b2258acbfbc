"""The services directory (local and national) and the services the front door allocates to."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.directory import models  # noqa: F401 - tables for migrations
    from webapp.directory.service import sync_services_from_data
    from webapp.hooks import hooks_for

    hooks_for(app).demo_seeders.append(("services", sync_services_from_data))

    @app.cli.command("load-services")
    def load_services_command() -> None:
        """Add or update the services the front door allocates to, from webapp/data/services.yaml."""
        from webapp.extensions import db

        count = sync_services_from_data()
        db.session.commit()
        click.echo(f"{count} services loaded")
