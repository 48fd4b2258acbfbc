"""The waiting list of a full drop-in time: joining, offering a freed place to the next person
waiting (held for them for `OFFER_HOLD`), taking or leaving an offer, and offers running out.

A freed place is offered one place to one person, first come first served; the hold counts on
`Slot.held`, so nobody else can book it meanwhile. Plain functions; the caller commits.

Offers are never lost to sleep or silence: a place is offered only to someone who can be told
(a device with reminders on and appointment reminders wanted; anyone else waiting is passed
over, and keeps their turn for a later place). The hold starts when the offer is sent (after
their quiet hours, if it came up during them) and lasts `OFFER_HOLD` from then: until it is sent,
`offer_expires_at` is the end of their quiet hours (or now) plus `OFFER_HOLD`, and the sender's
`before_send` hook sets it to the moment it goes plus `OFFER_HOLD` (never shorter, never past the
start) and says that time in the message. An offer that cannot be sent (no device left, turned
off, refused, or not sent before its hold ran out) passes to the next person at once
(`after_outcome`). Every change is a conditional UPDATE on the entry's status, so the worker, the
person taking the place and the expiry job never both win.
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
from webapp.i18n import N_, time_of_day
from webapp.notifications import service as notifications
from webapp.notifications.models import PLACE_OFFER
from webapp.outbox import FAILED

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


def how_told(user_id: int) -> notifications.Reach:
    """How this person would be told of a freed place now (see `notifications.reach`)."""
    return notifications.reach(user_id, PLACE_OFFER)


def offer_freed_places(slot_id: int) -> int:
    """Offer each free place of the slot to the next person waiting who can be told in time, one
    place to one person; anyone who cannot be told is passed over and keeps waiting."""
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.session.cancelled_at is not None or slot.starts_at <= clock.now():
        return 0
    rules.seat_over_capacity(slot_id)  # someone already booked in over capacity takes it first
    offered = 0
    passed_over: list[int] = []
    while True:
        entry_id, user_id = db.session.execute(
            select(WaitingListEntry.id, WaitingListEntry.user_id)
            .where(WaitingListEntry.slot_id == slot_id, WaitingListEntry.status == WAITING,
                   WaitingListEntry.id.not_in(passed_over))
            .order_by(WaitingListEntry.created_at, WaitingListEntry.id).limit(1)).first() or (None, None)
        if entry_id is None:
            return offered
        now = clock.now()
        told_from = notifications.reach(user_id, PLACE_OFFER, now).from_at
        if told_from is None or told_from >= slot.starts_at:
            passed_over.append(entry_id)  # no way to tell them (in time): the next person is offered
            continue
        if not _hold_place(slot_id):
            return offered
        expires = min(told_from + OFFER_HOLD, slot.starts_at)
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


def before_offer_sent(row, now: datetime) -> bool:
    """The sender is about to push an offer: start its hold now (`OFFER_HOLD`, never shorter than
    already promised, never past the start) and put that time in the message; False if it is over."""
    entry = db.session.get(WaitingListEntry, int(row.subject_id)) if (row.subject_id or "").isdigit() else None
    if entry is None:
        return False
    db.session.refresh(entry)
    if entry.status != OFFERED or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        return False
    slot = db.session.get(Slot, entry.slot_id)
    expires = min(max(now + OFFER_HOLD, entry.offer_expires_at), slot.starts_at)
    if expires <= now:
        return False
    kept = db.session.execute(
        update(WaitingListEntry).where(WaitingListEntry.id == entry.id, WaitingListEntry.status == OFFERED,
                                       WaitingListEntry.offer_expires_at > now)
        .values(offer_expires_at=expires).execution_options(synchronize_session=False))
    if kept.rowcount != 1:
        return False
    row.params = {**(row.params or {}), "until": time_of_day(expires)}
    row.expires_at = expires
    return True


def after_offer_outcome(row, now: datetime) -> None:
    """An offer that could not be sent passes on at once: with no device or offers turned off the
    person keeps waiting (passed over until they can be told); refused or too late, the offer ends."""
    from webapp.notifications import models as outbox_states

    if row.status in (outbox_states.NO_DEVICE, outbox_states.NOT_WANTED):
        back_to = WAITING
    elif row.status in (outbox_states.EXPIRED, FAILED):
        back_to = OFFER_EXPIRED
    else:
        return  # sent (the hold runs from then) or cancelled (taken, left or expired elsewhere)
    entry_id = int(row.subject_id) if (row.subject_id or "").isdigit() else None
    if entry_id is None:
        return
    ended = db.session.execute(
        update(WaitingListEntry).where(WaitingListEntry.id == entry_id, WaitingListEntry.status == OFFERED)
        .values(status=back_to, offered_at=None if back_to == WAITING else WaitingListEntry.offered_at,
                offer_expires_at=None if back_to == WAITING else WaitingListEntry.offer_expires_at)
        .execution_options(synchronize_session=False))
    if ended.rowcount != 1:
        return
    slot_id = db.session.scalar(select(WaitingListEntry.slot_id).where(WaitingListEntry.id == entry_id))
    audit.record("waiting_list.offer_not_told", subject_type="waiting_list", subject_id=entry_id)
    _release_hold(slot_id)
    offer_freed_places(slot_id)


def _tell_offered(entry: WaitingListEntry, slot: Slot, expires: datetime) -> None:
    notifications.schedule(
        user_id=entry.user_id, kind=PLACE_OFFER, due_at=clock.now(), expires_at=expires,
        title=N_("A drop-in place came up"),
        body=N_("A place at %(base)s on %(day)s at %(time)s (UK time) is yours if you take it by %(until)s."),
        params={"base": slot.session.base.name, **reminders.when_params(slot.starts_at),
                "until": time_of_day(expires)},
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
        # Only if still run out: a hold the sender just restarted (`before_offer_sent`) is kept.
        result = db.session.execute(
            update(WaitingListEntry).where(WaitingListEntry.id == entry.id, WaitingListEntry.status == OFFERED,
                                           WaitingListEntry.offer_expires_at <= now)
            .values(status=OFFER_EXPIRED).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        notifications.cancel("waiting_list", entry.id)  # an offer still waiting to be sent is never sent
        _release_hold(entry.slot_id)
        offer_freed_places(entry.slot_id)
        db.session.commit()
        expired += 1
    return expired
