"""Drop-in booking at community bases and One Stop Shops."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and hooks here."""
