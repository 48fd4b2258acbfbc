"""The one way to claim outbox rows so that any number of workers never send one row twice.

Every table of things to send to another system (push notifications, front-door deliveries) has
`status`, `attempts`, `next_attempt_at`, `claimed_at`, `claimed_by`, `last_error`, and uses
`claim_due` here: one `UPDATE ... WHERE status = 'pending' AND id IN (the due rows, in order, up
to the limit) RETURNING` claims a whole batch, and only the rows it returns are ours. PostgreSQL
chooses the rows with `FOR UPDATE SKIP LOCKED`, so two workers never choose the same row; SQLite
has one writer at a time, and the worker already is it (it released stale claims first).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A row claimed this long ago by a worker that died is claimed again (nothing lost).
CLAIM_EXPIRES_AFTER = timedelta(minutes=5)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxMixin:
    """Columns every outbox table has."""

    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(String(200))


def _release_stale_claims(model, now: datetime) -> None:
    db.session.execute(
        update(model)
        .where(model.status == SENDING, model.claimed_at < now - CLAIM_EXPIRES_AFTER)
        .values(status=PENDING, claimed_by=None)
    )


def claim_due(model, limit: int = 50, now: datetime | None = None, first=None) -> list:
    """Atomically claim up to `limit` due rows for this worker and commit the claim. `first`: an SQL
    expression to order by before the due time (e.g. urgent rows before routine ones)."""
    now = now or clock.now()
    me = worker_name()
    _release_stale_claims(model, now)
    due = (model.status == PENDING) & (model.next_attempt_at <= now)
    order = ([] if first is None else [first]) + [model.next_attempt_at, model.id]
    # MATERIALIZED: the rows are chosen once. As a plain subquery, PostgreSQL may run it again for
    # each row it updates, and each run skips the rows the statement already locked: it would claim
    # every due row, not `limit` of them.
    chosen = (select(model.id).where(due).order_by(*order).limit(limit).with_for_update(of=model, skip_locked=True)
              .cte("chosen").prefix_with("MATERIALIZED"))
    # populate_existing: rows this session already holds are refreshed, never returned stale.
    claimed = db.session.execute(
        update(model).where(model.status == PENDING, model.id.in_(select(chosen.c.id)))
        .values(status=SENDING, claimed_at=now, claimed_by=me).returning(model, *order)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).all()
    db.session.commit()  # the claim, or only the release of stale claims (no write lock left held on SQLite)
    return [returned[0] for returned in sorted(claimed, key=_position)]  # RETURNING keeps no order


def _position(returned) -> tuple:
    """A claimed row's place in the claim's order, from the order's values it returned (NULLs last)."""
    return tuple((value is None, value) for value in returned[1:])


def keep_claim(row, now: datetime | None = None) -> bool:
    """Call just before sending a claimed row: True if it is still this worker's to send.

    A batch can take longer than CLAIM_EXPIRES_AFTER to work through (a slow receiver, many
    devices), and then another worker releases the rest of it as stale and sends it too. So a
    claim more than half that age is renewed here (committed, so other workers see it) before
    the send; False means the claim was already released or taken by another worker, and the
    row must be left alone. A fresh claim costs no query.
    """
    now = now or clock.now()
    me = worker_name()
    # Read from memory, or afresh after a commit expired them: either way only this worker's
    # fresh claim skips the check.
    if (row.status == SENDING and row.claimed_by == me and row.claimed_at is not None
            and now - row.claimed_at < CLAIM_EXPIRES_AFTER / 2):
        return True
    model = type(row)
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.status == SENDING, model.claimed_by == me)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        db.session.expunge(row)  # not ours any more: nothing of it may be written back
        return False
    set_committed_value(row, "claimed_at", now)
    return True


def mark_sent(row, now: datetime | None = None) -> None:
    row.status, row.claimed_by, row.last_error = SENT, None, None
    row.attempts = (row.attempts or 0) + 1
    if hasattr(row, "sent_at"):
        row.sent_at = now or clock.now()


def retry_later(row, error: str, delay: timedelta, max_attempts: int | None = None) -> None:
    """Put a row back for another try after `delay`, or mark it failed past `max_attempts`."""
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error[:200]
    row.claimed_by = None
    if max_attempts is not None and row.attempts >= max_attempts:
        row.status = FAILED
        return
    row.status = PENDING
    row.next_attempt_at = clock.now() + delay


def mark_failed(row, error: str) -> None:
    row.attempts = (row.attempts or 0) + 1
    row.status, row.last_error, row.claimed_by = FAILED, error[:200], None
