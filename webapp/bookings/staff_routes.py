"""/staff/bookings/: base staff (their own bases) and admins (all bases) publish sessions and run the day."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from webapp import clock
from webapp.accounts.roles import Role, role_required
from webapp.accounts.service import find_by_email
from webapp.bookings import places, sessions
from webapp.bookings.forms import (
    AssignStaffForm,
    AttendanceForm,
    CancelSessionForm,
    ConfirmForm,
    DayForm,
    EditSessionForm,
    OverCapacityForm,
    SessionForm,
    WalkInForm,
)
from webapp.bookings.rules import BookingError, SlotJustTaken
from webapp.extensions import db

bp = Blueprint("bookings_staff", __name__, url_prefix="/staff/bookings")
RUNNERS = (Role.BASE_STAFF, Role.ADMIN)


def _base_or_404(slug: str):
    return sessions.base_for(current_user, slug) or abort(404)


def _session_or_404(session_id: int):
    return sessions.managed_session(current_user, session_id) or abort(404)


@bp.route("/")
@role_required(*RUNNERS)
def home():
    bases = places.bases_run_by(current_user)
    return render_template("bookings/staff/home.html", bases=bases, upcoming=sessions.upcoming_sessions(bases),
                           upcoming_days=sessions.UPCOMING_DAYS, bases_by_id={base.id: base for base in bases},
                           follow_ups=len(sessions.follow_ups(current_user)), today=clock.today_local())


def _blank_walk_in(slot_id: int) -> WalkInForm:
    return WalkInForm(formdata=None, prefix=f"slot{slot_id}")


def _blank_over_capacity(slot_id: int) -> OverCapacityForm:
    return OverCapacityForm(formdata=None, prefix=f"over{slot_id}")


def _render_day(base, day: date, walk_in: WalkInForm | None = None, walk_in_slot: int | None = None,
                problem=None, status: int = 200):
    day_sessions = sessions.day_list(base.id, day)
    slot_ids = [slot.id for s in day_sessions for slot in s.slots]
    return render_template("bookings/staff/day.html", base=base, day=day, sessions=day_sessions,
                           bookings=sessions.bookings_for_slots(slot_ids), walk_in=walk_in, walk_in_slot=walk_in_slot,
                           problem=problem, day_form=DayForm(request.args), walk_in_form=_blank_walk_in,
                           over_capacity_form=_blank_over_capacity,
                           attendance=AttendanceForm(formdata=None), now=clock.now()), status


@bp.route("/bases/<slug>/day")
@role_required(*RUNNERS)
def day(slug: str):
    base = _base_or_404(slug)
    form = DayForm(request.args)
    chosen = form.date.data if form.validate() and form.date.data else clock.today_local()
    return _render_day(base, chosen)


@bp.route("/slots/<int:slot_id>/walk-in", methods=["POST"])
@role_required(*RUNNERS)
def walk_in(slot_id: int):
    from webapp.bookings.models import Slot

    slot = db.session.get(Slot, slot_id)
    if slot is None or not places.may_manage(current_user, slot.base_id):
        abort(404)
    base, day_of = slot.session.base, clock.to_local(slot.starts_at).date()
    form = WalkInForm(prefix=f"slot{slot_id}")
    if form.validate_on_submit():
        try:
            sessions.book_walk_in(current_user, slot_id, form.name.data, form.contact.data)
            db.session.commit()
            flash(_("Booked in."), "success")
            return redirect(url_for(".day", slug=base.slug, date=day_of.isoformat(), _anchor=f"slot-{slot_id}"), 303)
        except SlotJustTaken as error:
            # Taken meanwhile: what was typed moves to the over-capacity form, which cannot fail for lack of room.
            over = OverCapacityForm(formdata=None, prefix=f"over{slot_id}", name=form.name.data,
                                    contact=form.contact.data)
            return _render_day(base, day_of, over, slot_id, problem=error, status=409)
        except BookingError as error:
            db.session.rollback()
            return _render_day(base, day_of, form, slot_id, problem=error, status=422)
    return _render_day(base, day_of, form, slot_id, status=422)


@bp.route("/slots/<int:slot_id>/over-capacity", methods=["POST"])
@role_required(*RUNNERS)
def over_capacity(slot_id: int):
    """A full slot: book someone in beyond its places, with a reason (never a button that fails)."""
    from webapp.bookings.models import Slot

    slot = db.session.get(Slot, slot_id)
    if slot is None or not places.may_manage(current_user, slot.base_id):
        abort(404)
    base, day_of = slot.session.base, clock.to_local(slot.starts_at).date()
    form = OverCapacityForm(prefix=f"over{slot_id}")
    if form.validate_on_submit():
        try:
            booking = sessions.book_over_capacity(current_user, slot_id, form.name.data, form.contact.data,
                                                  form.reason.data)
            db.session.commit()
            flash(_("Booked in over capacity.") if booking.over_capacity_reason else _("A place came free: booked in."),
                  "success")
            return redirect(url_for(".day", slug=base.slug, date=day_of.isoformat(), _anchor=f"slot-{slot_id}"), 303)
        except BookingError as error:
            db.session.rollback()
            if error.field == "reason":
                form.reason.errors = [*form.reason.errors, error.message]
            else:
                return _render_day(base, day_of, form, slot_id, problem=error, status=422)
    return _render_day(base, day_of, form, slot_id, status=422)


@bp.route("/bookings/<int:booking_id>/attendance", methods=["POST"])
@role_required(*RUNNERS)
def attendance(booking_id: int):
    form = AttendanceForm()
    try:
        booking = sessions.mark_attendance(current_user, booking_id, form.attendance.data or "")
        db.session.commit()
    except BookingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(request.referrer or url_for(".home"), 303)
    flash(_("Saved."), "success")
    day_of = clock.to_local(booking.starts_at).date().isoformat()
    return redirect(url_for(".day", slug=booking.slot.session.base.slug, date=day_of,
                            _anchor=f"slot-{booking.slot_id}"), 303)


def _session_form(form: SessionForm, bases) -> SessionForm:
    form.base_id.choices = [(b.id, b.name) for b in bases]
    return form


@bp.route("/bases/<slug>/sessions/new", methods=["GET", "POST"])
@role_required(*RUNNERS)
def new_session(slug: str):
    base = _base_or_404(slug)
    form = _session_form(SessionForm(base_id=base.id), places.bases_run_by(current_user))
    needs_fold = bool(form.fold.data)
    if form.validate_on_submit():
        draft = sessions.SessionDraft(
            base_id=form.base_id.data, day=form.day.data, start=form.start.data, end=form.end.data,
            slot_minutes=form.slot_minutes.data, places_per_slot=form.places_per_slot.data,
            purpose=form.purpose.data, audience=form.audience.data, repeat_weeks=form.repeat_weeks.data or 0,
            fold=int(form.fold.data) if form.fold.data else None)
        try:
            made = sessions.create(current_user, draft)
            db.session.commit()
            flash(ngettext("Published %(num)d session.", "Published %(num)d sessions.", len(made)), "success")
            target = db.session.get(type(base), draft.base_id)
            return redirect(url_for(".day", slug=target.slug, date=draft.day.isoformat()), 303)
        except sessions.SessionErrors as errors:
            db.session.rollback()
            for name, message in errors.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
            needs_fold = needs_fold or errors.needs_fold
    status = 422 if form.errors else 200
    return render_template("bookings/staff/new_session.html", base=base, form=form, needs_fold=needs_fold), status


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(*RUNNERS)
def edit_session(session_id: int):
    session = _session_or_404(session_id)
    form = EditSessionForm(obj=session)
    if session.cancelled_at is None and form.validate_on_submit():
        try:
            count = sessions.edit(current_user, session, purpose=form.purpose.data, audience=form.audience.data,
                                  places_per_slot=form.places_per_slot.data, whole_series=form.scope.data == "series")
            db.session.commit()
            flash(ngettext("Saved %(num)d session.", "Saved %(num)d sessions.", count), "success")
            return redirect(url_for(".edit_session", session_id=session_id), 303)
        except sessions.SessionErrors as errors:
            db.session.rollback()
            form.places_per_slot.errors = [*form.places_per_slot.errors, *errors.errors.values()]
            session = _session_or_404(session_id)
    return render_template("bookings/staff/edit_session.html", session=session, form=form,
                           cancel_form=CancelSessionForm(formdata=None)), 422 if form.errors else 200


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@role_required(*RUNNERS)
def cancel_session(session_id: int):
    session = _session_or_404(session_id)
    form = CancelSessionForm()
    if session.cancelled_at is None and form.validate_on_submit():
        count = sessions.cancel(current_user, session, whole_series=form.scope.data == "series")
        db.session.commit()
        flash(ngettext("Cancelled %(num)d session. Everyone booked has been told.",
                       "Cancelled %(num)d sessions. Everyone booked has been told.", count), "success")
    return redirect(url_for(".edit_session", session_id=session_id), 303)


@bp.route("/follow-ups")
@role_required(*RUNNERS)
def follow_ups():
    return render_template("bookings/staff/follow_ups.html", bookings=sessions.follow_ups(current_user),
                           form=ConfirmForm())


@bp.route("/bookings/<int:booking_id>/follow-up-done", methods=["POST"])
@role_required(*RUNNERS)
def follow_up_done(booking_id: int):
    try:
        sessions.follow_up_done(current_user, booking_id)
        db.session.commit()
        flash(_("Marked as called."), "success")
    except BookingError:
        abort(404)
    return redirect(url_for(".follow_ups"), 303)


@bp.route("/staff", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def assignments():
    form = AssignStaffForm()
    form.base_id.choices = [(b.id, b.name) for b in places.all_bases()]
    if form.validate_on_submit():
        person = find_by_email(form.email.data)
        if person is None or person.role != Role.BASE_STAFF:
            form.email.errors = [_("There is no base staff account with that email.")]
        elif form.base_id.data not in {b for b, _label in form.base_id.choices}:
            form.base_id.errors = [_("Choose a base.")]
        else:
            places.assign_staff(person.id, form.base_id.data)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".assignments"), 303)
    return render_template("bookings/staff/assignments.html", form=form, rows=places.staff_assignments(),
                           remove=ConfirmForm(formdata=None)), 422 if form.errors else 200


@bp.route("/staff/<int:user_id>/<int:base_id>/remove", methods=["POST"])
@role_required(Role.ADMIN)
def unassign(user_id: int, base_id: int):
    if ConfirmForm().validate_on_submit():
        places.unassign_staff(user_id, base_id)
        db.session.commit()
        flash(_("Removed."), "success")
    return redirect(url_for(".assignments"), 303)
