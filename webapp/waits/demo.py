"""Twelve months of synthetic requests and status events, so /waits means something on first run.

Made up, repeatable (a seeded random.Random), relative to now. Each allocatable service gets its
own arrival rate and wait, drifting over the year; anyone whose next step lies in the future is
still waiting for it. Nobody here is a real person: no names, requester_user_id is None.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from webapp import clock
from webapp.directory.models import Service
from webapp.directory.service import services as directory_services
from webapp.extensions import db
from webapp.support.models import (
    ADVICE_GIVEN,
    ALLOCATED,
    CLOSED,
    FIRST_APPOINTMENT,
    MORE_INFORMATION_NEEDED,
    RECEIVED,
    ROUTINE,
    TRIAGED,
    URGENT,
    RequestStatusEvent,
    SupportRequest,
)

SEED = 20260615
REFERENCE_PREFIX = "DM-"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I

# Per THRIVE grouping: (requests a week, median days from allocation to first appointment).
PROFILES = {
    "getting_advice": (9.0, 10.0),
    "getting_help": (6.0, 35.0),
    "getting_more_help": (3.5, 70.0),
    "getting_risk_support": (1.5, 3.0),
}


@dataclass(frozen=True)
class ServiceFlow:
    service_id: str
    thrive_group: str
    min_age: int
    max_age: int
    weekly: float
    median_wait_days: float
    drift: float  # how much longer (>1) or shorter (<1) waits are now than a year ago


def plan(services: list[Service], rng: random.Random, scale: float = 1.0) -> list[ServiceFlow]:
    flows = []
    for service in services:
        weekly, wait = PROFILES.get(service.thrive_group, (4.0, 30.0))
        flows.append(ServiceFlow(service.id, service.thrive_group, service.min_age, service.max_age,
                                 weekly=weekly * rng.uniform(0.6, 1.5) * scale,
                                 median_wait_days=wait * rng.uniform(0.7, 1.4), drift=rng.uniform(0.75, 1.35)))
    return flows


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:  # normal approximation keeps big benchmark runs quick
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _days(rng: random.Random, median_days: float, sigma: float = 0.55) -> timedelta:
    return timedelta(days=rng.lognormvariate(math.log(max(median_days, 0.1)), sigma))


def reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(ALPHABET) for _ in range(8))
        ref = f"{REFERENCE_PREFIX}{code[:4]}-{code[4:]}"
        if ref not in taken:
            taken.add(ref)
            return ref


def _date_of_birth(rng: random.Random, flow: ServiceFlow, on: date) -> date:
    age = rng.randint(max(flow.min_age, 1), flow.max_age)
    return on - timedelta(days=int(age * 365.25) + rng.randint(1, 360))


def _requester(rng: random.Random, age: int) -> str:
    if rng.random() < 0.2:
        return "professional"
    return "young_person" if age >= 13 and rng.random() < 0.7 else "parent"


def _journey(rng: random.Random, flow: ServiceFlow, received: datetime, progress: float,
             extra_notes: int) -> list[tuple[str, datetime, str | None]]:
    """(status, when, service_id) for one request, including steps that lie in the future."""
    steps: list[tuple[str, datetime, str | None]] = [(RECEIVED, received, None)]
    at = received
    if rng.random() < 0.1:
        at += _days(rng, 1.5)
        steps.append((MORE_INFORMATION_NEEDED, at, None))
    at += _days(rng, 3.0)
    steps.append((TRIAGED, at, None))
    if flow.thrive_group == "getting_advice" and rng.random() < 0.25:
        at += _days(rng, 1.0)
        steps.append((ADVICE_GIVEN, at, None))
        steps.append((CLOSED, at + _days(rng, 5.0), None))
        return steps
    at += _days(rng, 5.0)
    steps.append((ALLOCATED, at, flow.service_id))
    for _ in range(extra_notes):  # "still waiting" notes, as the IFD sends them
        steps.append((ALLOCATED, at + _days(rng, 10.0), flow.service_id))
    waited = _days(rng, flow.median_wait_days * (1 + (flow.drift - 1) * progress))
    if rng.random() < 0.06:  # some close before being seen (moved away, no longer needed)
        steps.append((CLOSED, at + waited * 0.5, flow.service_id))
        return steps
    at += waited
    steps.append((FIRST_APPOINTMENT, at, flow.service_id))
    steps.append((CLOSED, at + _days(rng, 70.0), flow.service_id))
    return steps


def synthetic_requests(services: list[Service], now: datetime, *, weeks: int = 52, scale: float = 1.0,
                       extra_notes: int = 0, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Request rows, each with an "events" list (only the steps already reached by `now`)."""
    # Repeatable synthetic demo data, not security: a seeded generator is what we want.
    rng = random.Random(seed)  # nosec B311
    taken: set[str] = set()
    start = now - timedelta(weeks=weeks)
    for flow in plan(services, rng, scale):
        for week in range(weeks):
            for _ in range(_poisson(rng, flow.weekly)):
                received = start + timedelta(weeks=week, seconds=rng.uniform(0, 7 * 86400))
                if received >= now:
                    continue
                steps = [s for s in _journey(rng, flow, received, week / weeks, extra_notes) if s[1] <= now]
                dob = _date_of_birth(rng, flow, received.date())
                age = (received.date() - dob).days // 365
                allocated = any(status == ALLOCATED for status, _at, _sid in steps)
                status = steps[-1][0] if steps[-1][0] != ALLOCATED else ALLOCATED
                yield {
                    "reference": reference(rng, taken),
                    "requester_user_id": None,
                    "requester_type": _requester(rng, age),
                    "priority": URGENT if rng.random() < 0.05 else ROUTINE,
                    "status": status,
                    "thrive_group": flow.thrive_group if len(steps) > 1 else None,
                    "service_id": flow.service_id if allocated else None,
                    "received_at": received,
                    "updated_at": steps[-1][1],
                    "young_person_date_of_birth": dob,
                    "answers": {},
                    "events": [{"status": s, "occurred_at": at, "service_id": sid,
                                "thrive_group": flow.thrive_group if s != RECEIVED else None,
                                "actor": "requester" if s == RECEIVED else "ifd_api"}
                               for s, at, sid in steps],
                }


def insert_requests(rows: list[dict[str, Any]], batch: int = 5000) -> int:
    """Bulk insert requests, then their events (ids looked up by reference). Returns events written."""
    written = 0
    for i in range(0, len(rows), batch):
        chunk = rows[i:i + batch]
        db.session.execute(insert(SupportRequest.__table__),
                           [{k: v for k, v in row.items() if k != "events"} for row in chunk])
        ids = dict(db.session.execute(select(SupportRequest.reference, SupportRequest.id).where(
            SupportRequest.reference.in_([row["reference"] for row in chunk]))).all())
        events = [{**event, "request_id": ids[row["reference"]], "note_for_requester": None}
                  for row in chunk for event in row["events"]]
        db.session.execute(insert(RequestStatusEvent.__table__), events)
        written += len(events)
    return written


def seed_flow() -> None:
    """The demo seeder: a year of flow for every allocatable service (once), then fresh figures."""
    from webapp.waits.service import refresh_snapshot

    already = db.session.scalar(select(SupportRequest.id).where(
        SupportRequest.reference.like(f"{REFERENCE_PREFIX}%")).limit(1))
    if already is None:
        insert_requests(list(synthetic_requests(directory_services(), clock.now())))
    refresh_snapshot()
