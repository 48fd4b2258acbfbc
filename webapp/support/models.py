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
    # When the front door's system first had the record (webhook accepted, pulled through the API) or a
    # clinician first opened it. Until then the requester is told "sent", never "received".
    front_door_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the requester used Flourish in when sending (wait-well figures by language).
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")

    events: Mapped[list[RequestStatusEvent]] = relationship(
        # Events recorded in the same instant (one transaction) keep the order they were made in.
        back_populates="request", order_by="[RequestStatusEvent.occurred_at, RequestStatusEvent.id]",
        cascade="all, delete-orphan")
    updates: Mapped[list[RequestUpdate]] = relationship(
        back_populates="request", order_by="RequestUpdate.id", cascade="all, delete-orphan")
    risk_signals: Mapped[list[RiskSignal]] = relationship(
        back_populates="request", order_by="RiskSignal.id", cascade="all, delete-orphan")


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


# What the requester adds after sending. Each is its own row, never rewritten, so two sent at the same
# moment are both kept (a JSON list read, changed and written back lost all but one).
UPDATE_WORSE, UPDATE_ANSWER, UPDATE_CAME_BACK = "worse", "answer", "came_back"


class RequestUpdate(db.Model):
    __tablename__ = "support_request_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # The front door's question this answers (answers only).
    question: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    request: Mapped[SupportRequest] = relationship(back_populates="updates")


# Why a request is in the risk band at the top of the clinicians' queue. Answering a question is not one.
SIGNAL_RISK_ANSWERS = "risk_answers"  # a risk question answered yes when it was sent
SIGNAL_NOT_SURE = "not_sure"  # a risk question answered "not sure" (and none yes)
SIGNAL_WORSE = "worse"  # "things have got worse"
SIGNAL_CHECK_IN_WORSE = "check_in_worse"  # a check-in while waiting answered "things are worse"
SIGNAL_KINDS = (SIGNAL_RISK_ANSWERS, SIGNAL_NOT_SURE, SIGNAL_WORSE, SIGNAL_CHECK_IN_WORSE)


class RiskSignal(db.Model):
    """One unreviewed (or reviewed) reason to look at a request first, with the promise made for it."""

    __tablename__ = "risk_signals"
    __table_args__ = (Index("ix_risk_signals_reviewed_at_arrived_at", "reviewed_at", "arrived_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # What the person was promised: a clinician looks by then (the end of the next working day, UK time).
    due_by: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    request: Mapped[SupportRequest] = relationship(back_populates="risk_signals")


class StatusIdempotencyKey(db.Model):
    """A status POST's Idempotency-Key and the answer it got, so a replay changes nothing twice."""

    __tablename__ = "front_door_idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    # sha256 of the body: the same key with a different body is refused (422), not replayed.
    body_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


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


# -- added for the young person's view of /track (migration 0020) ------------------------------


class TrackLookup(db.Model):
    """A /track look-up of a request (its reference and date of birth given): when, and nothing else.

    A young person sees each on their timeline ("Someone looked up your request ..."), so a parent
    or carer following it is never unseen. No IP address, device or who: only the time.
    """

    __tablename__ = "support_track_lookups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    looked_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
