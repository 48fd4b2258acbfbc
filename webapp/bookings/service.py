"""Booking rules: finding slots, booking, cancelling, moving, the waiting list, reminders.

Plain functions over the database session; no `request` here. Functions that change things leave the
commit to the caller, except that a refusal rolls back first, so nothing is ever half-saved.

Never overbooked: a place is taken inside the transaction by `take_place`. On PostgreSQL the slot row
is locked (`SELECT ... FOR UPDATE`) and checked; on SQLite one conditional `UPDATE ... SET booked =
booked + 1 WHERE booked + held < places` either touches the row or not. A CHECK constraint on the
table backs both up. The person's own row is locked too (PostgreSQL), so two tabs cannot book two
overlapping slots at once; on SQLite the first write already serialises writers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, joinedload

from webapp import audit, clock
from webapp.accounts.models import User
from webapp.accounts.roles import Role, has_role
from webapp.accounts.service import age_on
from webapp.bookings.models import (
    BOOKED,
    CANCELLED,
    LEFT,
    OFFER_EXPIRED,
    OFFERED,
    TOOK_PLACE,
    WAITING,
    Booking,
    DropInSession,
    Slot,
    WaitingListEntry,
)
from webapp.extensions import db
from webapp.i18n import N_
from webapp.notifications import service as notifications
from webapp.notifications.models import APPOINTMENT_REMINDER, PLACE_OFFER

LIST_WEEKS = 8  # how far ahead people can see and book
PAGE_WEEKS = 2  # a base's page shows this many weeks at a time, so it stays small on a phone
REMINDERS_BEFORE = (timedelta(hours=24), timedelta(hours=2))
OFFER_HOLD = timedelta(minutes=30)  # how long a freed place is kept for the person offered it
ALTERNATIVES = 3  # next free slots offered when a place was just taken
BOOKING_ROLES = ("young_person", "parent")


class BookingError(ValueError):
    """A rule the booking broke, tied to the form field (or "" for the page) it belongs next to."""

    def __init__(self, field: str, message: Any):
        super().__init__(str(message))
        self.field = field
        self.message = message


class SlotJustTaken(BookingError):
    """Someone else took the last place first; `alternatives` are the next free slots."""

    def __init__(self, alternatives: list[Slot]):
        super().__init__("", _l("Sorry, that place was just taken by someone else."))
        self.alternatives = alternatives


class AlreadyBooked(BookingError):
    """The same booking sent twice (a double tap): nothing new is made."""

    def __init__(self, booking: Booking):
        super().__init__("", _l("You have already booked this place."))
        self.booking = booking


# -- finding slots ----------------------------------------------------------------------------

def _live_slots():
    return (select(Slot).join(Slot.session).where(DropInSession.cancelled_at.is_(None))
            .options(contains_eager(Slot.session)))


def upcoming_slots(base_id: int, weeks: int = LIST_WEEKS, now: datetime | None = None,
                   skip_weeks: int = 0) -> list[Slot]:
    """A base's slots from `skip_weeks` after now, for `weeks`, in order: one indexed query (slots by
    base and start)."""
    now = now or clock.now()
    start = now + timedelta(weeks=skip_weeks)
    return list(db.session.scalars(
        _live_slots().where(Slot.base_id == base_id, Slot.starts_at > start,
                            Slot.starts_at < start + timedelta(weeks=weeks))
        .order_by(Slot.starts_at, Slot.id)))


def next_free_slots(base_id: int, after: datetime | None = None, limit: int = ALTERNATIVES,
                    exclude_slot_id: int | None = None) -> list[Slot]:
    after = max(after or clock.now(), clock.now())
    query = (_live_slots().where(Slot.base_id == base_id, Slot.starts_at > after,
                                 Slot.starts_at < clock.now() + timedelta(weeks=LIST_WEEKS),
                                 Slot.booked + Slot.held < Slot.places)
             .order_by(Slot.starts_at, Slot.id).limit(limit))
    if exclude_slot_id is not None:
        query = query.where(Slot.id != exclude_slot_id)
    return list(db.session.scalars(query))


def bookable_slot(slot_id: int) -> Slot:
    """The slot, if it exists, its session is not cancelled and it has not started; else a BookingError."""
    slot = db.session.scalar(_live_slots().where(Slot.id == slot_id)) if slot_id else None
    if slot is None:
        if slot_id and db.session.get(Slot, slot_id) is not None:
            raise BookingError("slot_id", _l("This session has been cancelled by the base. Choose another time."))
        raise BookingError("slot_id", _l("We could not find that time. Choose one from the list."))
    if slot.starts_at <= clock.now():
        raise BookingError("slot_id", _l("That time has already started or passed. Choose a later one."))
    return slot


def my_booked_slot_ids(user_id: int, slot_ids: list[int]) -> set[int]:
    if not slot_ids:
        return set()
    return set(db.session.scalars(select(Booking.slot_id).where(
        Booking.user_id == user_id, Booking.status == BOOKED, Booking.slot_id.in_(slot_ids))))


def my_waiting_slot_ids(user_id: int, slot_ids: list[int]) -> set[int]:
    if not slot_ids:
        return set()
    return set(db.session.scalars(select(WaitingListEntry.slot_id).where(
        WaitingListEntry.user_id == user_id, WaitingListEntry.status.in_((WAITING, OFFERED)),
        WaitingListEntry.slot_id.in_(slot_ids))))


# -- rules ------------------------------------------------------------------------------------

def check_age(user: User, slot: Slot, child_first_name: str | None, child_age: int | None) -> None:
    """Young people are checked by their date of birth; parents give their child's first name and age."""
    base = slot.session.base
    if has_role(user, Role.PARENT):
        if not (child_first_name or "").strip():
            raise BookingError("child_first_name", _l("Enter your child's first name."))
        if child_age is None:
            raise BookingError("child_age", _l("Enter your child's age, in numbers."))
        age = child_age
        field = "child_age"
    elif has_role(user, Role.YOUNG_PERSON) and user.date_of_birth is not None:
        age = age_on(user.date_of_birth, slot.session.local_date)
        field = ""
    else:
        raise BookingError("", _l("Only young people and parents or carers can book a drop-in."))
    if not base.min_age <= age <= base.max_age:
        raise BookingError(field, _l("%(base)s is for ages %(min)d to %(max)d.", base=base.name,
                                     min=base.min_age, max=base.max_age))


def _child_fields(user: User, child_first_name: str | None, child_age: int | None) -> dict[str, Any]:
    """Only a parent's booking names a child; a young person's never does."""
    if not has_role(user, Role.PARENT):
        return {"child_first_name": None, "child_age": None}
    return {"child_first_name": (child_first_name or "").strip() or None, "child_age": child_age}


def _lock_person(user_id: int) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _claim_free_place(slot_id: int, counter: InstrumentedAttribute[int]) -> bool:
    """Count one free place of the slot on `counter` (`Slot.booked`, or `Slot.held` for an offer) inside
    the current transaction; False when none is left. PostgreSQL locks the row first; on both, the
    UPDATE only counts it while a place is free."""
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(
            select(Slot.places, Slot.booked, Slot.held).where(Slot.id == slot_id).with_for_update()).one_or_none()
        if row is None or row.booked + row.held >= row.places:
            return False
    result = db.session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked + Slot.held < Slot.places)
        .values({counter: counter + 1}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _count_one_less(slot_id: int, counter: InstrumentedAttribute[int]) -> None:
    db.session.execute(update(Slot).where(Slot.id == slot_id, counter > 0).values({counter: counter - 1})
                       .execution_options(synchronize_session=False))


def take_place(slot_id: int) -> bool:
    """Take one free place in the slot inside the current transaction; False when none is left."""
    return _claim_free_place(slot_id, Slot.booked)


def _give_back_place(slot_id: int) -> None:
    _count_one_less(slot_id, Slot.booked)
    offer_freed_places(slot_id)


def _overlapping(user_id: int, starts_at: datetime, ends_at: datetime, except_booking_id: int | None = None):
    query = select(Booking).where(Booking.user_id == user_id, Booking.status == BOOKED,
                                  Booking.starts_at < ends_at, Booking.ends_at > starts_at)
    if except_booking_id is not None:
        query = query.where(Booking.id != except_booking_id)
    return db.session.scalars(query.limit(1)).first()


def _refuse(error: BookingError):
    db.session.rollback()
    raise error


def _just_taken(slot: Slot) -> SlotJustTaken:
    base_id, starts_at, slot_id = slot.base_id, slot.starts_at, slot.id
    db.session.rollback()
    return SlotJustTaken(next_free_slots(base_id, after=starts_at - timedelta(seconds=1), exclude_slot_id=slot_id))


# -- booking, cancelling, moving ---------------------------------------------------------------

def book(user: User, slot_id: int, child_first_name: str | None = None, child_age: int | None = None) -> Booking:
    slot = bookable_slot(slot_id)
    check_age(user, slot, child_first_name, child_age)
    already = db.session.scalar(select(Booking).where(Booking.user_id == user.id, Booking.slot_id == slot.id,
                                                      Booking.status == BOOKED))
    if already is not None:
        raise AlreadyBooked(already)
    _lock_person(user.id)
    if not take_place(slot.id):
        raise _just_taken(slot)
    clash = _overlapping(user.id, slot.starts_at, slot.ends_at)
    if clash is not None:
        if clash.slot_id == slot.id:
            db.session.rollback()
            raise AlreadyBooked(clash)
        _refuse(BookingError("slot_id", _l("You already have a booking at this time. Cancel or move it first.")))
    booking = Booking(slot_id=slot.id, user_id=user.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                      status=BOOKED, created_at=clock.now(), **_child_fields(user, child_first_name, child_age))
    db.session.add(booking)
    db.session.flush()
    schedule_reminders(booking, slot)
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
    notifications.cancel("booking", booking.id)
    _give_back_place(booking.slot_id)
    audit.record("booking.cancelled", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def move(user: User, booking_id: int, new_slot_id: int) -> Booking:
    """Move a booking to another slot in one transaction: the person ends with exactly one booking."""
    booking = _changeable(own_booking(user, booking_id))
    if new_slot_id == booking.slot_id:
        raise BookingError("slot_id", _l("That is the time you already have. Choose a different time."))
    new_slot = bookable_slot(new_slot_id)
    check_age(user, new_slot, booking.child_first_name, booking.child_age)
    _lock_person(user.id)
    if not take_place(new_slot.id):
        raise _just_taken(new_slot)
    if _overlapping(user.id, new_slot.starts_at, new_slot.ends_at, except_booking_id=booking.id) is not None:
        _refuse(BookingError("slot_id", _l("You already have another booking at that time.")))
    old_slot_id = booking.slot_id
    booking.slot_id, booking.starts_at, booking.ends_at = new_slot.id, new_slot.starts_at, new_slot.ends_at
    booking.moved_at = clock.now()
    db.session.flush()
    notifications.cancel("booking", booking.id)
    schedule_reminders(booking, new_slot)
    _give_back_place(old_slot_id)
    audit.record("booking.moved", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def my_bookings(user_id: int) -> list[Booking]:
    """Every booking of the person, soonest first, with slot, session and base in the same query."""
    return list(db.session.scalars(
        select(Booking).where(Booking.user_id == user_id).order_by(Booking.starts_at.desc(), Booking.id)
        .options(joinedload(Booking.slot).joinedload(Slot.session).joinedload(DropInSession.base))))


def my_waiting(user_id: int) -> list[WaitingListEntry]:
    return list(db.session.scalars(
        select(WaitingListEntry).where(WaitingListEntry.user_id == user_id,
                                       WaitingListEntry.status.in_((WAITING, OFFERED)))
        .order_by(WaitingListEntry.created_at)
        .options(joinedload(WaitingListEntry.slot).joinedload(Slot.session).joinedload(DropInSession.base))))


# -- reminders --------------------------------------------------------------------------------

def when_params(moment: datetime) -> dict[str, str]:
    """When, for a notification's text: the sender writes it as a UK day and time in the person's
    language (`%(day)s`, `%(time)s`) when it sends."""
    return {"starts_at": moment.astimezone(UTC).isoformat()}


def schedule_reminders(booking: Booking, slot: Slot) -> int:
    """24 hours and 2 hours before (those still ahead). The sender honours the person's settings when it
    sends, so turning reminders on later still works. "I'll be there"/"Can't make it" open the cancel page."""
    if booking.user_id is None:
        return 0
    params = {"base": slot.session.base.name, **when_params(slot.starts_at)}
    made = 0
    for before in REMINDERS_BEFORE:
        due = slot.starts_at - before
        if due <= clock.now():
            continue
        notifications.schedule(
            user_id=booking.user_id, kind=APPOINTMENT_REMINDER, due_at=due, expires_at=slot.starts_at,
            title=N_("Drop-in reminder"), body=N_("Your drop-in at %(base)s is on %(day)s at %(time)s (UK time)."),
            params=params, url=f"/bookings/mine/{booking.id}/cancel", subject_type="booking", subject_id=booking.id,
            topic=f"booking-{booking.id}")
        made += 1
    return made


def tell_cancelled_by_base(booking: Booking, slot: Slot) -> None:
    notifications.cancel("booking", booking.id)
    if booking.user_id is None:
        return
    notifications.schedule(
        user_id=booking.user_id, kind=APPOINTMENT_REMINDER, due_at=clock.now(), expires_at=slot.starts_at,
        title=N_("Drop-in cancelled"),
        body=N_("Sorry: %(base)s has cancelled the drop-in on %(day)s at %(time)s (UK time). You can book another."),
        params={"base": slot.session.base.name, **when_params(slot.starts_at)},
        url="/bookings/mine", subject_type="booking_cancelled", subject_id=booking.id)


# -- the waiting list -------------------------------------------------------------------------

def join_waiting_list(user: User, slot_id: int, child_first_name: str | None = None,
                      child_age: int | None = None) -> WaitingListEntry:
    slot = bookable_slot(slot_id)
    check_age(user, slot, child_first_name, child_age)
    if slot.free > 0:
        raise BookingError("", _l("There is a free place at this time: you can book it now."))
    existing = db.session.scalar(select(WaitingListEntry).where(
        WaitingListEntry.user_id == user.id, WaitingListEntry.slot_id == slot.id,
        WaitingListEntry.status.in_((WAITING, OFFERED))))
    if existing is not None:
        return existing
    entry = WaitingListEntry(slot_id=slot.id, user_id=user.id, status=WAITING, created_at=clock.now(),
                             **_child_fields(user, child_first_name, child_age))
    db.session.add(entry)
    db.session.flush()
    audit.record("waiting_list.joined", actor_id=user.id, subject_type="waiting_list", subject_id=entry.id)
    return entry


def _hold_place(slot_id: int) -> bool:
    """Keep one free place for an offer (the same locking as `take_place`)."""
    return _claim_free_place(slot_id, Slot.held)


def _release_hold(slot_id: int) -> None:
    _count_one_less(slot_id, Slot.held)


def offer_freed_places(slot_id: int) -> int:
    """Offer each free place of the slot to the next person waiting, one place to one person."""
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.session.cancelled_at is not None or slot.starts_at <= clock.now():
        return 0
    offered = 0
    while True:
        entry_id = db.session.scalar(
            select(WaitingListEntry.id).where(WaitingListEntry.slot_id == slot_id, WaitingListEntry.status == WAITING)
            .order_by(WaitingListEntry.created_at, WaitingListEntry.id).limit(1))
        if entry_id is None or not _hold_place(slot_id):
            return offered
        now = clock.now()
        expires = min(now + OFFER_HOLD, slot.starts_at)
        claimed = db.session.execute(
            update(WaitingListEntry).where(WaitingListEntry.id == entry_id, WaitingListEntry.status == WAITING)
            .values(status=OFFERED, offered_at=now, offer_expires_at=expires)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            _release_hold(slot_id)
            continue
        entry = db.session.get(WaitingListEntry, entry_id)
        db.session.refresh(entry)
        _tell_offered(entry, slot, expires)
        offered += 1


def _tell_offered(entry: WaitingListEntry, slot: Slot, expires: datetime) -> None:
    notifications.schedule(
        user_id=entry.user_id, kind=PLACE_OFFER, due_at=clock.now(), expires_at=expires,
        title=N_("A drop-in place came up"),
        body=N_("A place at %(base)s on %(day)s at %(time)s (UK time) is yours if you take it by %(until)s."),
        params={"base": slot.session.base.name, **when_params(slot.starts_at),
                "until": clock.to_local(expires).strftime("%H:%M")},
        url="/bookings/mine", subject_type="waiting_list", subject_id=entry.id)


def own_entry(user: User, entry_id: int) -> WaitingListEntry | None:
    return db.session.scalar(select(WaitingListEntry).where(WaitingListEntry.id == entry_id,
                                                            WaitingListEntry.user_id == user.id))


def take_offered_place(user: User, entry_id: int) -> Booking:
    entry = own_entry(user, entry_id)
    now = clock.now()
    if entry is None or entry.status != OFFERED or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise BookingError("", _l("Sorry, this offer has run out or was already used."))
    slot = bookable_slot(entry.slot_id)
    _lock_person(user.id)
    claimed = db.session.execute(
        update(WaitingListEntry).where(WaitingListEntry.id == entry.id, WaitingListEntry.status == OFFERED,
                                       WaitingListEntry.offer_expires_at > now)
        .values(status=TOOK_PLACE).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        _refuse(BookingError("", _l("Sorry, this offer has run out or was already used.")))
    moved = db.session.execute(update(Slot).where(Slot.id == slot.id, Slot.held > 0)
                               .values(held=Slot.held - 1, booked=Slot.booked + 1)
                               .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        _refuse(BookingError("", _l("Sorry, this offer has run out or was already used.")))
    if _overlapping(user.id, slot.starts_at, slot.ends_at) is not None:
        _refuse(BookingError("", _l("You already have a booking at this time. Cancel or move it first.")))
    booking = Booking(slot_id=slot.id, user_id=user.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                      status=BOOKED, child_first_name=entry.child_first_name, child_age=entry.child_age,
                      created_at=now)
    db.session.add(booking)
    db.session.flush()
    notifications.cancel("waiting_list", entry.id)
    schedule_reminders(booking, slot)
    audit.record("waiting_list.took_place", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def leave_waiting_list(user: User, entry_id: int) -> None:
    entry = own_entry(user, entry_id)
    if entry is None or entry.status not in (WAITING, OFFERED):
        raise BookingError("", _l("You are not on the waiting list for this time."))
    was_offered = entry.status == OFFERED
    entry.status = LEFT
    db.session.flush()
    notifications.cancel("waiting_list", entry.id)
    if was_offered:
        _release_hold(entry.slot_id)
        offer_freed_places(entry.slot_id)


def expire_offers() -> int:
    """Worker job: offers not taken in time pass to the next person waiting (or free the place)."""
    now = clock.now()
    due = list(db.session.scalars(select(WaitingListEntry).where(
        WaitingListEntry.status == OFFERED, WaitingListEntry.offer_expires_at <= now)
        .order_by(WaitingListEntry.offer_expires_at).limit(200)))
    expired = 0
    for entry in due:
        result = db.session.execute(
            update(WaitingListEntry).where(WaitingListEntry.id == entry.id, WaitingListEntry.status == OFFERED)
            .values(status=OFFER_EXPIRED).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        _release_hold(entry.slot_id)
        offer_freed_places(entry.slot_id)
        db.session.commit()
        expired += 1
    return expired


# -- personal data ----------------------------------------------------------------------------

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
