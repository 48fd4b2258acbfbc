"""Self-help pages. Every page here is public and the same for everyone (so the service worker
may keep it for offline use), except the mood page's history, shown only when signed in."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import csrf, db
from webapp.i18n import current_language
from webapp.pwa.service import static_url
from webapp.selfhelp import content, service, tools
from webapp.selfhelp.forms import DeleteForm, MoodForm, WhatWouldHelpForm

bp = Blueprint("selfhelp", __name__, url_prefix="/self-help")

# Page endpoints the service worker keeps for offline use (in each language it keeps: see webapp/pwa).
OFFLINE_ENDPOINTS = ("selfhelp.index", "selfhelp.breathing", "selfhelp.grounding", "selfhelp.distraction",
                     "selfhelp.sleep", "selfhelp.worry_time", "selfhelp.mood", "selfhelp.what_would_help",
                     "selfhelp.services")
LOWEST_MOOD = 1  # "very low": a check-in at 1 gets a kind reply pointing to help now (_low_mood_reply.html)
LOW_REPLY_KEY = "mood_low_reply"
SCRIPTS = ("js/selfhelp/offline-languages.js", "js/selfhelp/breathing.js", "js/selfhelp/grounding.js",
           "js/selfhelp/distraction.js", "js/selfhelp/mood.js", "js/selfhelp/mood-store.js")


@bp.before_request
def _language_from_url() -> None:
    """`?lang=xx` gives each language its own URL, so each can be kept offline."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        g.locale_override = lang


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """Links between self-help pages keep `?lang=` so offline browsing stays in one language."""
    override = getattr(g, "locale_override", None)
    if override and "lang" not in values and endpoint != "selfhelp.mood_import":
        values["lang"] = override


def offline_urls() -> list[str]:
    pages = [url_for(endpoint) for endpoint in OFFLINE_ENDPOINTS]
    pages += [url_for("selfhelp.topic", slug=slug) for slug in content.TOPIC_SLUGS]
    return [*pages, *(static_url(script) for script in SCRIPTS)]


@bp.route("/")
def index():
    return render_template("selfhelp/index.html", groups=content.grouped_topics(current_language()),
                           tools=tools.TOOLS)


@bp.route("/topics/<slug>")
def topic(slug: str):
    found = content.topic(slug, current_language())
    if found is None:
        abort(404)
    related = [tools.TOOLS_BY_SLUG[s] for s in found.related_tools if s in tools.TOOLS_BY_SLUG]
    return render_template("selfhelp/topic.html", topic=found, related=related)


@bp.route("/tools/breathing")
def breathing():
    key = request.args.get("rhythm", tools.DEFAULT_RHYTHM)
    rhythm = tools.RHYTHMS_BY_KEY.get(key) or tools.RHYTHMS_BY_KEY[tools.DEFAULT_RHYTHM]
    return render_template("selfhelp/tools/breathing.html", rhythm=rhythm, rhythms=tools.RHYTHMS,
                           words=tools.PHASE_WORDS)


@bp.route("/tools/grounding")
def grounding():
    return render_template("selfhelp/tools/grounding.html", steps=tools.GROUNDING_STEPS)


@bp.route("/tools/distraction")
def distraction():
    ideas = tools.DISTRACTION_IDEAS
    n = request.args.get("n", "0")
    index_ = int(n) % len(ideas) if n.isdigit() else 0
    return render_template("selfhelp/tools/distraction.html", ideas=ideas, current=index_,
                           next_n=(index_ + 1) % len(ideas))


@bp.route("/tools/sleep")
def sleep():
    return render_template("selfhelp/tools/sleep.html", checklist=tools.SLEEP_CHECKLIST)


@bp.route("/tools/worry-time")
def worry_time():
    return render_template("selfhelp/tools/worry_time.html", steps=tools.WORRY_TIME_STEPS)


@bp.route("/mood", methods=["GET", "POST"])
def mood():
    form = MoodForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            # Without an account nothing is kept here: the page keeps check-ins on the device.
            if request.form.get("score") == str(LOWEST_MOOD):
                session[LOW_REPLY_KEY] = True
            return redirect(url_for("selfhelp.mood"), 303)
        if form.validate_on_submit():
            service.add_entry(current_user.id, form.score.data, form.words.data, form.tags.data)
            db.session.commit()
            flash(_("Your check-in is saved."), "success")
            if form.score.data == LOWEST_MOOD:
                session[LOW_REPLY_KEY] = True  # the page after the redirect opens with a kind reply
            return redirect(url_for("selfhelp.mood"), 303)
    entries = service.entries_for(current_user.id) if current_user.is_authenticated else []
    status = 400 if form.errors else 200
    return render_template("selfhelp/mood.html", form=form, entries=entries, chart=service.chart(entries),
                           low_reply=LOW_REPLY_KEY in session and bool(session.pop(LOW_REPLY_KEY)),
                           delete_form=DeleteForm(), scale={k: str(v) for k, v in tools.MOOD_SCALE},
                           tag_names={k: str(v) for k, v in tools.MOOD_TAGS}), status


@bp.route("/mood/<int:entry_id>/delete", methods=["POST"])
def mood_delete(entry_id: int):
    if not current_user.is_authenticated:
        abort(404)
    if not DeleteForm().validate_on_submit():
        abort(400)
    if not service.delete_entry(current_user.id, entry_id):
        abort(404)
    db.session.commit()
    flash(_("That check-in is deleted."), "success")
    return redirect(url_for("selfhelp.mood"), 303)


@bp.route("/mood/import", methods=["POST"])
def mood_import():
    """Move check-ins kept on this device into the signed-in account (JSON, CSRF header)."""
    if not current_user.is_authenticated:
        return jsonify(error="sign_in_required"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="invalid"), 400
    try:
        added, already = service.import_entries(current_user.id, body.get("entries"))
    except service.MoodError as error:
        db.session.rollback()
        return jsonify(error="invalid", field=str(error)), 400
    db.session.commit()
    return jsonify(added=added, already=already)


@bp.route("/what-would-help", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, after danger answers are sent to help now whatever it says
def what_would_help():
    """Answers come by POST (CSRF-checked) and the answer is never stored, so sensitive answers
    ("suicidal", "unsafe at home") never sit in a URL, the browser's history or a server log. A GET
    only ever shows the questions (an old link's query string is ignored)."""
    if request.method == "GET":
        return render_template("selfhelp/what_would_help.html", form=WhatWouldHelpForm(formdata=None),
                               offline=_offline_decision())
    form = WhatWouldHelpForm()
    if service.in_danger(form.situation.data, form.urgency.data):
        return _no_store(redirect(url_for("core.help_now"), 303))
    if form.validate():
        answers = service.Answers(form.situation.data, form.urgency.data, form.age.data, form.area.data)
        return _no_store(make_response(render_template(
            "selfhelp/suggestions.html", result=service.suggest(answers, current_language()),
            has_bookings=_has_route("/bookings/"))))
    return _no_store(make_response(render_template(
        "selfhelp/what_would_help.html", form=form, offline=_offline_decision()), 400))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _offline_decision() -> dict:
    """What the kept page needs to decide with no signal: the decision's data and every piece it may show."""
    lang = current_language()
    topics = [t for t in (content.topic(key, lang) for key, _label in service.SITUATIONS) if t is not None]
    return {"decision": service.decision_data(lang), "lines": service.TALK_NOW_LINES, "tools": tools.TOOLS,
            "topics": list({t.slug: t for t in topics}.values()), "local": service.signposts("local"),
            "national": service.signposts("national"), "has_bookings": _has_route("/bookings/")}


def _has_route(path: str) -> bool:
    return any(rule.rule == path for rule in current_app.url_map.iter_rules())


@bp.route("/services")
def services():
    return render_template("selfhelp/services.html", national=service.signposts("national"),
                           local=service.signposts("local"), allocatable=service.allocatable_entries())
