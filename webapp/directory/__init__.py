"""The services directory (local and national) and the services the front door allocates to."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.directory import cli, models  # noqa: F401 - models: tables for migrations
    from webapp.directory.service import sync_services_from_data
    from webapp.hooks import hooks_for

    hooks_for(app).demo_seeders.append(("services", sync_services_from_data))
    cli.init_cli(app)
