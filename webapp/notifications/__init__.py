"""Push reminders: subscriptions, preferences, the notifications outbox and its sender."""

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from webapp.hooks import Link, hooks_for
    from webapp.notifications import api, devices, models, payload, routes, sender, service  # noqa: F401 - models
    from webapp.retention import RetentionRule, register_rule

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.filters["device_label"] = devices.display_label
    hooks = hooks_for(app)
    hooks.settings_links.insert(0, Link("notifications.settings", _l("Reminders"),
                                        _l("Turn on reminders for this device, choose which you get, "
                                           "discreet text and quiet hours.")))
    hooks.staff_links.append(Link("notifications.staff_outbox", _l("Notifications"),
                                  _l("What the push reminders sent, what is waiting, and what failed."),
                                  roles=("admin",)))
    from webapp import jobs

    jobs.register(app, jobs.Job("push", _l("Sends due push notifications (reminders, place offers)."),
                                sender.send_due, lock=jobs.ROWS, budget=timedelta(seconds=20)))
    hooks.service_worker_values["__FLOURISH_PUSH_FALLBACK_TEXT__"] = payload.discreet_text_in_every_language
    hooks.personal_data_exporters.append(("notifications", service.export_for))
    register_rule(RetentionRule("notifications not wanted", lambda: models.ScheduledNotification, "created_at",
                                timedelta(days=90), lambda model: model.status == models.NOT_WANTED))

