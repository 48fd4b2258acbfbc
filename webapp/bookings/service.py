"""Booking, cancelling and moving a drop-in place; a person's bookings and their export.

Plain functions over the database session; no `request` here. Functions that change things leave the
commit to the caller, except that a refusal rolls back first, so nothing is ever half-saved. The
rules they apply (ages, clashes, counting places without overbooking) are in `rules`; a place given
back goes to the waiting list first (`waiting_list.offer_freed_places`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from webapp import audit, clock
from webapp.accounts.models import User
from webapp.bookings import reminders, rules, waiting_list
from webapp.bookings.models import BOOKED, CANCELLED, OFFERED, Booking, DropInSession, Slot, WaitingListEntry
from webapp.bookings.rules import AlreadyBooked, BookingError
from webapp.extensions import db
from webapp.notifications import service as notifications  # noqa: F401 - tests read reminders through it

BOOKING_ROLES = ("young_person", "parent")


def _give_back_place(slot_id: int) -> None:
    rules.count_one_less(slot_id, Slot.booked)
    waiting_list.offer_freed_places(slot_id)


def book(user: User, slot_id: int, child_first_name: str | None = None, child_age: int | None = None) -> Booking:
    slot = rules.bookable_slot(slot_id)
    rules.check_age(user, slot, child_first_name, child_age)
    already = db.session.scalar(select(Booking).where(Booking.user_id == user.id, Booking.slot_id == slot.id,
                                                      Booking.status == BOOKED))
    if already is not None:
        raise AlreadyBooked(already)
    rules.lock_person(user.id)
    if not rules.take_place(slot.id):
        raise rules.just_taken(slot)
    clash = rules.overlapping(user.id, slot.starts_at, slot.ends_at)
    if clash is not None:
        if clash.slot_id == slot.id:
            db.session.rollback()
            raise AlreadyBooked(clash)
        rules.refuse(BookingError("slot_id", _l("You already have a booking at this time. Cancel or move it first.")))
    booking = Booking(slot_id=slot.id, user_id=user.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                      status=BOOKED, created_at=clock.now(), **rules.child_fields(user, child_first_name, child_age))
    db.session.add(booking)
    db.session.flush()
    reminders.schedule(booking, slot)
    audit.record("booking.made", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def own_booking(user: User, booking_id: int) -> Booking | None:
    """The person's own booking, or None (someone else's booking is "not found", never "forbidden")."""
    return db.session.scalar(select(Booking).where(Booking.id == booking_id, Booking.user_id == user.id)
                             .options(joinedload(Booking.slot).joinedload(Slot.session).joinedload(DropInSession.base)))


def _changeable(booking: Booking | None) -> Booking:
    if booking is None:
        raise BookingError("", _l("We could not find that booking."))
    if booking.status != BOOKED:
        raise BookingError("", _l("This booking has already been cancelled."))
    if booking.starts_at <= clock.now():
        raise BookingError("", _l("This booking has already started, so it can no longer be changed."))
    return booking


def cancel(user: User, booking_id: int) -> Booking:
    booking = _changeable(own_booking(user, booking_id))
    booking.status, booking.cancelled_at = CANCELLED, clock.now()
    db.session.flush()
    reminders.cancel_reminders(booking.id)
    _give_back_place(booking.slot_id)
    audit.record("booking.cancelled", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def move(user: User, booking_id: int, new_slot_id: int) -> Booking:
    """Move a booking to another slot in one transaction: the person ends with exactly one booking."""
    booking = _changeable(own_booking(user, booking_id))
    if new_slot_id == booking.slot_id:
        raise BookingError("slot_id", _l("That is the time you already have. Choose a different time."))
    new_slot = rules.bookable_slot(new_slot_id)
    rules.check_age(user, new_slot, booking.child_first_name, booking.child_age)
    rules.lock_person(user.id)
    if not rules.take_place(new_slot.id):
        raise rules.just_taken(new_slot)
    if rules.overlapping(user.id, new_slot.starts_at, new_slot.ends_at, except_booking_id=booking.id) is not None:
        rules.refuse(BookingError("slot_id", _l("You already have another booking at that time.")))
    old_slot_id = booking.slot_id
    booking.slot_id, booking.starts_at, booking.ends_at = new_slot.id, new_slot.starts_at, new_slot.ends_at
    booking.moved_at = clock.now()
    db.session.flush()
    reminders.cancel_reminders(booking.id)
    reminders.schedule(booking, new_slot)
    _give_back_place(old_slot_id)
    audit.record("booking.moved", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def my_bookings(user_id: int) -> list[Booking]:
    """Every booking of the person, soonest first, with slot, session and base in the same query."""
    return list(db.session.scalars(
        select(Booking).where(Booking.user_id == user_id).order_by(Booking.starts_at.desc(), Booking.id)
        .options(joinedload(Booking.slot).joinedload(Slot.session).joinedload(DropInSession.base))))


def export_for(user: User) -> dict[str, list[dict[str, Any]]]:
    bookings = [{
        "base": b.slot.session.base.name, "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(),
        "status": b.status, "child_first_name": b.child_first_name, "child_age": b.child_age,
        "attendance": b.attendance, "created_at": b.created_at.isoformat(),
        "cancelled_at": b.cancelled_at.isoformat() if b.cancelled_at else None,
    } for b in my_bookings(user.id)]
    waiting = [{
        "slot_starts_at": w.slot.starts_at.isoformat(), "status": w.status, "child_first_name": w.child_first_name,
        "child_age": w.child_age, "created_at": w.created_at.isoformat(),
    } for w in db.session.scalars(select(WaitingListEntry).where(WaitingListEntry.user_id == user.id)
                                  .options(joinedload(WaitingListEntry.slot)))]
    return {"bookings": bookings, "waiting_list": waiting}


def free_places_of(user_id: int, connection) -> None:
    """Before an account is deleted (its bookings go with it by cascade), give their places back."""
    rows = connection.execute(select(Booking.slot_id, func.count()).where(
        Booking.user_id == user_id, Booking.status == BOOKED).group_by(Booking.slot_id)).all()
    for slot_id, count in rows:
        connection.execute(update(Slot).where(Slot.id == slot_id).values(booked=Slot.booked - count))
    held = connection.execute(select(WaitingListEntry.slot_id, func.count()).where(
        WaitingListEntry.user_id == user_id, WaitingListEntry.status == OFFERED)
        .group_by(WaitingListEntry.slot_id)).all()
    for slot_id, count in held:
        connection.execute(update(Slot).where(Slot.id == slot_id).values(held=Slot.held - count))
