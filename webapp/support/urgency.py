"""The one place that decides a request is on the urgent path, and what its requester is promised.

A young person who said they may not be safe must never be shown a routine queue place or a range
of weeks: every page, and every notification, tells them one thing instead, who will look at the
request and by when (UK time, counting working days in England), and what to do until then.

A request is on the urgent path while it holds an unreviewed risk signal (risk answers at sending,
"not sure", things have got worse, a check-in answered "worse"), or once the front door put it in
Getting Risk Support, or it was sent as urgent and has not yet been given a routine place by a
clinician (allocated to a service outside Getting Risk Support after its signals were reviewed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from webapp import clock
from webapp.support.models import ALLOCATED, FIRST_APPOINTMENT, URGENT, RiskSignal, SupportRequest
from webapp.working_days import next_working_day

RISK_SUPPORT = "getting_risk_support"
# A promise is for the end of a working day: 5pm, UK time.
END_OF_WORKING_DAY = time(17, 0)


def promise_after(moment: datetime) -> datetime:
    """5pm (UK time) on the first working day after `moment`: when a clinician will have looked."""
    day = next_working_day(clock.to_local(moment).date())
    return clock.local_to_utc(day, END_OF_WORKING_DAY)


def open_signals(req: SupportRequest) -> list[RiskSignal]:
    return [signal for signal in req.risk_signals if signal.reviewed_at is None]


def in_risk_support(req: SupportRequest) -> bool:
    if req.thrive_group == RISK_SUPPORT:
        return True
    from webapp.directory.models import Service
    from webapp.extensions import db

    service = db.session.get(Service, req.service_id) if req.service_id else None
    return service is not None and service.thrive_group == RISK_SUPPORT


def is_urgent_path(req: SupportRequest) -> bool:
    """True when nothing routine (a queue place, a span of weeks) may be shown for this request."""
    if open_signals(req) or in_risk_support(req):
        return True
    # Sent as urgent: routine figures only once a clinician has given it a routine place.
    return req.priority == URGENT and req.status not in (ALLOCATED, FIRST_APPOINTMENT)


@dataclass(frozen=True)
class UrgentPromise:
    """What the requester is told. `kind`:

    - "look": a clinician at the front door will look at it by `by` (an unreviewed signal's promise).
    - "contact": reviewed, and the team will contact them directly (no waiting list), by `by`.
    """

    kind: str
    by: datetime
    overdue: bool


def promise_for(req: SupportRequest) -> UrgentPromise | None:
    """The promise shown to the requester of an urgent request; None when the request is routine."""
    if not is_urgent_path(req):
        return None
    now = clock.now()
    acted = [event.occurred_at for event in req.events if event.actor != "requester"]
    last_acted = max(acted) if acted else None
    # A signal the front door has not acted on since it came: the promise is that someone looks.
    waiting = [s for s in open_signals(req) if last_acted is None or s.arrived_at > last_acted]
    if waiting:
        by = min(signal.due_by for signal in waiting)
        return UrgentPromise("look", by, overdue=by < now)
    by = promise_after(last_acted or req.received_at)
    return UrgentPromise("contact", by, overdue=by < now)
