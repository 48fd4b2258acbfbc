"""Requests for support and their time-stamped status events (the data behind every wait)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

# The request's journey, in order. `first_appointment` is "first appointment booked/held".
RECEIVED = "received"
MORE_INFORMATION_NEEDED = "more_information_needed"
TRIAGED = "triaged"
ALLOCATED = "allocated"
FIRST_APPOINTMENT = "first_appointment"
ADVICE_GIVEN = "advice_given"
CLOSED = "closed"
STATUSES = (RECEIVED, MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, FIRST_APPOINTMENT, ADVICE_GIVEN, CLOSED)

ROUTINE, URGENT = "routine", "urgent"


class SupportRequest(db.Model):
    __tablename__ = "support_requests"
    __table_args__ = (Index("ix_support_requests_status_service", "status", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short, read-aloud-able, no 0/O or 1/I (e.g. "FL-7KX3-9QPA").
    reference: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requester_type: Mapped[str] = mapped_column(String(20))  # young_person | parent | professional
    priority: Mapped[str] = mapped_column(String(10), default=ROUTINE)
    status: Mapped[str] = mapped_column(String(30), default=RECEIVED, index=True)
    thrive_group: Mapped[str | None] = mapped_column(String(30), index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"), index=True)
    # The IFD clinician looking after it (sees shared goals); set at triage or allocation.
    assigned_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                             index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Kept for /track: the reference and this date together let someone follow the request.
    young_person_date_of_birth: Mapped[date] = mapped_column(Date)
    # Every answer given, as sent (the FHIR QuestionnaireResponse is built from this).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # The draft it was sent from: unique, so a replayed or doubled submit cannot make two requests.
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    # The latest FHIR Bundle (JSON) for the pull API. None for synthetic demo flow (webapp.waits.demo).
    fhir_record: Mapped[str | None] = mapped_column(Text)
    # False when a young person (13+) asking for themselves said a parent or carer may not follow it.
    trackable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the requester says things have got worse (or answers a question); cleared on review.
    needs_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    events: Mapped[list[RequestStatusEvent]] = relationship(
        back_populates="request", order_by="RequestStatusEvent.occurred_at", cascade="all, delete-orphan")


class RequestStatusEvent(db.Model):
    """One step in a request's journey. Waits are computed from these."""

    __tablename__ = "request_status_events"
    __table_args__ = (Index("ix_request_status_events_service_status_at", "service_id", "status", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"))
    thrive_group: Mapped[str | None] = mapped_column(String(30))
    note_for_requester: Mapped[str | None] = mapped_column(Text)
    # Who moved it: "requester", "ifd_api", or "user:<id>" for a clinician.
    actor: Mapped[str | None] = mapped_column(String(40))

    request: Mapped[SupportRequest] = relationship(back_populates="events")


# -- added for the form, the front-door record and its delivery (migration 0006) --------------

from webapp.outbox import OutboxMixin  # noqa: E402 - kept with the tables that use it

DELIVERY_NEW, DELIVERY_UPDATE = "new", "update"


class RequestDraft(db.Model):
    """A request being written, kept server-side so nothing typed is lost on an error, a refresh
    or a dropped connection. The signed session cookie holds only its random id."""

    __tablename__ = "support_request_drafts"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # secrets.token_urlsafe(32)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    # Set once, when sent: a second submit of the same draft finds the request already made.
    submitted_request_id: Mapped[int | None] = mapped_column(ForeignKey("support_requests.id", ondelete="SET NULL"))


class FrontDoorDelivery(OutboxMixin, db.Model):
    """One record (or update) for the Integrated Front Door's webhook, stored exactly as sent."""

    __tablename__ = "front_door_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=DELIVERY_NEW)
    # `<reference>` for the first record, `<reference>-U<n>` for later updates; also Bundle.identifier.
    idempotency_key: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)

    request: Mapped[SupportRequest] = relationship()
