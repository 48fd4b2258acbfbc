"""Bases, the staff who run them, drop-in sessions cut into slots, bookings and the waiting list.

Places are counted on the slot (`booked` and `held`) so that "is there a place?" is one row that the
database can lock (PostgreSQL) or update conditionally (SQLite): see `rules.take_place`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.accounts.models import User

ONE_STOP_SHOP, COMMUNITY_BASE = "one_stop_shop", "community_base"
AUDIENCES = ("young_people", "parents", "everyone")

# Booking states. A move changes the booking's slot in place, so a person is never left with none or two.
BOOKED, CANCELLED, CANCELLED_BY_BASE = "booked", "cancelled", "cancelled_by_base"
# What happened on the day.
ATTENDED, DID_NOT_ATTEND, NOT_BROUGHT = "attended", "did_not_attend", "not_brought"
ATTENDANCE = (ATTENDED, DID_NOT_ATTEND, NOT_BROUGHT)

# Waiting list states: waiting -> offered (a place is held for them) -> booked | expired; or left.
WAITING, OFFERED, TOOK_PLACE, OFFER_EXPIRED, LEFT = "waiting", "offered", "took_place", "expired", "left"


class CommunityBase(db.Model):
    """A One Stop Shop or community base. Loaded from `data/bases.yaml` (keyed by `slug`)."""

    __tablename__ = "bases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    town: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300))
    postcode_district: Mapped[str] = mapped_column(String(5))
    latitude: Mapped[float]
    longitude: Mapped[float]
    getting_there: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int] = mapped_column(SmallInteger)
    max_age: Mapped[int] = mapped_column(SmallInteger)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=True)


class BaseStaff(db.Model):
    """Which staff run which base. Base staff manage only their own bases; admins manage all."""

    __tablename__ = "base_staff"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"), primary_key=True, index=True)


class SessionSeries(db.Model):
    """A weekly repeating drop-in: sessions are made from it some weeks ahead (and kept topped up)."""

    __tablename__ = "drop_in_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"), index=True)
    first_date: Mapped[date] = mapped_column(Date)
    local_start: Mapped[time] = mapped_column(Time)
    local_end: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(SmallInteger)
    places_per_slot: Mapped[int] = mapped_column(SmallInteger)
    purpose: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20))
    generated_until: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DropInSession(db.Model):
    __tablename__ = "drop_in_sessions"
    __table_args__ = (
        Index("ix_drop_in_sessions_base_id_starts_at", "base_id", "starts_at"),
        # One session a day per series: two workers extending a series at once cannot both make it.
        UniqueConstraint("series_id", "local_date", name="uq_drop_in_sessions_series_id_local_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("drop_in_series.id", ondelete="SET NULL"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_minutes: Mapped[int] = mapped_column(SmallInteger)
    places_per_slot: Mapped[int] = mapped_column(SmallInteger)
    purpose: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    base: Mapped[CommunityBase] = relationship()
    slots: Mapped[list[Slot]] = relationship(back_populates="session", order_by="Slot.starts_at")


class Slot(db.Model):
    """One bookable time within a session. `booked + held <= places` always (a CHECK backs the service up)."""

    __tablename__ = "drop_in_slots"
    __table_args__ = (
        # The slot list: a base's slots in a date range, in order.
        Index("ix_drop_in_slots_base_id_starts_at", "base_id", "starts_at"),
        CheckConstraint("booked >= 0 AND held >= 0 AND booked + held <= places", name="places_not_exceeded"),
    )
    # `over_capacity` comes from its server default, read when first used rather than on every INSERT.
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("drop_in_sessions.id", ondelete="CASCADE"), index=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    places: Mapped[int] = mapped_column(SmallInteger)
    booked: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Places kept for someone offered them from the waiting list, until they take it or the offer runs out.
    held: Mapped[int] = mapped_column(SmallInteger, default=0)
    # People staff booked in beyond `places`, each with a reason (#15): apart from `booked`, so a full
    # slot stays full for everyone else, and a place given back first goes to one of them.
    over_capacity: Mapped[int] = mapped_column(SmallInteger, server_default="0")

    session: Mapped[DropInSession] = relationship(back_populates="slots")

    @property
    def free(self) -> int:
        return max(self.places - self.booked - self.held, 0)


class Booking(db.Model):
    """A place in a slot: for a signed-in person (maybe for their child) or someone staff booked in."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_user_id_starts_at", "user_id", "starts_at"),
        Index("ix_bookings_slot_id_status", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("drop_in_slots.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Copied from the slot so "my bookings" and the overlap check need no join.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # retention's
    status: Mapped[str] = mapped_column(String(20), default=BOOKED)
    child_first_name: Mapped[str | None] = mapped_column(String(40))
    child_age: Mapped[int | None] = mapped_column(SmallInteger)
    # Someone who phoned or walked in, booked by staff: a name and a way to reach them.
    walk_in_name: Mapped[str | None] = mapped_column(String(80))
    walk_in_contact: Mapped[str | None] = mapped_column(String(120))
    # Why staff booked this person into a full slot (kept; counted on the staff views).
    over_capacity_reason: Mapped[str | None] = mapped_column(Text)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attendance: Mapped[str | None] = mapped_column(String(20))
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[Slot] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:  # ids only
        return f"<Booking {self.id} slot={self.slot_id} {self.status}>"


class WaitingListEntry(db.Model):
    """"Tell me if a place comes up" for one full slot. The first waiting is offered a freed place first."""

    __tablename__ = "booking_waiting_list"
    __table_args__ = (Index("ix_booking_waiting_list_slot_id_status", "slot_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("drop_in_slots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_first_name: Mapped[str | None] = mapped_column(String(40))
    child_age: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)  # retention's
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    slot: Mapped[Slot] = relationship()
