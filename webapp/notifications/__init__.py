"""Push reminders: subscriptions, preferences, the notifications outbox and its sender."""

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.notifications import models  # noqa: F401 - tables for migrations
