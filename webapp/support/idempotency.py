"""The status API's Idempotency-Key: a replayed POST gets the first answer again and changes nothing.

The key's row is inserted before the change, in the change's own transaction, and holds the answer
when it commits. Two POSTs with one key at once cannot both take effect: the second insert fails on
the primary key (on PostgreSQL it waits for the first transaction to end; on SQLite for its write
lock), is rolled back, and the stored answer is replayed. Only changes are remembered: a refused
POST (422) changed nothing, so the same key may be sent again once the body is put right.

A key belongs to the request it was first used with, and to that exact body (a sha256 of the raw
bytes): anything else is refused, never replayed. Keys are deleted after KEEP_FOR (retention).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.support.models import StatusIdempotencyKey, SupportRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIMIT = 200  # the column's length
KEY_SHAPE = re.compile(r"[\x20-\x7e]+")  # printable ASCII
KEEP_FOR = timedelta(days=7)


class KeyRefused(ValueError):
    """An Idempotency-Key that cannot be used (422 on the header, with the reason)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_shape(key: str) -> None:
    if not 1 <= len(key) <= KEY_LIMIT or not KEY_SHAPE.fullmatch(key):
        raise KeyRefused(f"{HEADER} must be 1 to {KEY_LIMIT} printable ASCII characters")


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def stored(key: str, req: SupportRequest, body_digest: str) -> StatusIdempotencyKey | None:
    """The answer remembered for this key, None when the key is new; refused when it was used otherwise."""
    row = db.session.get(StatusIdempotencyKey, key, populate_existing=True)
    if row is None:
        return None
    if row.request_id != req.id:
        raise KeyRefused(f"this {HEADER} was used with another request; use a new key for each change")
    if row.body_digest != body_digest:
        raise KeyRefused(f"this {HEADER} was used for a different body; use a new key for each change")
    return row


def claim(key: str, req: SupportRequest, body_digest: str) -> StatusIdempotencyKey | None:
    """Insert the key's row (answered by `remember` before commit). None when another POST with the
    key committed first: the session is then rolled back, and `stored` has that POST's answer."""
    row = StatusIdempotencyKey(key=key, request_id=req.id, body_digest=body_digest, status_code=0, response="")
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(StatusIdempotencyKey, key) is None:
            raise  # not the key: something else went wrong
        return None
    return row


def remember(row: StatusIdempotencyKey, status_code: int, response: str) -> None:
    row.status_code, row.response = status_code, response
