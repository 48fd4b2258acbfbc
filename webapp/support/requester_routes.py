"""The requester's side after sending: "My requests", the timeline, /track, "things have got worse".

Who may see a request: its requester when signed in; anyone who gave its reference and the young
person's date of birth at /track in this browser session (unless a young person of 13 or over who
asked for themselves said a parent or carer may not); and front-door clinicians and admins (on the
staff pages). Everyone else gets the same 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.roles import PUBLIC_ROLES, role_required
from webapp.extensions import db, limiter
from webapp.support import service
from webapp.support.forms import AnswerForm, TrackForm, WorseForm

bp = Blueprint("support_requester", __name__)

TRACKED_KEY = "support_tracked"


def _tracked(req) -> bool:
    return req.trackable and req.reference in session.get(TRACKED_KEY, [])


def visible(reference: str, via_track: bool):
    req = service.by_reference(reference)
    if req is None or req.fhir_record is None:
        abort(404)
    allowed = _tracked(req) if via_track else service.is_requester(req, current_user)
    if not allowed:
        abort(404)
    return req


def page(req, via_track: bool, worse_form=None, answer_form=None, status: int = 200, check_in_form=None,
         come_back_form=None):
    """The request's page (signed in, or by /track). `check_in_form`: a check-in sent with errors."""
    from webapp.checkins import offers
    from webapp.checkins import service as checkins
    from webapp.checkins.forms import CheckInForm, ComeBackForm
    from webapp.support import lookups

    entries = service.timeline(req)
    if lookups.shown_to_young_person(req, via_track):
        entries = sorted([*entries, *lookups.lookup_entries(req)], key=lambda entry: entry.at)
    return render_template(
        "support/timeline.html", req=req, support_request=req, entries=entries, via_track=via_track,
        question=service.open_question(req), waiting=service.still_waiting(req),
        worse_form=worse_form or WorseForm(), answer_form=answer_form or AnswerForm(),
        worse_url=url_for(f"{bp.name}.track_worse" if via_track else f"{bp.name}.worse", reference=req.reference),
        answer_url=url_for(f"{bp.name}.track_answer" if via_track else f"{bp.name}.answer", reference=req.reference),
        check_in=checkins.open_check_in(req), check_in_form=check_in_form or CheckInForm(),
        can_come_back=checkins.can_come_back(req), come_back_form=come_back_form or ComeBackForm(),
        help_offer=offers.offer_of(req), csrf_form=AnswerForm()), status





@bp.route("/request-support/my-requests")
@role_required(*PUBLIC_ROLES)
def mine():
    return render_template("support/mine.html", requests=service.requests_for(current_user))


@bp.route("/request-support/my-requests/<reference>")
@role_required(*PUBLIC_ROLES)
def timeline(reference: str):
    return page(visible(reference, via_track=False), via_track=False)


def _worse(req, via_track: bool):
    form = WorseForm()
    if not form.validate_on_submit() or not service.still_waiting(req):
        return page(req, via_track, worse_form=form, status=400)
    signal = service.report_worse(req, form.what_changed.data, getattr(current_user, "id", None))
    db.session.commit()
    return render_template("support/worse_sent.html", req=req, signal=signal,
                           back_url=url_for(".track_page" if via_track else ".timeline", reference=req.reference))


def _answer(req, via_track: bool):
    form = AnswerForm()
    if not form.validate_on_submit() or service.open_question(req) is None:
        return page(req, via_track, answer_form=form, status=400)
    service.answer_question(req, form.answer.data, getattr(current_user, "id", None))
    db.session.commit()
    return redirect(url_for(".track_page" if via_track else ".timeline", reference=req.reference, answered=1), 303)


@bp.route("/request-support/my-requests/<reference>/worse", methods=["POST"])
@role_required(*PUBLIC_ROLES)
def worse(reference: str):
    return _worse(visible(reference, via_track=False), via_track=False)


@bp.route("/request-support/my-requests/<reference>/answer", methods=["POST"])
@role_required(*PUBLIC_ROLES)
def answer(reference: str):
    return _answer(visible(reference, via_track=False), via_track=False)


def _track_failed(response) -> bool:
    return response.status_code != 303


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes;30 per day", methods=["POST"], deduct_when=_track_failed)
def track():
    form = TrackForm()
    if form.validate_on_submit():
        req = service.find_for_tracking(form.reference.data, form.date_of_birth.data)
        if req is not None:
            from webapp.support import lookups

            lookups.record_lookup(req)
            db.session.commit()
            session[TRACKED_KEY] = [req.reference, *[r for r in session.get(TRACKED_KEY, [])
                                                     if r != req.reference]][:5]
            return redirect(url_for(".track_page", reference=req.reference), 303)
        form.reference.errors = [_("We could not find a request with that reference and date of birth. Check "
                                   "both and try again.")]
    status = 400 if form.errors else 200
    return render_template("support/track.html", form=form), status


@bp.route("/track/<reference>")
def track_page(reference: str):
    return page(visible(reference, via_track=True), via_track=True)


@bp.route("/track/<reference>/worse", methods=["POST"])
def track_worse(reference: str):
    return _worse(visible(reference, via_track=True), via_track=True)


@bp.route("/track/<reference>/answer", methods=["POST"])
def track_answer(reference: str):
    return _answer(visible(reference, via_track=True), via_track=True)
