"""Goal tracking with Goal Based Outcomes: goals, 0-10 ratings, progress, review prompts, sharing."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.hooks import Link, hooks_for


def init_app(app: Flask) -> None:
    """Registered in CAPABILITIES; the package plugs in its routes and hooks here."""
    from webapp.goals import (
        api,  # noqa: F401 - JSON routes on the same blueprint
        demo,
        models,  # noqa: F401 - tables for migrations
        reminders,
        routes,
        service,
        sharing,
    )

    app.register_blueprint(routes.bp)
    hooks = hooks_for(app)
    hooks.nav_links.append(Link("goals.index", _l("My goals"),
                                _l("Goals in your own words, and how close you are to them."),
                                roles=("young_person",)))
    hooks.settings_links.append(Link("goals.settings", _l("Goals: sharing and reminders"),
                                     _l("Choose whether your worker sees your goals, and when to be reminded."),
                                     roles=("young_person",)))
    hooks.personal_data_exporters.append(("goals", service.export_for))
    hooks.offline_urls.append(routes.offline_urls)
    from webapp import jobs

    jobs.register(app, jobs.Job("goal-reminders", _l("Schedules each person's next goal check-in reminder."),
                                reminders.schedule_due_reminders, lock=jobs.ROWS))
    hooks.demo_seeders.append(("goals", demo.seed))
    # For the support request page: {% include "goals/_shared_with_worker.html" %} with `user_id` set.
    app.jinja_env.globals["goals_shared_with_worker"] = _shared_for_current_user(sharing)
    # Globals, not a context processor: imported macros (templates/goals/_macros.html) see only globals.
    from webapp.goals.forms import RATING_LABELS

    app.jinja_env.globals["rating_labels"] = RATING_LABELS
    app.jinja_env.globals["goal_weekday_name"] = lambda day: dict(reminders.WEEKDAYS)[day]


def _shared_for_current_user(sharing):
    def shared(user_id: int):
        from flask_login import current_user

        return sharing.shared_goals(current_user, user_id)

    return shared
