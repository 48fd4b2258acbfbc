"""`flask notify-standin`: the local NHS Notify stand-in (development only)."""

from __future__ import annotations

import contextlib

import click
from flask import Flask


def init_cli(app: Flask) -> None:
    @app.cli.command("notify-standin")
    @click.option("--port", type=int, default=None, help="Port to listen on (default NOTIFY_STANDIN_PORT, 6011).")
    @click.option("--callback-url", default=None,
                  help="Where to send delivery receipts (default http://127.0.0.1:5000/api/v1/notify/callback).")
    def notify_standin(port: int | None, callback_url: str | None) -> None:
        """Run the local NHS Notify stand-in (development only), with this app's key and callback token."""
        from flask import current_app

        from webapp.messaging import STANDIN_PORT
        from webapp.messaging.standin import NotifyStandIn

        config = current_app.config
        if config.get("ENV_NAME") == "production":
            raise click.ClickException("The Notify stand-in is for development only.")
        callback = callback_url or config.get("NOTIFY_STANDIN_CALLBACK_URL") or (
            "http://127.0.0.1:5000/api/v1/notify/callback")
        standin = NotifyStandIn(config["NOTIFY_API_KEY"], callback, config["NOTIFY_CALLBACK_TOKEN"],
                                port=port or int(config.get("NOTIFY_STANDIN_PORT") or STANDIN_PORT))
        click.echo(f"Notify stand-in at {standin.url} (receipts to {callback}); Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            standin.server.serve_forever()
