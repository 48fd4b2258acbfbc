"""Delivering records to the front door's webhook through the outbox: never dropped, retried with backoff.

A delivery row is written in the same transaction as the request (or its update), with the exact
body to send; the worker claims due rows with `webapp.outbox.claim_due` and POSTs them. Any
error or non-2xx answer is retried after about 1 min, 5 min, 30 min, 2 h, then every 12 h, for as
long as it takes. Staff see every row not yet delivered, and for how long.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import case, exists, func, or_, select, update

from webapp import clock, jobs
from webapp.extensions import db
from webapp.outbox import PENDING, SENDING, SENT, claim_due, mark_sent, retry_later, worker_name
from webapp.support.models import (
    DELIVERY_NEW,
    DELIVERY_UPDATE,
    URGENT,
    FrontDoorDelivery,
    RiskSignal,
    SupportRequest,
)

log = logging.getLogger("flourish.support.delivery")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
THEN_EVERY = timedelta(hours=12)
TIMEOUT = (5, 10)  # connect, read (seconds); the read timeout is FRONT_DOOR_TIMEOUT_SECONDS when set
CONTENT_TYPE = "application/fhir+json"


def delay_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try (1-based)."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else THEN_EVERY


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def enqueue(req: SupportRequest, bundle: dict[str, Any], kind: str = DELIVERY_NEW) -> FrontDoorDelivery:
    """Add the record to the outbox in the caller's transaction. Its key is also Bundle.identifier."""
    now = clock.now()
    row = FrontDoorDelivery(request_id=req.id, kind=kind, idempotency_key=bundle["identifier"]["value"],
                            body=json.dumps(bundle, ensure_ascii=False, separators=(",", ":")),
                            created_at=now, next_attempt_at=now, status=PENDING, attempts=0)
    db.session.add(row)
    return row


def update_key(req: SupportRequest) -> str:
    """`<reference>-U<n>`: each update has its own key, so the front door does not drop it as a repeat."""
    count = db.session.scalar(select(func.count()).select_from(FrontDoorDelivery).where(
        FrontDoorDelivery.request_id == req.id, FrontDoorDelivery.kind == DELIVERY_UPDATE)) or 0
    return f"{req.reference}-U{count + 1}"


# An update waiting for the record before it, being sent now by another worker, looks again this soon.
BEHIND_ONE_BEING_SENT = timedelta(seconds=5)


def _earlier_unsent(row: FrontDoorDelivery) -> FrontDoorDelivery | None:
    return db.session.scalar(select(FrontDoorDelivery).where(
        FrontDoorDelivery.request_id == row.request_id, FrontDoorDelivery.id < row.id,
        FrontDoorDelivery.status != SENT).order_by(FrontDoorDelivery.id).limit(1))


def _wait_behind(row: FrontDoorDelivery, earlier: FrontDoorDelivery) -> None:
    """An update never overtakes the record it updates: it is tried again just after the earlier one's
    next try (a few seconds when another worker is sending that one now), never a fixed minute later."""
    soon = clock.now() + BEHIND_ONE_BEING_SENT
    row.status, row.claimed_by = PENDING, None
    row.next_attempt_at = soon if earlier.status == SENDING else max(soon, earlier.next_attempt_at)


def urgent_first():
    """0 for a record of a request on the urgent path (an unreviewed risk signal, or sent as urgent),
    1 for the rest: claimed in that order, so a backlog never holds an urgent record behind routine ones."""
    urgent = or_(
        exists().where(SupportRequest.id == FrontDoorDelivery.request_id, SupportRequest.priority == URGENT),
        exists().where(RiskSignal.request_id == FrontDoorDelivery.request_id, RiskSignal.reviewed_at.is_(None)))
    return case((urgent, 0), else_=1)


@dataclass(frozen=True)
class Outgoing:
    """What one POST needs, read before it so no database transaction stays open during it."""

    row_id: int
    request_id: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer (a timeout, a refused connection)
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signatures(body: bytes) -> dict[str, str]:
    """`X-Flourish-Signature` with FRONT_DOOR_WEBHOOK_SECRET, as the contract says; while a rotation is
    under way (FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS set), also `X-Flourish-Signature-Previous` with the old
    secret, so a receiver that checks either header against the one secret it holds accepts every record
    before, during and after its own switch (docs/deploy.md, "Rotating the front door's secrets")."""
    headers = {"X-Flourish-Signature": signature(body, current_app.config.get("FRONT_DOOR_WEBHOOK_SECRET") or "")}
    previous = current_app.config.get("FRONT_DOOR_WEBHOOK_SECRET_PREVIOUS")
    if previous:
        headers["X-Flourish-Signature-Previous"] = signature(body, previous)
    return headers


def _outgoing(row: FrontDoorDelivery) -> Outgoing:
    body = row.body.encode("utf-8")
    # The first record's key is its reference; an update's is `<reference>-U<n>`, so X-Flourish-Reference
    # names the request on every delivery (as does the ServiceRequest's identifier inside).
    headers = {"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE, "Idempotency-Key": row.idempotency_key,
               "X-Flourish-Reference": row.request.reference, **signatures(body),
               "User-Agent": "Flourish front-door delivery"}
    return Outgoing(row.id, row.request_id, body, headers)


def _timeout() -> tuple[float, float]:
    """(connect, read) seconds for one POST: FRONT_DOOR_TIMEOUT_SECONDS (read), connect at most 5."""
    read = float(current_app.config.get("FRONT_DOOR_TIMEOUT_SECONDS") or TIMEOUT[1])
    return min(float(TIMEOUT[0]), read), read


def _post(outgoing: Outgoing, url: str) -> Outcome:
    """The HTTP request alone: called with no database transaction open."""
    connect, read = _timeout()
    try:
        response = requests.post(url, data=outgoing.body, headers=outgoing.headers, timeout=(connect, read),
                                 allow_redirects=False)
    except requests.RequestException as error:
        return Outcome(None, type(error).__name__)
    return Outcome(response.status_code)


def _record(outgoing: Outgoing, outcome: Outcome) -> bool:
    """The POST's outcome, in a short transaction of its own; True when delivered. A claim taken from
    this worker meanwhile (it outlived CLAIM_EXPIRES_AFTER) is left to its new owner."""
    row = db.session.get(FrontDoorDelivery, outgoing.row_id, with_for_update=True,
                         populate_existing=True)
    if row is None or row.status != SENDING or row.claimed_by != worker_name():
        db.session.commit()
        return False
    row.last_status_code = outcome.status_code
    if outcome.delivered:
        mark_sent(row)
        mark_received_by_front_door([row.request_id])
        log.info("front door delivery sent id=%s status=%s", row.id, outcome.status_code)
    else:
        retry_later(row, outcome.error or f"HTTP {outcome.status_code}", delay_after((row.attempts or 0) + 1))
        log.info("front door delivery not accepted id=%s status=%s error=%s", row.id, outcome.status_code,
                 outcome.error)
    db.session.commit()
    return outcome.delivered


def _deliver_one(row: FrontDoorDelivery, url: str) -> bool:
    earlier = _earlier_unsent(row)
    if earlier is not None:
        _wait_behind(row, earlier)
        db.session.commit()
        return False
    outgoing = _outgoing(row)
    db.session.commit()  # the reads above end here: nothing is held open while the front door answers
    return _record(outgoing, _post(outgoing, url))


def deliver_due() -> int:
    """Worker job: deliver due records one at a time, urgent ones first, until none is due or the job's
    time budget is used. One at a time: a record is claimed only just before it is sent, so none waits,
    claimed, behind a front door that is slow to answer another (each POST has its own timeout).
    Returns how many were delivered this pass."""
    url = current_app.config.get("FRONT_DOOR_WEBHOOK_URL")
    if not url:
        return 0  # pull-only: the front door reads the API; rows stay listed as undelivered by webhook
    delivered = 0
    while not jobs.over_budget():
        claimed = claim_due(FrontDoorDelivery, limit=1, first=urgent_first())
        if not claimed:
            break
        delivered += _deliver_one(claimed[0], url)
    return delivered


def unsent_before_a_pull(reference: str | None = None) -> dict[int, list[int]]:
    """Pull only (no webhook): {request id: its unsent outbox rows} (of one reference, or all), read
    *before* the records are. Each row was committed with the record it carries, so a record read
    afterwards holds it, or something newer; an update committed in between is not in this list,
    so `mark_pulled` never counts it as delivered. With a webhook: nothing, the outbox pushes."""
    if current_app.config.get("FRONT_DOOR_WEBHOOK_URL"):
        return {}
    query = select(FrontDoorDelivery.request_id, FrontDoorDelivery.id).where(
        FrontDoorDelivery.status.in_((PENDING, "failed")))
    if reference is not None:
        query = query.join(SupportRequest, SupportRequest.id == FrontDoorDelivery.request_id).where(
            SupportRequest.reference == reference)
    unsent: dict[int, list[int]] = {}
    for request_id, row_id in db.session.execute(query):
        unsent.setdefault(request_id, []).append(row_id)
    return unsent


def mark_pulled(unsent: dict[int, list[int]], request_ids: list[int]) -> int:
    """The front door has read these records through the API: the rows `unsent_before_a_pull` found
    for them are delivered (the record read is as new as each, or newer). Otherwise, pull only,
    they would wait in the outbox, and on the staff's undelivered list, for ever."""
    mark_received_by_front_door(request_ids)
    row_ids = [row_id for request_id in request_ids for row_id in unsent.get(request_id, [])]
    if not row_ids:
        return 0
    result = db.session.execute(
        update(FrontDoorDelivery)
        .where(FrontDoorDelivery.id.in_(row_ids), FrontDoorDelivery.status.in_((PENDING, "failed")))
        .values(status=SENT, sent_at=clock.now(), claimed_by=None, last_error=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def mark_received_by_front_door(request_ids: list[int]) -> None:
    """The first moment the front door had each record (its webhook accepted it, its system pulled it,
    or a clinician opened it). Set once, in one UPDATE, so concurrent markers never move it."""
    if request_ids:
        db.session.execute(update(SupportRequest)
                           .where(SupportRequest.id.in_(request_ids), SupportRequest.front_door_received_at.is_(None))
                           .values(front_door_received_at=clock.now()).execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Undelivered:
    row: FrontDoorDelivery
    waiting_for: timedelta


def undelivered(limit: int = 200) -> list[Undelivered]:
    """Every record not yet delivered, oldest first, with how long it has waited."""
    now = clock.now()
    rows = db.session.scalars(
        select(FrontDoorDelivery).where(FrontDoorDelivery.status.in_((PENDING, SENDING, "failed")))
        .order_by(FrontDoorDelivery.created_at, FrontDoorDelivery.id).limit(limit)
    ).all()
    refs = {r.request_id for r in rows}
    if refs:  # load the requests in one query (no N+1)
        db.session.scalars(select(SupportRequest).where(SupportRequest.id.in_(refs))).all()
    return [Undelivered(row, now - row.created_at) for row in rows]


def undelivered_summary() -> tuple[int, datetime | None]:
    """(how many, since when) for the queue's banner."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(FrontDoorDelivery.created_at))
        .where(FrontDoorDelivery.status.in_((PENDING, SENDING, "failed")))).one()
    if oldest is not None and oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return count or 0, oldest
