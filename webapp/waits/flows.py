"""Each request's journey reduced to the moments waits are measured between (one SQL query).

Definitions (documented on /waits and in the report):
- first contact: the first `triaged`, `advice_given`, `allocated` or `first_appointment` event,
  i.e. the first time a person at the front door acted on the request. `more_information_needed`
  is not counted: it is a question back to the requester, not help.
- allocation: the first `allocated` event to the service the request is with now (events with no
  service count as that service). A request moved from one service to another waits for the new
  one from when it was moved; a repeated `allocated` (a note while waiting) changes nothing.
- first appointment: the first `first_appointment` event for that service.
- waiting now: the request's status is `allocated` (allocated, not yet seen, not closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, type_coerce

from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.support.models import (
    ADVICE_GIVEN,
    ALLOCATED,
    CLOSED,
    FIRST_APPOINTMENT,
    TRIAGED,
    RequestStatusEvent,
    SupportRequest,
)

CONTACT_STATUSES = (TRIAGED, ADVICE_GIVEN, ALLOCATED, FIRST_APPOINTMENT)


@dataclass(frozen=True)
class Flow:
    request_id: int
    service_id: str | None
    status: str
    priority: str
    received_at: datetime
    first_contact_at: datetime | None
    triaged_at: datetime | None
    allocated_at: datetime | None
    first_appointment_at: datetime | None
    closed_at: datetime | None

    @property
    def left_list_at(self) -> datetime | None:
        """When the person stopped waiting for the service (seen, or closed without being seen)."""
        ends = [m for m in (self.first_appointment_at, self.closed_at) if m is not None]
        return min(ends) if ends else None


def _first(condition):
    events = RequestStatusEvent.__table__
    return type_coerce(func.min(case((condition, events.c.occurred_at))), UTCDateTime)


def flows_statement(since: datetime):
    """Every request received since `since`, or still waiting, with its key moments."""
    requests = SupportRequest.__table__
    events = RequestStatusEvent.__table__
    same_service = or_(events.c.service_id == requests.c.service_id, events.c.service_id.is_(None))
    return (
        select(
            requests.c.id, requests.c.service_id, requests.c.status, requests.c.priority, requests.c.received_at,
            _first(events.c.status.in_(CONTACT_STATUSES)),
            _first(events.c.status == TRIAGED),
            _first(and_(events.c.status == ALLOCATED, same_service)),
            _first(and_(events.c.status == FIRST_APPOINTMENT, same_service)),
            _first(events.c.status == CLOSED),
        )
        .select_from(requests.outerjoin(events, events.c.request_id == requests.c.id))
        .where(or_(requests.c.received_at >= since, requests.c.status == ALLOCATED))
        .group_by(requests.c.id, requests.c.service_id, requests.c.status, requests.c.priority,
                  requests.c.received_at)
    )


def load_flows(since: datetime) -> list[Flow]:
    return [Flow(*row) for row in db.session.execute(flows_statement(since))]
