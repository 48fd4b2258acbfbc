"""Check-ins while waiting: the requester's two taps (signed in, or by /track), and the clinicians'
"ask how they are", decisions and lists."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.roles import PUBLIC_ROLES, Role, role_required
from webapp.checkins import service
from webapp.checkins.forms import CheckInForm, DecisionForm
from webapp.checkins.models import KEPT, NOT_SURE, OK_NOW, WORSE, WaitCheckIn
from webapp.extensions import db
from webapp.support import requester_routes
from webapp.support import service as support

bp = Blueprint("checkins", __name__)

FRONT_DOOR_ROLES = (Role.CLINICIAN, Role.ADMIN)
CALLED, CLOSED = "called", "closed"


def _answer(reference: str, check_in_id: int, via_track: bool):
    req = requester_routes.visible(reference, via_track=via_track)
    form = CheckInForm()
    if not form.validate_on_submit():
        return requester_routes.page(req, via_track, check_in_form=form, status=400)
    try:
        done = service.answer(req, check_in_id, form.answer.data, form.words.data,
                              getattr(current_user, "id", None))
    except (service.CheckInNotFound, service.NotWaiting):
        db.session.rollback()
        abort(404)
    db.session.commit()
    back = url_for("support_requester.track_page" if via_track else "support_requester.timeline",
                   reference=req.reference)
    if done.check_in.answer == WORSE and done.signal is not None:
        return render_template("support/worse_sent.html", req=req, signal=done.signal, back_url=back)
    return render_template("checkins/answered.html", req=req, support_request=req, check_in=done.check_in,
                           back_url=back)


@bp.route("/request-support/my-requests/<reference>/check-in/<int:check_in_id>", methods=["POST"])
@role_required(*PUBLIC_ROLES)
def answer(reference: str, check_in_id: int):
    return _answer(reference, check_in_id, via_track=False)


@bp.route("/track/<reference>/check-in/<int:check_in_id>", methods=["POST"])
def track_answer(reference: str, check_in_id: int):
    return _answer(reference, check_in_id, via_track=True)


def _come_back(reference: str, via_track: bool):
    from webapp.checkins.forms import ComeBackForm

    req = requester_routes.visible(reference, via_track=via_track)
    form = ComeBackForm()
    if not service.can_come_back(req):
        abort(404)
    if not form.validate_on_submit():
        return requester_routes.page(req, via_track, come_back_form=form, status=400)
    signal = service.come_back(req, form.what_changed.data, form.worse.data, getattr(current_user, "id", None))
    db.session.commit()
    back = url_for("support_requester.track_page" if via_track else "support_requester.timeline",
                   reference=req.reference)
    if signal is not None:
        return render_template("support/worse_sent.html", req=req, signal=signal, back_url=back)
    flash(_("Your request is open again, with everything you told us before. A clinician will look at what you "
            "wrote."), "success")
    return redirect(back, 303)


@bp.route("/request-support/my-requests/<reference>/come-back", methods=["POST"])
@role_required(*PUBLIC_ROLES)
def come_back(reference: str):
    return _come_back(reference, via_track=False)


@bp.route("/track/<reference>/come-back", methods=["POST"])
def track_come_back(reference: str):
    return _come_back(reference, via_track=True)


def _feedback(reference: str, via_track: bool, helped: bool):
    from webapp.checkins import offers

    req = requester_routes.visible(reference, via_track=via_track)
    if not DecisionForm().validate_on_submit():
        abort(400)
    from flask import request as http_request

    if not offers.give_feedback(req, http_request.form.get("item", ""), helped):
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("Thank you. That helps the front door know what works."), "success")
    back = url_for("support_requester.track_page" if via_track else "support_requester.timeline",
                   reference=req.reference)
    return redirect(back + "#help-that-fits", 303)


VERDICTS = {"helped": True, "not_helped": False}


@bp.route("/request-support/my-requests/<reference>/help/<verdict>", methods=["POST"])
@role_required(*PUBLIC_ROLES)
def feedback(reference: str, verdict: str):
    return _feedback(reference, via_track=False, helped=VERDICTS[verdict] if verdict in VERDICTS else abort(404))


@bp.route("/track/<reference>/help/<verdict>", methods=["POST"])
def track_feedback(reference: str, verdict: str):
    return _feedback(reference, via_track=True, helped=VERDICTS[verdict] if verdict in VERDICTS else abort(404))


# -- the front door's side --------------------------------------------------------------------------

def _front_door_request(reference: str):
    req = support.by_reference(reference)
    if req is None:
        abort(404)
    return req


@bp.route("/staff/requests/<reference>/ask-how-they-are", methods=["POST"])
@role_required(*FRONT_DOOR_ROLES)
def ask_now(reference: str):
    req = _front_door_request(reference)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        service.ask_now(req, current_user)
    except service.NotWaiting:
        db.session.rollback()
        flash(_("This request is not waiting, so there is nothing to ask."), "error")
        return redirect(url_for("support_staff.detail", reference=req.reference), 303)
    db.session.commit()
    flash(_("Asked. They will see \"How are things now?\" on their request, and get a notification if they "
            "have turned them on."), "success")
    return redirect(url_for("support_staff.detail", reference=req.reference), 303)


DECISIONS = {OK_NOW: (CLOSED, KEPT), NOT_SURE: (CALLED,)}


@bp.route("/staff/requests/check-ins/<int:check_in_id>/<decision>", methods=["POST"])
@role_required(*FRONT_DOOR_ROLES)
def decide(check_in_id: int, decision: str):
    check_in = db.session.get(WaitCheckIn, check_in_id)
    if check_in is None or decision not in DECISIONS.get(check_in.answer or "", ()):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(form.note.errors[0] if form.note.errors else _("Something went wrong. Try again."), "error")
        return redirect(url_for(".lists"), 303)
    service.decide(check_in, decision, form.note.data or "", current_user)
    db.session.commit()
    flash({CLOSED: _("Closed. They have been told, with how to ask again."),
           KEPT: _("Kept open. They have been told."),
           CALLED: _("Marked as called.")}[decision], "success")
    return redirect(url_for(".lists"), 303)


@bp.route("/staff/requests/check-ins")
@role_required(*FRONT_DOOR_ROLES)
def lists():
    return render_template("checkins/staff_lists.html", to_confirm=service.to_confirm(),
                           would_like_a_call=service.would_like_a_call(), not_heard_from=service.not_heard_from(),
                           form=DecisionForm())


@bp.route("/staff/requests/check-ins/figures")
@role_required(*FRONT_DOOR_ROLES)
def figures():
    from webapp.checkins import figures as wait_well
    from webapp.directory.service import services as directory_services

    by_service, by_age, by_language = wait_well.figures()
    names = {s.id: _(s.name) for s in directory_services()}
    names[wait_well.NOT_ALLOCATED] = _("Not allocated yet")
    return render_template("checkins/figures.html", by_service=sorted(by_service.items()),
                           by_age=sorted(by_age.items()), by_language=sorted(by_language.items()), names=names)


@bp.route("/staff/requests/check-ins/figures.csv")
@role_required(*FRONT_DOOR_ROLES)
def figures_csv():
    from webapp.checkins import figures as wait_well
    from webapp.csv_export import csv_response

    return csv_response(wait_well.csv_rows(), "wait-well.csv")
