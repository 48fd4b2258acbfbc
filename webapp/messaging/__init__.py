"""Texts, emails and letters through NHS Notify (the GOV.UK Notify API), and each person's channels.

`service.send_to_address` queues one message to one address; `service.notify` tells someone news by
their channels in their order. The worker job "notify-messages" sends them (`sender.py`), Notify's
receipts come back to `/api/v1/notify/callback` (`receipts.py`), and `standin.py` is a local Notify
for development (`make run`) and tests, whose messages `/dev/messages` shows.
"""

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

STANDIN_PORT = 6011


def init_app(app: Flask) -> None:
    from webapp import jobs
    from webapp.hooks import Link, hooks_for
    from webapp.messaging import cli, export, models, routes, sender
    from webapp.retention import RetentionRule, register_rule

    _configure(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.api)
    hooks = hooks_for(app)
    hooks.settings_links.append(Link("messaging.settings", _l("How we contact you"),
                                     _l("Texts, emails or letters as well as reminders in the app, in your "
                                        "order, and whether they say who they are from.")))
    hooks.staff_links.append(Link("messaging.staff_messages", _l("Texts, emails and letters"),
                                  _l("Each message's channel and what NHS Notify said about it."),
                                  roles=("admin",)))
    hooks.personal_data_exporters.append(("messages", export.export_for))
    jobs.register(app, jobs.Job("notify-messages", _l("Sends texts, emails and letters through NHS Notify."),
                                sender.send_due, lock=jobs.ROWS, first="the longest waiting"))
    register_rule(RetentionRule("texts, emails and letters", lambda: models.Message, "created_at",
                                timedelta(days=90), lambda model: model.status.notin_(("pending", "sending"))))
    cli.init_cli(app)


def _configure(app: Flask) -> None:
    """Development and tests talk to the local stand-in unless NOTIFY_BASE_URL says otherwise."""
    config = app.config
    config.setdefault("NOTIFY_TEMPLATES", {})
    config.setdefault("NOTIFY_RATE_PER_MINUTE", 3000)
    if config.get("ENV_NAME") != "production" and not config.get("NOTIFY_BASE_URL"):
        config["NOTIFY_BASE_URL"] = f"http://127.0.0.1:{config.get('NOTIFY_STANDIN_PORT') or STANDIN_PORT}"

