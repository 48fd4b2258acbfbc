"""Check-ins while waiting: "How are things now?", asked of everyone still waiting, and each answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.support.models import SupportRequest

STILL_NEED, OK_NOW, WORSE, NOT_SURE = "still_need", "ok_now", "worse", "not_sure"
ANSWERS = (STILL_NEED, OK_NOW, WORSE, NOT_SURE)
# What a clinician decided about an "I'm OK now".
CLOSED, KEPT = "closed", "kept"


class WaitCheckIn(db.Model):
    """One "How are things now?" and, once given, its answer. Answered once: a replay changes nothing."""

    __tablename__ = "wait_check_ins"
    __table_args__ = (Index("ix_wait_check_ins_request_id_asked_at", "request_id", "asked_at"),
                      Index("ix_wait_check_ins_answered_at_asked_at", "answered_at", "asked_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # "schedule" (every few weeks) or "user:<id>" (a clinician's "ask how they are").
    asked_by: Mapped[str] = mapped_column(String(40))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    words: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # For "OK now" (closed or kept) and "Not sure" (called): what the front door did, and who.
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    request: Mapped[SupportRequest] = relationship()
