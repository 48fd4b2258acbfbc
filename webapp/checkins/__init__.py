"""Wait well: "How are things now?" for everyone still waiting, and what each answer does."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from webapp.checkins import demo, models, offers, routes, service  # noqa: F401 - models registers tables
    from webapp.hooks import Link, hooks_for

    app.register_blueprint(routes.bp)
    from webapp.checkins.timeline import ANSWER_WORDS, DECISION_WORDS

    app.jinja_env.globals.update(check_ins_for=service.all_for, check_in_answer_words=ANSWER_WORDS,
                                 check_in_decision_words=DECISION_WORDS, help_items=_help_items)
    hooks = hooks_for(app)
    hooks.staff_links.append(Link("checkins.lists", _l("Check-ins while waiting"),
                                  _l("\"OK now\" answers to confirm, who would like a call, and who we have not "
                                     "heard from."), roles=("clinician", "admin")))
    from webapp import jobs

    jobs.register(app, jobs.Job("check-in-asks", _l("Asks everyone whose check-in is due how things are."),
                                service.ask_due, lock=jobs.CLUSTER))
    jobs.register(app, jobs.Job("check-in-reminders", _l("Reminds once about a check-in left unanswered."),
                                service.remind_due, lock=jobs.ROWS))
    jobs.register(app, jobs.Job("check-in-offers", _l("Offers help that fits to each request waiting without one."),
                                offers.offer_due, lock=jobs.ROWS))
    hooks.demo_seeders.append(("check-ins while waiting", demo.seed))
    hooks.personal_data_exporters.append(("check_ins_while_waiting", service.export_for))
    hooks.personal_data_exporters.append(("help_while_you_wait", offers.export_for))


def _help_items(offer):
    from webapp.checkins.offers import shown_items
    from webapp.i18n import current_language

    return shown_items(offer, current_language())
