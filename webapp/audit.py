"""The one audit log: who did what to which record, and when. Ids only, never free text."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

log = logging.getLogger("flourish.audit")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(40), index=True)


def record(action: str, actor_id: int | None = None, subject_type: str | None = None,
           subject_id: str | int | None = None) -> AuditEvent:
    """Add an audit row to the current transaction and log the same line (ids only)."""
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
    )
    db.session.add(event)
    log.info("audit action=%s actor=%s %s=%s", action, actor_id, subject_type, subject_id)
    return event
