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
    hooks.worker_jobs.append(("ask how things are while waiting", service.ask_due))
    hooks.worker_jobs.append(("remind unanswered check-ins", service.remind_due))
    hooks.worker_jobs.append(("offer help that fits while waiting", offers.offer_due))
    hooks.demo_seeders.append(("check-ins while waiting", demo.seed))


def _help_items(offer):
    from webapp.checkins.offers import shown_items
    from webapp.i18n import current_language

    return shown_items(offer, current_language())
