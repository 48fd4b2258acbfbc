"""Staff side: publishing drop-in sessions (one-off or weekly), editing, cancelling, and running the day.

Times are typed as UK wall-clock times and stored as UTC. A time skipped by the spring clock change is
refused; a time that happens twice in autumn must be resolved by the person (`fold`), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from webapp import audit, clock
from webapp.bookings import places, reminders, rules, waiting_list
from webapp.bookings.models import (
    ATTENDANCE,
    BOOKED,
    CANCELLED_BY_BASE,
    LEFT,
    NOT_BROUGHT,
    OFFERED,
    WAITING,
    Booking,
    CommunityBase,
    DropInSession,
    SessionSeries,
    Slot,
    WaitingListEntry,
)
from webapp.bookings.rules import BookingError
from webapp.database import hold_job_lock
from webapp.extensions import db
from webapp.i18n import date_with_weekday, time_of_day

SERIES_WEEKS_AHEAD = 8  # weekly sessions are made this far ahead, and kept topped up by the worker
MAX_REPEAT_WEEKS = 26
MAX_SLOTS_PER_SESSION = 96
MAX_AHEAD = timedelta(days=366)


class SessionErrors(ValueError):
    """Every problem with a new session, by field, so the form can show them all at once."""

    def __init__(self, errors: dict[str, object], needs_fold: bool = False):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors
        self.needs_fold = needs_fold


@dataclass
class SessionDraft:
    base_id: int
    day: date
    start: time
    end: time
    slot_minutes: int
    places_per_slot: int
    purpose: str
    audience: str
    repeat_weeks: int = 0  # 0: this day only; otherwise this many weekly sessions from `day`
    fold: int | None = None  # for an ambiguous autumn time: 0 = the first (BST), 1 = the second (GMT)


def _utc_range(day: date, start: time, end: time, fold: int | None) -> tuple[datetime, datetime]:
    """UTC start and end for a local day; raises SessionErrors naming the field that is wrong."""
    moments = []
    for name, at in (("start", start), ("end", end)):
        try:
            moments.append(clock.local_to_utc(day, at, fold))
        except clock.NonexistentLocalTime:
            raise SessionErrors({name: _l(
                "%(time)s does not exist on %(day)s: the clocks go forward an hour at 1am. Choose another time.",
                time=time_of_day(at), day=date_with_weekday(day))}) from None
        except clock.AmbiguousLocalTime:
            raise SessionErrors({name: _l(
                "%(time)s happens twice on %(day)s because the clocks go back. Choose which one you mean below.",
                time=time_of_day(at), day=date_with_weekday(day))}, needs_fold=True) from None
    return moments[0], moments[1]


def check_draft(draft: SessionDraft) -> list[tuple[date, datetime, datetime]]:
    """The (day, start, end) of every session the draft makes, or SessionErrors."""
    errors: dict[str, object] = {}
    if draft.day < clock.today_local():
        errors["day"] = _l("The date must be today or later.")
    elif draft.day > clock.today_local() + MAX_AHEAD:
        errors["day"] = _l("Choose a date within the next year.")
    if draft.end <= draft.start:
        errors["end"] = _l("The end time must be after the start time.")
    if draft.places_per_slot < 1:
        errors["places_per_slot"] = _l("Offer at least 1 place in each slot.")
    if draft.slot_minutes < 5:
        errors["slot_minutes"] = _l("Slots must be at least 5 minutes long.")
    if not 0 <= draft.repeat_weeks <= MAX_REPEAT_WEEKS:
        errors["repeat_weeks"] = _l("Repeat for up to %(weeks)d weeks.", weeks=MAX_REPEAT_WEEKS)
    if errors:
        raise SessionErrors(errors)
    days = [draft.day + timedelta(weeks=week) for week in range(max(draft.repeat_weeks, 1))]
    made = []
    for day in days:
        starts_at, ends_at = _utc_range(day, draft.start, draft.end, draft.fold)
        minutes = (ends_at - starts_at).total_seconds() / 60
        if minutes % draft.slot_minutes:
            raise SessionErrors({"slot_minutes": _l(
                "%(minutes)d-minute slots do not fit exactly into this session. Choose a slot length that "
                "divides it, or change the times.", minutes=draft.slot_minutes)})
        if minutes / draft.slot_minutes > MAX_SLOTS_PER_SESSION:
            raise SessionErrors({"slot_minutes": _l("That makes too many slots. Choose longer slots.")})
        if starts_at <= clock.now():
            raise SessionErrors({"start": _l("The start time has already passed. Choose a later time.")})
        made.append((day, starts_at, ends_at))
    return made


def _make_session(draft: SessionDraft, day: date, starts_at: datetime, ends_at: datetime, staff_id: int | None,
                  series_id: int | None = None) -> DropInSession:
    session = DropInSession(base_id=draft.base_id, series_id=series_id, local_date=day, starts_at=starts_at,
                            ends_at=ends_at, slot_minutes=draft.slot_minutes, places_per_slot=draft.places_per_slot,
                            purpose=draft.purpose.strip(), audience=draft.audience, created_by_id=staff_id,
                            created_at=clock.now())
    db.session.add(session)
    db.session.flush()
    step = timedelta(minutes=draft.slot_minutes)
    moment = starts_at
    while moment < ends_at:
        db.session.add(Slot(session_id=session.id, base_id=draft.base_id, starts_at=moment, ends_at=moment + step,
                            places=draft.places_per_slot, booked=0, held=0))
        moment += step
    return session


def create(staff, draft: SessionDraft) -> list[DropInSession]:
    if not places.may_manage(staff, draft.base_id):
        raise SessionErrors({"base_id": _l("You can only add sessions at your own bases.")})
    occurrences = check_draft(draft)
    series_id = None
    if draft.repeat_weeks:
        series = SessionSeries(base_id=draft.base_id, first_date=draft.day, local_start=draft.start,
                               local_end=draft.end, slot_minutes=draft.slot_minutes,
                               places_per_slot=draft.places_per_slot, purpose=draft.purpose.strip(),
                               audience=draft.audience, generated_until=occurrences[-1][0],
                               created_by_id=staff.id, created_at=clock.now())
        db.session.add(series)
        db.session.flush()
        series_id = series.id
    made = [_make_session(draft, day, s, e, staff.id, series_id) for day, s, e in occurrences]
    audit.record("drop_in.published", actor_id=staff.id, subject_type="drop_in_session", subject_id=made[0].id)
    return made


def extend_series() -> int:
    """Worker job: keep every weekly series made SERIES_WEEKS_AHEAD ahead of today. Once at a time
    across every worker (the job's lock, then the series read under it), and a series has one session
    a day (`uq_drop_in_sessions_series_id_local_date`), so workers passing at once never make a
    session twice."""
    if not hold_job_lock("make weekly drop-in sessions"):
        return 0
    horizon = clock.today_local() + timedelta(weeks=SERIES_WEEKS_AHEAD)
    made = 0
    for series in db.session.scalars(select(SessionSeries).where(SessionSeries.cancelled_at.is_(None),
                                                                 SessionSeries.generated_until < horizon)):
        day = series.generated_until + timedelta(weeks=1)
        while day <= horizon:
            draft = SessionDraft(series.base_id, day, series.local_start, series.local_end, series.slot_minutes,
                                 series.places_per_slot, series.purpose, series.audience)
            try:
                starts_at, ends_at = _utc_range(day, series.local_start, series.local_end, 0)
                _make_session(draft, day, starts_at, ends_at, None, series.id)
                made += 1
            except SessionErrors:
                pass  # a time the clocks skip that day: no session that week
            series.generated_until = day
            day += timedelta(weeks=1)
    return made


# -- managing published sessions --------------------------------------------------------------

def managed_session(staff, session_id: int) -> DropInSession | None:
    session = db.session.get(DropInSession, session_id)
    if session is None or not places.may_manage(staff, session.base_id):
        return None
    return session


def _affected(session: DropInSession, whole_series: bool) -> list[DropInSession]:
    if not whole_series or session.series_id is None:
        return [session]
    return list(db.session.scalars(
        select(DropInSession).where(DropInSession.series_id == session.series_id,
                                    DropInSession.starts_at >= session.starts_at,
                                    DropInSession.cancelled_at.is_(None))
        .options(selectinload(DropInSession.slots))))


def edit(staff, session: DropInSession, *, purpose: str, audience: str, places_per_slot: int,
         whole_series: bool) -> int:
    """Change what a session (or the rest of its series) is for, who for, and its places per slot."""
    if places_per_slot < 1:
        raise SessionErrors({"places_per_slot": _l("Offer at least 1 place in each slot.")})
    targets = _affected(session, whole_series)
    fullest = max((slot.booked + slot.held for s in targets for slot in s.slots), default=0)
    if places_per_slot < fullest:
        raise SessionErrors({"places_per_slot": _l(
            "A slot already has %(count)d people booked. Offer at least %(count)d places, or cancel bookings first.",
            count=fullest)})
    for target in targets:
        target.purpose, target.audience, target.places_per_slot = purpose.strip(), audience, places_per_slot
        for slot in target.slots:
            slot.places = places_per_slot
    if whole_series and session.series_id is not None:
        series = db.session.get(SessionSeries, session.series_id)
        series.purpose, series.audience, series.places_per_slot = purpose.strip(), audience, places_per_slot
    db.session.flush()
    for target in targets:  # added places go to people waiting first
        for slot in target.slots:
            waiting_list.offer_freed_places(slot.id)
    audit.record("drop_in.edited", actor_id=staff.id, subject_type="drop_in_session", subject_id=session.id)
    return len(targets)


def cancel(staff, session: DropInSession, whole_series: bool) -> int:
    """Cancel the session (or the rest of the series): everyone booked is told; waiting lists close."""
    targets = _affected(session, whole_series)
    now = clock.now()
    for target in targets:
        target.cancelled_at = now
        slot_ids = [slot.id for slot in target.slots]
        slots = {slot.id: slot for slot in target.slots}
        for booking in db.session.scalars(select(Booking).where(Booking.slot_id.in_(slot_ids),
                                                                Booking.status == BOOKED)):
            booking.status, booking.cancelled_at = CANCELLED_BY_BASE, now
            reminders.tell_cancelled_by_base(booking, slots[booking.slot_id])
        for entry in db.session.scalars(select(WaitingListEntry).where(
                WaitingListEntry.slot_id.in_(slot_ids), WaitingListEntry.status.in_((WAITING, OFFERED)))):
            entry.status = LEFT
        db.session.execute(update(Slot).where(Slot.session_id == target.id).values(held=0)
                           .execution_options(synchronize_session=False))
    if whole_series and session.series_id is not None:
        db.session.get(SessionSeries, session.series_id).cancelled_at = now
    db.session.flush()
    audit.record("drop_in.cancelled", actor_id=staff.id, subject_type="drop_in_session", subject_id=session.id)
    return len(targets)


# -- running the day --------------------------------------------------------------------------

def day_list(base_id: int, day: date) -> list[DropInSession]:
    """The day's sessions at a base, with slots and bookings: three queries whatever the size."""
    start = clock.start_of_local_day(day)
    end = clock.start_of_local_day(day + timedelta(days=1))
    return list(db.session.scalars(
        select(DropInSession).where(DropInSession.base_id == base_id, DropInSession.starts_at >= start,
                                    DropInSession.starts_at < end)
        .order_by(DropInSession.starts_at).options(selectinload(DropInSession.slots))))


UPCOMING_DAYS = 14  # the staff bookings page starts with the sessions of the next two weeks


def upcoming_sessions(bases: list[CommunityBase], days: int = UPCOMING_DAYS) -> list[DropInSession]:
    """The coming sessions (not cancelled) of these bases, soonest first, with their slots (two queries)."""
    if not bases:
        return []
    now = clock.now()
    return list(db.session.scalars(
        select(DropInSession).where(DropInSession.base_id.in_([base.id for base in bases]),
                                    DropInSession.ends_at > now, DropInSession.starts_at < now + timedelta(days=days),
                                    DropInSession.cancelled_at.is_(None))
        .order_by(DropInSession.starts_at, DropInSession.id).options(selectinload(DropInSession.slots))))


def bookings_for_slots(slot_ids: list[int]) -> dict[int, list[Booking]]:
    from sqlalchemy.orm import joinedload

    from webapp.accounts.models import User  # noqa: F401 - for the joined load below

    by_slot: dict[int, list[Booking]] = {slot_id: [] for slot_id in slot_ids}
    if not slot_ids:
        return by_slot
    rows = db.session.scalars(select(Booking).where(Booking.slot_id.in_(slot_ids))
                              .order_by(Booking.created_at, Booking.id).options(joinedload(Booking.person)))
    for booking in rows:
        by_slot[booking.slot_id].append(booking)
    return by_slot


def _managed_booking(staff, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not places.may_manage(staff, booking.slot.base_id):
        raise BookingError("", _l("We could not find that booking."))
    return booking


def _walk_in_slot(staff, slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or not places.may_manage(staff, slot.base_id):
        raise BookingError("slot_id", _l("We could not find that time."))
    if slot.session.cancelled_at is not None:
        raise BookingError("slot_id", _l("This session has been cancelled."))
    if slot.ends_at <= clock.now():
        raise BookingError("slot_id", _l("That time has already passed."))
    return slot


def _walk_in_booking(staff, slot: Slot, name: str, contact: str, reason: str | None = None) -> Booking:
    booking = Booking(slot_id=slot.id, user_id=None, starts_at=slot.starts_at, ends_at=slot.ends_at, status=BOOKED,
                      walk_in_name=name.strip(), walk_in_contact=contact.strip(), booked_by_id=staff.id,
                      over_capacity_reason=reason, created_at=clock.now())
    db.session.add(booking)
    db.session.flush()
    return booking


def book_walk_in(staff, slot_id: int, name: str, contact: str) -> Booking:
    """Book in someone who phoned or walked in. Same place rules as any booking: never overbooked."""
    slot = _walk_in_slot(staff, slot_id)
    if not rules.take_place(slot.id):
        raise rules.just_taken(slot)
    booking = _walk_in_booking(staff, slot, name, contact)
    audit.record("booking.walk_in", actor_id=staff.id, subject_type="booking", subject_id=booking.id)
    return booking


def book_over_capacity(staff, slot_id: int, name: str, contact: str, reason: str) -> Booking:
    """Book someone into a full slot beyond its places, for a reason staff give (kept and counted).

    Under the slot's row lock, as any booking: if a place came free meanwhile it is taken as an
    ordinary place (no reason kept, nothing over capacity)."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("reason", _l("Say why this person needs to be seen in a full slot."))
    slot = _walk_in_slot(staff, slot_id)
    over = rules.take_place_or_over_capacity(slot.id)
    booking = _walk_in_booking(staff, slot, name, contact, reason if over else None)
    audit.record("booking.over_capacity" if over else "booking.walk_in", actor_id=staff.id,
                 subject_type="booking", subject_id=booking.id)
    return booking


def mark_attendance(staff, booking_id: int, attendance: str) -> Booking:
    booking = _managed_booking(staff, booking_id)
    if attendance not in ATTENDANCE:
        raise BookingError("attendance", _l("Choose attended, did not attend or not brought."))
    if booking.status != BOOKED:
        raise BookingError("attendance", _l("This booking was cancelled."))
    if clock.now() < booking.slot.session.starts_at:
        raise BookingError("attendance", _l("Attendance can be recorded from the start of the session."))
    booking.attendance = attendance
    # A young person who was not brought is a safeguarding signal: someone calls, not just a record.
    booking.follow_up_needed = attendance == NOT_BROUGHT
    if attendance != NOT_BROUGHT:
        booking.follow_up_done_at = None
    audit.record(f"booking.{attendance}", actor_id=staff.id, subject_type="booking", subject_id=booking.id)
    return booking


def follow_ups(staff) -> list[Booking]:
    from sqlalchemy.orm import joinedload

    base_ids = [base.id for base in places.bases_run_by(staff)]
    if not base_ids:
        return []
    return list(db.session.scalars(
        select(Booking).join(Booking.slot).where(Booking.follow_up_needed.is_(True),
                                                 Booking.follow_up_done_at.is_(None), Slot.base_id.in_(base_ids))
        .order_by(Booking.starts_at)
        .options(joinedload(Booking.slot).joinedload(Slot.session).joinedload(DropInSession.base),
                 joinedload(Booking.person))))


def follow_up_done(staff, booking_id: int) -> None:
    booking = _managed_booking(staff, booking_id)
    booking.follow_up_done_at = clock.now()
    audit.record("booking.follow_up_done", actor_id=staff.id, subject_type="booking", subject_id=booking.id)


def base_for(staff, slug: str) -> CommunityBase | None:
    base = places.base_by_slug(slug)
    return base if base is not None and places.may_manage(staff, base.id) else None
