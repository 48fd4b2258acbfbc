"""/request-support/: the form, a page at a time, from a server-side draft, then the sent page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import BaseForm
from webapp.i18n import current_language
from webapp.support import drafts, service
from webapp.support.ages import age_today
from webapp.support.forms import AGE_MESSAGES, TOPICS, SubmitForm

bp = Blueprint("support", __name__, url_prefix="/request-support")

DRAFT_KEY, SENT_KEY = "support_draft", "support_sent"


def _draft():
    draft = drafts.get_draft(session.get(DRAFT_KEY))
    if draft is None or draft.submitted_request_id is not None:
        return None
    if draft.user_id is not None and draft.user_id != getattr(current_user, "id", None):
        return None
    return draft


def _progress(draft, step):
    steps = drafts.applicable_steps(draft)
    names = [s.name for s in steps]
    return {"number": names.index(step.name) + 1 if step.name in names else 1, "total": len(steps) + 1}


@bp.route("/", methods=["GET", "POST"])
def start():
    draft = _draft()
    if request.method == "POST":
        if not BaseForm().validate_on_submit():
            abort(400)
        if draft is None or request.form.get("again"):
            draft = drafts.start_for(current_user)
            session[DRAFT_KEY] = draft.id
            db.session.commit()
        return redirect(url_for(".step", step_name=drafts.first_step(draft, current_user).name), 303)
    return render_template("support/start.html", draft=draft, form=BaseForm())


@bp.route("/<step_name>", methods=["GET", "POST"])
def step(step_name: str):
    draft = _draft()
    if draft is None:
        return redirect(url_for(".start"))
    current = drafts.STEPS_BY_NAME.get(step_name) or abort(404)
    if current not in drafts.applicable_steps(draft):
        return redirect(url_for(".step", step_name=drafts.applicable_steps(draft)[0].name))
    changing = bool(request.values.get("change"))
    if request.method == "POST":
        formdata = drafts.keep_account_answers(draft, current, request.form, current_user)
        form = drafts.make_form(draft, current, formdata=formdata)
        drafts.save_input(draft, current, formdata)
        db.session.commit()
        if form.validate():
            return redirect(_after(draft, current, form, changing), 303)
    else:
        form = drafts.make_form(draft, current)
        if request.args.get("review"):
            form.validate()
    return _render_step(draft, current, form, changing)


@bp.route("/<step_name>/autosave", methods=["POST"])
def autosave(step_name: str):
    """What is typed on a step, kept as it is typed (the page's script sends it; CSRF checked as for any
    POST), so a quick exit, a closed tab or a lost phone signal never loses it. Nothing is validated."""
    draft = _draft()
    current = drafts.STEPS_BY_NAME.get(step_name)
    if draft is None or current is None or current not in drafts.applicable_steps(draft):
        return "", 404
    drafts.save_input(draft, current, drafts.keep_account_answers(draft, current, request.form, current_user))
    db.session.commit()
    return "", 204


def _after(draft, current, form, changing: bool) -> str:
    if current.name == "safety" and drafts.any_risk(form.data):
        return url_for(".urgent_help", change=1 if changing else None)
    following = drafts.next_step(draft, current)
    if changing and current.name != "who":
        return url_for(".check")
    return url_for(".step", step_name=following.name) if following else url_for(".check")


def _shown_from_account(draft, current, form) -> dict[str, str]:
    """Fields shown as a line to check ("from your account") rather than asked: not one being changed
    (`?edit=<field>`) or in error."""
    from datetime import date

    from webapp.i18n import local_date

    editing = request.args.get("edit")
    return {name: local_date(date.fromisoformat(value)) if name == "date_of_birth" else value
            for name, value in drafts.from_account(draft, current, current_user).items()
            if name != editing and not getattr(form, name).errors}


def _render_step(draft, current, form, changing: bool):
    back = drafts.previous_step(draft, current)
    status = 400 if form.errors else 200
    return render_template(f"support/steps/{current.name.replace('-', '_')}.html", form=form, step=current,
                           progress=_progress(draft, current), changing=changing, age_messages=AGE_MESSAGES,
                           from_account=_shown_from_account(draft, current, form),
                           back_url=url_for(".check") if changing else (
                               url_for(".step", step_name=back.name) if back else url_for(".start"))), status


@bp.route("/urgent-help")
def urgent_help():
    draft = _draft()
    if draft is None:
        return redirect(url_for(".start"))
    following = drafts.next_step(draft, drafts.STEPS_BY_NAME["safety"])
    onward = url_for(".check") if request.args.get("change") or following is None else url_for(
        ".step", step_name=following.name)
    return render_template("support/urgent_help.html", onward=onward, audience=drafts.audience(draft),
                           situations=drafts.draft_risk_situations(draft),
                           young_person_age=drafts.young_person_age(draft))


@bp.route("/check", methods=["GET", "POST"])
def check():
    draft = _draft()
    if request.method == "POST":
        return _submit(draft)
    if draft is None:
        return redirect(url_for(".start"))
    forms_by_step, first_bad = drafts.validated_forms(draft)
    if first_bad is not None:
        return redirect(url_for(".step", step_name=first_bad.name, review=1))
    return render_template("support/check.html", sections=drafts.summary(forms_by_step),
                           form=SubmitForm(draft=draft.id), progress={"number": len(forms_by_step) + 1,
                                                                      "total": len(forms_by_step) + 1})


def _submit(draft):
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    if draft is None or form.draft.data != draft.id:
        # An old page, a replay, or a draft id that is not this person's: never a second request.
        earlier = drafts.get_draft(form.draft.data)
        if earlier is not None and earlier.submitted_request_id is not None:
            sent = db.session.get(service.SupportRequest, earlier.submitted_request_id)
            if sent is not None and sent.reference in session.get(SENT_KEY, []):
                return redirect(url_for(".sent", reference=sent.reference), 303)
        return redirect(url_for(".check" if draft else ".start"), 303)
    try:
        req = service.submit(draft, current_user, language=current_language())
    except service.DraftNotReady as problem:
        return redirect(url_for(".step", step_name=problem.step.name, review=1), 303)
    db.session.commit()
    session.pop(DRAFT_KEY, None)
    session[SENT_KEY] = [req.reference, *[r for r in session.get(SENT_KEY, []) if r != req.reference]][:5]
    return redirect(url_for(".sent", reference=req.reference), 303)


@bp.route("/sent/<reference>")
def sent(reference: str):
    req = service.by_reference(reference)
    if req is None or not (req.reference in session.get(SENT_KEY, []) or service.is_requester(req, current_user)):
        abort(404)
    topics = [(slug, label) for slug, label in TOPICS if slug in (req.answers or {}).get("topics", [])]
    return render_template("support/sent.html", req=req, support_request=req, topics=topics,
                           situations=drafts.risk_situations(req.answers or {}),
                           audience="self" if req.requester_type == "young_person" else "other",
                           young_person_age=age_today(req.young_person_date_of_birth),
                           summary_rows=drafts.answer_rows(req.answers, drafts.question_texts(
                               "self" if req.requester_type == "young_person" else "other", english=False)))
