"""Mark the published wait figures stale whenever a request or status event changes.

Any code that saves a request or a status event through the ORM (the form, triage, the IFD's
status API) sets the flag in the same transaction; the worker's next pass recomputes. Bulk Core
inserts (demo data, benchmarks) refresh the snapshot themselves.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.support.models import RequestStatusEvent, SupportRequest

WATCHED = (SupportRequest, RequestStatusEvent)


def _after_flush(session: Session, flush_context) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        from webapp.waits.service import mark_stale

        mark_stale(session.connection())


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
