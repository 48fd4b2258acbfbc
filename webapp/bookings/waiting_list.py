"""The waiting list of a full drop-in time: joining, offering a freed place to the next person
waiting (held for them for `OFFER_HOLD`), taking or leaving an offer, and offers running out.

A freed place is offered one place to one person, first come first served; the hold counts on
`Slot.held`, so nobody else can book it meanwhile. Plain functions; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp import audit, clock
from webapp.accounts.models import User
from webapp.bookings import reminders, rules
from webapp.bookings.models import (
    BOOKED,
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
from webapp.bookings.rules import BookingError
from webapp.extensions import db
from webapp.i18n import N_
from webapp.notifications import service as notifications
from webapp.notifications.models import PLACE_OFFER

OFFER_HOLD = timedelta(minutes=30)  # how long a freed place is kept for the person offered it


def my_waiting_slot_ids(user_id: int, slot_ids: list[int]) -> set[int]:
    if not slot_ids:
        return set()
    return set(db.session.scalars(select(WaitingListEntry.slot_id).where(
        WaitingListEntry.user_id == user_id, WaitingListEntry.status.in_((WAITING, OFFERED)),
        WaitingListEntry.slot_id.in_(slot_ids))))


def my_waiting(user_id: int) -> list[WaitingListEntry]:
    return list(db.session.scalars(
        select(WaitingListEntry).where(WaitingListEntry.user_id == user_id,
                                       WaitingListEntry.status.in_((WAITING, OFFERED)))
        .order_by(WaitingListEntry.created_at)
        .options(joinedload(WaitingListEntry.slot).joinedload(Slot.session).joinedload(DropInSession.base))))


def join(user: User, slot_id: int, child_first_name: str | None = None,
         child_age: int | None = None) -> WaitingListEntry:
    """Put the person on the list of a full time (joining twice gives back the same entry)."""
    slot = rules.bookable_slot(slot_id)
    rules.check_age(user, slot, child_first_name, child_age)
    if slot.free > 0:
        raise BookingError("", _l("There is a free place at this time: you can book it now."))
    existing = db.session.scalar(select(WaitingListEntry).where(
        WaitingListEntry.user_id == user.id, WaitingListEntry.slot_id == slot.id,
        WaitingListEntry.status.in_((WAITING, OFFERED))))
    if existing is not None:
        return existing
    entry = WaitingListEntry(slot_id=slot.id, user_id=user.id, status=WAITING, created_at=clock.now(),
                             **rules.child_fields(user, child_first_name, child_age))
    db.session.add(entry)
    db.session.flush()
    audit.record("waiting_list.joined", actor_id=user.id, subject_type="waiting_list", subject_id=entry.id)
    return entry


def _hold_place(slot_id: int) -> bool:
    """Keep one free place for an offer (the same locking as `take_place`)."""
    return rules.claim_free_place(slot_id, Slot.held)


def _release_hold(slot_id: int) -> None:
    rules.count_one_less(slot_id, Slot.held)


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
        params={"base": slot.session.base.name, **reminders.when_params(slot.starts_at),
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
    slot = rules.bookable_slot(entry.slot_id)
    rules.lock_person(user.id)
    claimed = db.session.execute(
        update(WaitingListEntry).where(WaitingListEntry.id == entry.id, WaitingListEntry.status == OFFERED,
                                       WaitingListEntry.offer_expires_at > now)
        .values(status=TOOK_PLACE).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        rules.refuse(BookingError("", _l("Sorry, this offer has run out or was already used.")))
    moved = db.session.execute(update(Slot).where(Slot.id == slot.id, Slot.held > 0)
                               .values(held=Slot.held - 1, booked=Slot.booked + 1)
                               .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        rules.refuse(BookingError("", _l("Sorry, this offer has run out or was already used.")))
    if rules.overlapping(user.id, slot.starts_at, slot.ends_at) is not None:
        rules.refuse(BookingError("", _l("You already have a booking at this time. Cancel or move it first.")))
    booking = Booking(slot_id=slot.id, user_id=user.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                      status=BOOKED, child_first_name=entry.child_first_name, child_age=entry.child_age,
                      created_at=now)
    db.session.add(booking)
    db.session.flush()
    notifications.cancel("waiting_list", entry.id)
    reminders.schedule(booking, slot)
    audit.record("waiting_list.took_place", actor_id=user.id, subject_type="booking", subject_id=booking.id)
    return booking


def leave(user: User, entry_id: int) -> None:
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
