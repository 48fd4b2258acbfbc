"""Make services, requests and their status events for wait tests (through the ORM, as support does)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count

from webapp.directory.models import Service
from webapp.extensions import db
from webapp.support.models import RequestStatusEvent, SupportRequest

_numbers = count(1)


def make_service(service_id: str = "svc", thrive_group: str = "getting_help", min_age: int = 0,
                 max_age: int = 25, name: str | None = None, **fields) -> Service:
    service = Service(id=service_id, name=name or f"Service {service_id}", thrive_group=thrive_group,
                      min_age=min_age, max_age=max_age, **fields)
    db.session.add(service)
    db.session.commit()
    return service


def make_journey(service_id: str | None, received: datetime, *, triaged: datetime | None = None,
                 allocated: datetime | None = None, first_appointment: datetime | None = None,
                 closed: datetime | None = None, advice_given: datetime | None = None) -> SupportRequest:
    """A request whose status is the last step given (steps must be in time order)."""
    steps = [("received", received, None), ("triaged", triaged, None), ("advice_given", advice_given, None),
             ("allocated", allocated, service_id), ("first_appointment", first_appointment, service_id),
             ("closed", closed, service_id if allocated else None)]
    steps = [step for step in steps if step[1] is not None]
    number = next(_numbers)
    request = SupportRequest(
        reference=f"TS-{number:04d}-TEST", requester_type="parent", status=steps[-1][0],
        service_id=service_id if allocated else None, received_at=received, updated_at=steps[-1][1],
        young_person_date_of_birth=date(2012, 4, 1), answers={},
    )
    db.session.add(request)
    db.session.flush()
    for status, at, sid in steps:
        db.session.add(RequestStatusEvent(request_id=request.id, status=status, occurred_at=at, service_id=sid))
    db.session.commit()
    return request
