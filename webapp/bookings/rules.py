"""What can be booked and the rules a booking must meet: finding slots, checking ages and clashes,
counting places.

Plain functions over the database session; no `request` here.

Never overbooked: a place is taken inside the transaction by `take_place`. On PostgreSQL the slot row
is locked (`SELECT ... FOR UPDATE`) and checked; on SQLite one conditional `UPDATE ... SET booked =
booked + 1 WHERE booked + held < places` either touches the row or not. A CHECK constraint on the
table backs both up. The person's own row is locked too (PostgreSQL), so two tabs cannot book two
overlapping slots at once; on SQLite the first write already serialises writers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, contains_eager

from webapp import clock
from webapp.accounts.models import User
from webapp.accounts.roles import Role, has_role
from webapp.accounts.service import age_on
from webapp.bookings.models import BOOKED, Booking, DropInSession, Slot
from webapp.extensions import db

LIST_WEEKS = 8  # how far ahead people can see and book
PAGE_WEEKS = 2  # a base's page shows this many weeks at a time, so it stays small on a phone
ALTERNATIVES = 3  # next free slots offered when a place was just taken


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


def bases_with_times(now: datetime | None = None) -> set[int]:
    """The bases with any drop-in time in the next LIST_WEEKS weeks (one query)."""
    now = now or clock.now()
    return set(db.session.scalars(
        select(Slot.base_id).join(Slot.session).where(DropInSession.cancelled_at.is_(None), Slot.starts_at > now,
                                                      Slot.starts_at < now + timedelta(weeks=LIST_WEEKS))
        .distinct()))


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
    elif has_role(user, Role.YOUNG_PERSON):
        if user.date_of_birth is None:  # an account made without one: ask, never refuse who they are
            raise BookingError("date_of_birth", _l("Enter your date of birth, so we can check the drop-in "
                                                   "is for your age."))
        age = age_on(user.date_of_birth, slot.session.local_date)
        field = ""
    else:
        raise BookingError("", _l("Drop-ins are booked by young people themselves, or by a parent or carer."))
    if not base.min_age <= age <= base.max_age:
        if field == "child_age":  # by the question it answers, so the error summary names it
            raise BookingError(field, _l("%(base)s is for ages %(min)d to %(max)d: check your child's age.",
                                         base=base.name, min=base.min_age, max=base.max_age))
        raise BookingError(field, _l("%(base)s is for ages %(min)d to %(max)d.", base=base.name,
                                     min=base.min_age, max=base.max_age))


def child_fields(user: User, child_first_name: str | None, child_age: int | None) -> dict[str, Any]:
    """Only a parent's booking names a child; a young person's never does."""
    if not has_role(user, Role.PARENT):
        return {"child_first_name": None, "child_age": None}
    return {"child_first_name": (child_first_name or "").strip() or None, "child_age": child_age}


def lock_person(user_id: int) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def claim_free_place(slot_id: int, counter: InstrumentedAttribute[int]) -> bool:
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


def count_one_less(slot_id: int, counter: InstrumentedAttribute[int]) -> None:
    db.session.execute(update(Slot).where(Slot.id == slot_id, counter > 0).values({counter: counter - 1})
                       .execution_options(synchronize_session=False))


def take_place(slot_id: int) -> bool:
    """Take one free place in the slot inside the current transaction; False when none is left."""
    return claim_free_place(slot_id, Slot.booked)


def take_place_or_over_capacity(slot_id: int) -> bool:
    """Take a free place if there is one, else count one over capacity; True when over capacity.

    The same row lock as any booking (`claim_free_place`), so a place freed at that moment is taken as
    an ordinary place rather than counted over, and no ordinary booking can take it twice."""
    if take_place(slot_id):
        return False
    db.session.execute(update(Slot).where(Slot.id == slot_id).values(over_capacity=Slot.over_capacity + 1)
                       .execution_options(synchronize_session=False))
    return True


def seat_over_capacity(slot_id: int) -> int:
    """A free place goes first to someone booked in over capacity (they are coming anyway): each one
    moves from `over_capacity` to `booked` while a place is free. Returns how many moved."""
    moved = 0
    while db.session.execute(
            update(Slot).where(Slot.id == slot_id, Slot.over_capacity > 0, Slot.booked + Slot.held < Slot.places)
            .values(over_capacity=Slot.over_capacity - 1, booked=Slot.booked + 1)
            .execution_options(synchronize_session=False)).rowcount == 1:
        moved += 1
    return moved


def overlapping(user_id: int, starts_at: datetime, ends_at: datetime,
                except_booking_id: int | None = None) -> Booking | None:
    """The person's booking that overlaps these times, if any."""
    query = select(Booking).where(Booking.user_id == user_id, Booking.status == BOOKED,
                                  Booking.starts_at < ends_at, Booking.ends_at > starts_at)
    if except_booking_id is not None:
        query = query.where(Booking.id != except_booking_id)
    return db.session.scalars(query.limit(1)).first()


def same_day_at_base(user_id: int, slot: Slot) -> Booking | None:
    """The person's other booking at the same base on the same UK day, if any (asked about first)."""
    day = clock.to_local(slot.starts_at).date()
    return db.session.scalars(
        select(Booking).join(Slot, Booking.slot_id == Slot.id)
        .where(Booking.user_id == user_id, Booking.status == BOOKED, Booking.slot_id != slot.id,
               Slot.base_id == slot.base_id, Booking.starts_at >= clock.start_of_local_day(day),
               Booking.starts_at < clock.start_of_local_day(day + timedelta(days=1)))
        .order_by(Booking.starts_at).limit(1)).first()


def refuse(error: BookingError) -> NoReturn:
    """Roll back what the refused change did so far, then raise: nothing is half-saved."""
    db.session.rollback()
    raise error


def just_taken(slot: Slot) -> SlotJustTaken:
    """The error for a place someone else took first, with the next free times at the base."""
    base_id, starts_at, slot_id = slot.base_id, slot.starts_at, slot.id
    db.session.rollback()
    return SlotJustTaken(next_free_slots(base_id, after=starts_at - timedelta(seconds=1), exclude_slot_id=slot_id))
