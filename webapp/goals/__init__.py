"""Goal tracking with Goal Based Outcomes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and hooks here."""
