"""`flask load-bases`: add or update the community bases from the data file."""

from __future__ import annotations

import click
from flask import Flask


def init_cli(app: Flask) -> None:
    @app.cli.command("load-bases")
    def load_bases_command() -> None:
        """Add or update bases from webapp/bookings/data/bases.yaml."""
        from webapp.bookings.places import load_bases
        from webapp.extensions import db

        count = load_bases()
        db.session.commit()
        click.echo(f"{count} bases loaded")
