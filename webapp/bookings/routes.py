"""/bookings/: bases, slots, booking, "My bookings", cancel, move, calendar files, the waiting list."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import clock
from webapp.accounts.roles import has_role, role_required
from webapp.bookings import calendar, places, rules, service, waiting_list
from webapp.bookings.forms import BookForm, ConfirmForm, DistrictForm, MoveForm, WaitForm
from webapp.bookings.rules import AlreadyBooked, BookingError, SlotJustTaken
from webapp.bookings.service import BOOKING_ROLES
from webapp.extensions import db
from webapp.i18n import time_of_day

bp = Blueprint("bookings", __name__, url_prefix="/bookings")


def by_local_day(slots):
    """[(date, [slots])] in UK local days."""
    return [(day, list(group)) for day, group in groupby(slots, key=lambda s: clock.to_local(s.starts_at).date())]


PERSON_FIELDS = ("child_first_name", "child_age", "date_of_birth")


def _keep_date_of_birth(form) -> bool:
    """A young person whose account has no date of birth gives it when booking: checked like at
    registration and kept with the account in this transaction. False (the error by the field) if wrong."""
    from webapp.accounts import service as accounts

    if not has_role(current_user, "young_person") or current_user.date_of_birth is not None:
        return True
    if form.date_of_birth.data is None:
        return True  # check_age asks for it, by the field
    try:
        accounts.check_young_person_age(form.date_of_birth.data)
    except accounts.AccountError as error:
        form.date_of_birth.errors = [*form.date_of_birth.errors, error.message]
        return False
    current_user.date_of_birth = form.date_of_birth.data
    return True


def _apply(form, error: BookingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]


@bp.route("/", methods=["GET", "POST"])
def index():
    """The district is sent by POST (CSRF-checked) and the answer never stored: people often type a
    whole postcode, and a postcode next to "looking for mental health drop-ins" must not sit in a
    URL, the browser's history or a server log."""
    form = DistrictForm() if request.method == "POST" else DistrictForm(formdata=None)
    ranked, district, with_times = None, None, set()
    if request.method == "POST" and form.district.data and form.validate():
        district = places.parse_district(form.district.data)
        if district is None or district not in places.districts():
            form.district.errors = [_("Enter a postcode district in Norfolk or Waveney, like NR2, PE30 or IP24.")]
            district = None
        else:
            # Nearest first, but bases with no drop-in time in the next 8 weeks after those with times.
            with_times = rules.bases_with_times()
            ranked = sorted(places.nearest_bases(district), key=lambda pair: pair[0].id not in with_times)
    response = make_response(render_template(
        "bookings/index.html", form=form, bases=places.all_bases(), ranked=ranked, district=district,
        with_times=with_times if ranked is not None else set(), list_weeks=rules.LIST_WEEKS))
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/bases/<slug>")
def base(slug: str):
    found = places.base_by_slug(slug) or abort(404)
    skip = min(max(request.args.get("later", 0, type=int), 0), rules.LIST_WEEKS - rules.PAGE_WEEKS)
    skip -= skip % rules.PAGE_WEEKS
    slots = rules.upcoming_slots(found.id, weeks=rules.PAGE_WEEKS, skip_weeks=skip)
    ids = [slot.id for slot in slots]
    mine = rules.my_booked_slot_ids(current_user.id, ids) if current_user.is_authenticated else set()
    waiting = waiting_list.my_waiting_slot_ids(current_user.id, ids) if current_user.is_authenticated else set()
    return render_template("bookings/base.html", base=found, days=by_local_day(slots), mine=mine, waiting=waiting,
                           skip=skip, page_weeks=rules.PAGE_WEEKS, list_weeks=rules.LIST_WEEKS)


def _slot_or_404(slot_id: int):
    try:
        return rules.bookable_slot(slot_id), None
    except BookingError as error:
        from webapp.bookings.models import Slot

        return (None, error) if db.session.get(Slot, slot_id) is not None else abort(404)


@bp.route("/slots/<int:slot_id>/book", methods=["GET", "POST"])
@role_required(*BOOKING_ROLES)
def book(slot_id: int):
    slot, problem = _slot_or_404(slot_id)
    form, alternatives, same_day, move_from = BookForm(), None, None, None
    if slot is not None and form.validate_on_submit() and _keep_date_of_birth(form):
        same_day = None if form.confirm_same_day.data == "1" else rules.same_day_at_base(current_user.id, slot)
        if same_day is not None:  # a second booking the same day at the same base: ask first, or move
            return render_template("bookings/book.html", slot=slot, form=form, problem=None, alternatives=None,
                                   action="book", same_day=same_day, move_from=None)
        try:
            booking = service.book(current_user, slot_id, form.child_first_name.data, form.child_age.data)
            db.session.commit()
            flash(_("Booked. We have added it to My bookings."), "success")
            return redirect(url_for("bookings.mine", _anchor=f"booking-{booking.id}"), 303)
        except AlreadyBooked:
            flash(_("You have already booked this place."), "success")
            return redirect(url_for("bookings.mine"), 303)
        except SlotJustTaken as error:
            problem, alternatives = error, error.alternatives
        except BookingError as error:
            _apply(form, error)
            problem = None if error.field in PERSON_FIELDS else error
            if error.field == "slot_id":  # overlapping another booking: offer to move that one here
                move_from = rules.overlapping(current_user.id, slot.starts_at, slot.ends_at)
    status = 409 if alternatives is not None else (422 if problem or form.errors else 200)
    return render_template("bookings/book.html", slot=slot, form=form, problem=problem,
                           alternatives=alternatives, action="book", same_day=None, move_from=move_from), status


@bp.route("/slots/<int:slot_id>/wait", methods=["GET", "POST"])
@role_required(*BOOKING_ROLES)
def wait(slot_id: int):
    slot, problem = _slot_or_404(slot_id)
    form = WaitForm()
    if slot is not None and form.validate_on_submit() and _keep_date_of_birth(form):
        try:
            waiting_list.join(current_user, slot_id, form.child_first_name.data, form.child_age.data)
            db.session.commit()
            flash(_joined_message(waiting_list.how_told(current_user.id)), "success")
            return redirect(url_for("bookings.mine", _anchor="waiting-lists"), 303)
        except BookingError as error:
            db.session.rollback()
            _apply(form, error)
            problem = None if error.field in PERSON_FIELDS else error
    status = 422 if problem or form.errors else 200
    return render_template("bookings/book.html", slot=slot, form=form, problem=problem, alternatives=None,
                           action="wait", reach=waiting_list.how_told(current_user.id),
                           hold_minutes=int(waiting_list.OFFER_HOLD.total_seconds() // 60)), status


def _joined_message(reach) -> str:
    """Joining says how they will be told: a notification, when, and for how long the place is kept."""
    minutes = int(waiting_list.OFFER_HOLD.total_seconds() // 60)
    if not reach.possible:
        return _("You are on the waiting list. Notifications are off, so we cannot tell you when a place "
                 "comes up, and it would go to the next person: turn them on (below) to be offered one.")
    if reach.quiet_start is not None and reach.quiet_start != reach.quiet_end:
        return _("You are on the waiting list. If a place comes up we will send a notification to your "
                 "devices with reminders on, after your quiet hours (%(start)s to %(end)s) if it comes up "
                 "during them, and keep the place for you for %(minutes)d minutes from when we send it.",
                 start=time_of_day(reach.quiet_start), end=time_of_day(reach.quiet_end),
                 minutes=minutes)
    return _("You are on the waiting list. If a place comes up we will send a notification to your devices "
             "with reminders on, and keep the place for you for %(minutes)d minutes from when we send it.",
             minutes=minutes)


@bp.route("/mine")
@role_required(*BOOKING_ROLES)
def mine():
    bookings = service.my_bookings(current_user.id)
    now = clock.now()
    upcoming = sorted((b for b in bookings if b.ends_at > now), key=lambda b: b.starts_at)
    past = [b for b in bookings if b.ends_at <= now]
    return render_template("bookings/mine.html", upcoming=upcoming, past=past, now=now,
                           waiting=waiting_list.my_waiting(current_user.id), form=ConfirmForm(),
                           reach=waiting_list.how_told(current_user.id),
                           hold_minutes=int(waiting_list.OFFER_HOLD.total_seconds() // 60))


def _own_or_404(booking_id: int):
    return service.own_booking(current_user, booking_id) or abort(404)


@bp.route("/mine/<int:booking_id>/cancel", methods=["GET", "POST"])
@role_required(*BOOKING_ROLES)
def cancel(booking_id: int):
    booking, form, problem = _own_or_404(booking_id), ConfirmForm(), None
    if form.validate_on_submit():
        try:
            service.cancel(current_user, booking_id)
            db.session.commit()
            flash(_("Your booking is cancelled. Thank you for letting the base know."), "success")
            return redirect(url_for("bookings.mine"), 303)
        except BookingError as error:
            db.session.rollback()
            problem = error
    return render_template("bookings/cancel.html", booking=booking, form=form, problem=problem,
                           reply=request.args.get("reply"))


@bp.route("/mine/<int:booking_id>/move", methods=["GET", "POST"])
@role_required(*BOOKING_ROLES)
def move(booking_id: int):
    booking, form, problem = _own_or_404(booking_id), MoveForm(), None
    if form.validate_on_submit():
        try:
            service.move(current_user, booking_id, form.slot_id.data)
            db.session.commit()
            flash(_("Your booking has moved to the new time."), "success")
            return redirect(url_for("bookings.mine", _anchor=f"booking-{booking_id}"), 303)
        except BookingError as error:
            db.session.rollback()
            if error.field == "slot_id":
                _apply(form, error)
            else:
                problem = error
        booking = _own_or_404(booking_id)
    # By day, two weeks at a time, like a base's page (not one list of every free time).
    skip = min(max(request.args.get("later", 0, type=int), 0), rules.LIST_WEEKS - rules.PAGE_WEEKS)
    skip -= skip % rules.PAGE_WEEKS
    choices = [slot for slot in rules.upcoming_slots(booking.slot.base_id, weeks=rules.PAGE_WEEKS, skip_weeks=skip)
               if slot.id != booking.slot_id and slot.booked + slot.held < slot.places]
    form.slot_id.choices = [(slot.id, "") for slot in choices]
    return render_template("bookings/move.html", booking=booking, form=form, problem=problem,
                           days=by_local_day(choices), skip=skip, page_weeks=rules.PAGE_WEEKS,
                           list_weeks=rules.LIST_WEEKS), 422 if form.errors or problem else 200


@bp.route("/mine/<int:booking_id>/booking.ics")
@role_required(*BOOKING_ROLES)
def calendar_file(booking_id: int):
    booking = _own_or_404(booking_id)
    from webapp.notifications import service as notifications

    body = calendar.booking_calendar(booking, request.host.split(":")[0],
                                     discreet=notifications.is_discreet(current_user.id))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="drop-in-{booking.id}.ics"'})


@bp.route("/waiting/<int:entry_id>/take", methods=["POST"])
@role_required(*BOOKING_ROLES)
def take_offer(entry_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        waiting_list.take_offered_place(current_user, entry_id)
        db.session.commit()
        flash(_("The place is yours. We have added it to My bookings."), "success")
    except BookingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(url_for("bookings.mine"), 303)


@bp.route("/waiting/<int:entry_id>/leave", methods=["POST"])
@role_required(*BOOKING_ROLES)
def leave_waiting(entry_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        waiting_list.leave(current_user, entry_id)
        db.session.commit()
        flash(_("You have left the waiting list."), "success")
    except BookingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(url_for("bookings.mine"), 303)
