"""Notify's delivery receipts: each message moves to delivered, failed for good (then the next
channel in the person's order) or failed for now (sent again later, a few times).

A receipt names Notify's id for the message and our reference. It can arrive before the worker
has kept Notify's id (Notify is quick), so the reference finds it too. The same receipt twice
changes nothing the second time; a receipt for an earlier send of a message sent again is ignored.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from webapp import clock
from webapp.extensions import db
from webapp.messaging import fallback, templates
from webapp.messaging.models import (
    DELIVERED,
    PERMANENT_FAILURE,
    TECHNICAL_FAILURE,
    TEMPORARY_FAILURE,
    Message,
)
from webapp.outbox import FAILED, PENDING, SENDING

log = logging.getLogger("flourish.messaging")

# Notify's statuses (texts, emails, letters) and what they mean for us; others are on the way.
MEANING = {
    "delivered": DELIVERED, "received": DELIVERED,
    "permanent-failure": PERMANENT_FAILURE, "validation-failed": PERMANENT_FAILURE,
    "temporary-failure": TEMPORARY_FAILURE, "technical-failure": TECHNICAL_FAILURE,
}
IN_PROGRESS = {"created", "sending", "pending", "sent", "accepted", "pending-virus-check"}
MAX_ROUNDS = 3  # sends after a temporary failure before it counts as failed for good
ROUND_DELAY = timedelta(minutes=30)
_ROUND = re.compile(r"^(?P<reference>.+)-r(?P<round>\d+)$")


BUSY_RETRY_AFTER_SECONDS = 30


class ReceiptError(ValueError):
    def __init__(self, status: int, error: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.retry_after = status, error, message, retry_after


@dataclass(frozen=True)
class Applied:
    message_id: int
    outcome: str | None  # None: a status on the way, or a stale receipt (nothing changed)


def _find(notify_id: str, reference: str | None) -> Message | None:
    row = db.session.scalar(select(Message).where(Message.notify_id == notify_id).limit(1)) if notify_id else None
    if row is not None or not reference:
        return row
    row = db.session.scalar(select(Message).where(Message.reference == reference))
    if row is not None:
        return row
    match = _ROUND.match(reference)
    if match:
        row = db.session.scalar(select(Message).where(Message.reference == match["reference"]))
        if row is not None and row.round != int(match["round"]):
            return row  # an earlier send's receipt: found, and left alone below
    return row


def _locked(row: Message) -> Message:
    """The message read afresh under its row lock (an UPDATE of the row, which locks on both
    databases), so two receipts at once are decided one after the other on what the row holds now.
    The worker does not take this lock: a failure receipt for a message it is still sending is
    refused with a 503 (below), which Notify sends again."""
    db.session.execute(update(Message).where(Message.id == row.id).values(round=Message.round))
    db.session.refresh(row)
    return row


def apply(body: object) -> Applied:
    """Apply one receipt (Notify's callback JSON). Raises ReceiptError (400, 404, 503 with a
    Retry-After, which Notify retries) and then changes nothing."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not isinstance(body.get("status"), str):
        raise ReceiptError(400, "invalid", "A receipt needs an id and a status")
    reference = body.get("reference") if isinstance(body.get("reference"), str) else None
    row = _find(body["id"][:36], reference)
    if row is None:
        raise ReceiptError(404, "not_found", "No message with that id or reference")
    row = _locked(row)
    status = body["status"]
    if status in IN_PROGRESS:
        return Applied(row.id, None)
    outcome = MEANING.get(status)
    if outcome is None:
        raise ReceiptError(400, "invalid", f"Unknown status {status[:40]!r}")
    stale = (row.notify_id not in (None, body["id"])) or (reference not in (None, row.notify_reference))
    if stale or row.outcome == outcome and row.notify_id == body["id"]:
        return Applied(row.id, None)
    if outcome in (TEMPORARY_FAILURE, TECHNICAL_FAILURE, PERMANENT_FAILURE) and row.status == SENDING:
        # The worker has not kept its own outcome yet, and writes it without this lock: a failure
        # applied now (sent again, or the next channel) would be overwritten by its "sent".
        raise ReceiptError(503, "busy", "The message is being sent; send the receipt again shortly",
                           retry_after=BUSY_RETRY_AFTER_SECONDS)
    if row.notify_id is None:
        row.notify_id = body["id"][:36]
    record_outcome(row, status)
    log.info("message id=%s receipt outcome=%s", row.id, outcome)
    return Applied(row.id, outcome)


def record_outcome(row: Message, status: str) -> None:
    """What Notify says became of a message it has (its receipt, or its status when the worker asks
    Notify by reference): delivered; sent again later after a temporary failure; or the next channel.
    `status` is one of MEANING's (the caller checks)."""
    outcome = MEANING[status]
    now = clock.now()
    row.outcome, row.outcome_at = outcome, now
    if outcome in (TEMPORARY_FAILURE, TECHNICAL_FAILURE):
        if row.template in templates.SECRET_TEMPLATES:
            # A code or a sign-in link is not sent again later (stale by then): the person asks again.
            row.status, row.last_error = FAILED, f"Notify: {status}; not sent again (it carries a code or link)"
        elif (row.round or 0) + 1 < MAX_ROUNDS:
            row.round = (row.round or 0) + 1
            row.status, row.notify_id, row.next_attempt_at, row.claimed_by = PENDING, None, now + ROUND_DELAY, None
            row.last_error = f"Notify: {status}, sending again"
        else:
            row.last_error = f"Notify: {status} {MAX_ROUNDS} times"
            fallback.next_channel(row)
    elif outcome == PERMANENT_FAILURE:
        row.last_error = f"Notify: {status}"
        fallback.next_channel(row)
    if row.status != PENDING:
        row.personalisation = {}  # delivered or failed for good: no codes or links kept
