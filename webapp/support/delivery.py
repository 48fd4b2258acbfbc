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
from sqlalchemy import func, select, update

from webapp import clock
from webapp.extensions import db
from webapp.outbox import PENDING, SENDING, SENT, claim_due, keep_claim, mark_sent, retry_later
from webapp.support.models import DELIVERY_NEW, DELIVERY_UPDATE, FrontDoorDelivery, SupportRequest

log = logging.getLogger("flourish.support.delivery")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
THEN_EVERY = timedelta(hours=12)
TIMEOUT = (5, 20)  # connect, read (seconds)
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


def _earlier_unsent(row: FrontDoorDelivery) -> bool:
    return db.session.scalar(select(FrontDoorDelivery.id).where(
        FrontDoorDelivery.request_id == row.request_id, FrontDoorDelivery.id < row.id,
        FrontDoorDelivery.status != SENT).limit(1)) is not None


def _send(row: FrontDoorDelivery, url: str, secret: str) -> None:
    body = row.body.encode("utf-8")
    # The first record's key is its reference; an update's is `<reference>-U<n>`, so X-Flourish-Reference
    # names the request on every delivery (as does the ServiceRequest's identifier inside).
    headers = {"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE, "Idempotency-Key": row.idempotency_key,
               "X-Flourish-Reference": row.request.reference, "X-Flourish-Signature": signature(body, secret),
               "User-Agent": "Flourish front-door delivery"}
    try:
        response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as error:
        retry_later(row, f"{type(error).__name__}", delay_after((row.attempts or 0) + 1))
        log.info("front door delivery failed id=%s error=%s", row.id, type(error).__name__)
        return
    row.last_status_code = response.status_code
    if 200 <= response.status_code < 300:
        mark_sent(row)
        mark_received_by_front_door([row.request_id])
        log.info("front door delivery sent id=%s status=%s", row.id, response.status_code)
        return
    retry_later(row, f"HTTP {response.status_code}", delay_after((row.attempts or 0) + 1))
    log.info("front door delivery refused id=%s status=%s", row.id, response.status_code)


def deliver_due() -> int:
    """Worker job: send every due delivery. Returns how many were delivered this pass."""
    url = current_app.config.get("FRONT_DOOR_WEBHOOK_URL")
    if not url:
        return 0  # pull-only: the front door reads the API; rows stay listed as undelivered by webhook
    secret = current_app.config.get("FRONT_DOOR_WEBHOOK_SECRET") or ""
    delivered = 0
    for row in claim_due(FrontDoorDelivery):
        if not keep_claim(row):
            continue  # a slow batch outlived its claim and another worker took this row
        if _earlier_unsent(row):
            # An update never overtakes the record it updates: try again after the earlier one.
            row.status, row.claimed_by, row.next_attempt_at = PENDING, None, clock.now() + BACKOFF[0]
        else:
            _send(row, url, secret)
            delivered += row.status == SENT
        db.session.commit()
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
