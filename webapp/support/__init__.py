"""Request for support: the form, risk, timeline, FHIR record, front-door outbox and API, triage."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.support import models  # noqa: F401 - tables for migrations
