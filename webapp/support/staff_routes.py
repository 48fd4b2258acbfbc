"""/staff/requests: the front-door clinicians' queue, a request's page (each view audited), triage,
and what has not yet reached the front door's system."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import audit, clock
from webapp.accounts.roles import Role, role_required
from webapp.directory.service import THRIVE_GROUP_NAMES
from webapp.directory.service import services as directory_services
from webapp.extensions import db
from webapp.support import delivery, drafts, service, status_rules
from webapp.support.ages import age_today
from webapp.support.forms import RISK_FIELDS, ReviewedForm, TriageForm
from webapp.support.models import (
    CLOSED,
    SIGNAL_CHECK_IN_WORSE,
    SIGNAL_NOT_SURE,
    SIGNAL_RISK_ANSWERS,
    SIGNAL_WORSE,
    STATUSES,
)

bp = Blueprint("support_staff", __name__, url_prefix="/staff/requests")

SIGNAL_NAMES = {SIGNAL_RISK_ANSWERS: _l("Risk answers"), SIGNAL_NOT_SURE: _l("Not sure about risk"),
                SIGNAL_WORSE: _l("Got worse"), SIGNAL_CHECK_IN_WORSE: _l("Check-in: worse")}

FRONT_DOOR_ROLES = (Role.CLINICIAN, Role.ADMIN)


def status_names() -> dict[str, str]:
    return {status: str(service.STATUS_WORDS[status][0]) for status in STATUSES}


def signal_names() -> dict[str, str]:
    return {kind: str(name) for kind, name in SIGNAL_NAMES.items()}


@bp.route("/")
@role_required(*FRONT_DOOR_ROLES)
def queue():
    status, group = request.args.get("status") or None, request.args.get("group") or None
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, total = service.queue(status=status, thrive_group=group, page=page_number)
    undelivered_count, undelivered_since = delivery.undelivered_summary()
    return render_template("support/staff/queue.html", rows=rows, total=total, page=page_number,
                           pages=max(1, -(-total // service.QUEUE_PAGE)), status=status, group=group,
                           status_names=status_names(), group_names=THRIVE_GROUP_NAMES,
                           signal_names=signal_names(), now=clock.now(),
                           undelivered_count=undelivered_count, undelivered_since=undelivered_since,
                           webhook_configured=bool(current_app.config.get("FRONT_DOOR_WEBHOOK_URL")))


def _triage_form(req, formdata=None) -> TriageForm:
    form = TriageForm(formdata=formdata, data=None if formdata else {
        "status": req.status, "thrive_group": req.thrive_group or "", "service_id": req.service_id or ""})
    names = status_names()
    if req.status == CLOSED:
        form.status.choices = [(CLOSED, names[CLOSED])] + [
            (status, _("Reopen: %(status)s", status=names[status])) for status in status_rules.REOPEN_TO]
    else:
        targets = [req.status] + [s for s in status_rules.allowed_next(req.status) if s != req.status]
        form.status.choices = [(status, names[status]) for status in targets]
    form.thrive_group.choices = [("", _("Not set yet"))] + [(k, str(v)) for k, v in THRIVE_GROUP_NAMES.items()]
    form.service_id.choices = [("", _("None yet"))] + [(s.id, _(s.name)) for s in directory_services()]
    return form


def _request_page(req, form: TriageForm, status: int = 200):
    texts = drafts.question_texts("self" if req.requester_type == "young_person" else "other", english=False)
    answers = req.answers or {}
    return render_template(
        "support/staff/request.html", req=req, form=form, reviewed_form=ReviewedForm(),
        entries=service.timeline(req), deliveries=service.deliveries_for(req),
        risks=[(texts.get(name, name), answers.get(name)) for name in RISK_FIELDS],
        rows=drafts.answer_rows({k: v for k, v in answers.items() if k not in RISK_FIELDS}, texts),
        updates=req.updates, signals=req.risk_signals, signal_names=signal_names(), now=clock.now(),
        status_names=status_names(), group_names=THRIVE_GROUP_NAMES,
        question=service.open_question(req), age=age_today(req.young_person_date_of_birth)), status


def _front_door_request(reference: str):
    req = service.by_reference(reference)
    if req is None:
        abort(404)
    return req


@bp.route("/<reference>")
@role_required(*FRONT_DOOR_ROLES)
def detail(reference: str):
    req = _front_door_request(reference)
    service.record_view(req, current_user)
    db.session.commit()
    return _request_page(req, _triage_form(req))


def _valid_triage(form: TriageForm, req) -> bool:
    """The form's own checks, and that the grouping and service are ones we know."""
    valid = form.validate()
    problems = []
    if form.thrive_group.data and form.thrive_group.data not in THRIVE_GROUP_NAMES:
        problems.append((form.thrive_group, _("Choose a needs-based grouping from the list.")))
    if form.service_id.data and form.service_id.data not in {s.id for s in directory_services()}:
        problems.append((form.service_id, _("Choose a service from the list.")))
    elif form.status.data == "allocated" and not (form.service_id.data or req.service_id):
        problems.append((form.service_id, _("Choose the service the request is allocated to.")))
    if not form.status.errors:
        problems += _transition_problems(form, req)
    for field, message in problems:
        field.errors = [*field.errors, message]
    return valid and not problems


def _transition_problems(form: TriageForm, req) -> list:
    """The written rules (webapp.support.status_rules), in words for a clinician."""
    new = form.status.data
    shown = ((form.question.data if new == "more_information_needed" else form.note_for_requester.data)
             or "").strip() or None
    news = service.carries_news(req, shown, form.thrive_group.data or None, form.service_id.data or None)
    if req.status == CLOSED and new == CLOSED:
        return [(form.status, _("This request is closed. To change it, choose to reopen it."))]
    try:
        status_rules.check_transition(req.status, new, reopen=req.status == CLOSED, carries_news=news)
    except status_rules.TransitionRefused:
        if new == req.status:
            return [(form.status, _("The request already has this status. Add a note or a question for the "
                                    "requester, or choose another status."))]
        return [(form.status, _("A request cannot move from \"%(current)s\" to \"%(new)s\". Choose another status.",
                                current=status_names()[req.status], new=status_names().get(new, new)))]
    return []


@bp.route("/<reference>/update", methods=["POST"])
@role_required(*FRONT_DOOR_ROLES)
def update(reference: str):
    req = _front_door_request(reference)
    service.lock(req)  # the rules are checked against the request as it is now, not as first read
    form = _triage_form(req, formdata=request.form)
    if not _valid_triage(form, req):
        return _request_page(req, form, status=400)
    if req.status == CLOSED:
        audit.record("support_request.reopened", actor_id=current_user.id, subject_type="support_request",
                     subject_id=req.id)
    service.move(req, form.status.data, actor=f"user:{current_user.id}", thrive_group=form.thrive_group.data or None,
                 service_id=form.service_id.data or None, note=form.note_for_requester.data,
                 question=form.question.data)
    req.assigned_clinician_id = req.assigned_clinician_id or current_user.id
    db.session.commit()
    flash(_("Saved. The requester can see the change."), "success")
    return redirect(url_for(".detail", reference=req.reference), 303)


@bp.route("/<reference>/reviewed", methods=["POST"])
@role_required(*FRONT_DOOR_ROLES)
def reviewed(reference: str):
    req = _front_door_request(reference)
    if not ReviewedForm().validate_on_submit():
        abort(400)
    reviewed_count = service.mark_reviewed(req, current_user)
    db.session.commit()
    flash(_("Risk signals marked as reviewed.") if reviewed_count else _("There was nothing left to review."),
          "success")
    return redirect(url_for(".detail", reference=req.reference), 303)


@bp.route("/undelivered")
@role_required(*FRONT_DOOR_ROLES)
def undelivered():
    from flask import current_app

    return render_template("support/staff/undelivered.html", rows=delivery.undelivered(),
                           webhook_configured=bool(current_app.config.get("FRONT_DOOR_WEBHOOK_URL")))
