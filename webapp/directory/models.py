"""Services and offers the Integrated Front Door can allocate a request to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

THRIVE_GROUPS = ("getting_advice", "getting_help", "getting_more_help", "getting_risk_support")


class Service(db.Model):
    __tablename__ = "services"

    # A readable slug from services.yaml ("point-1"): the id other systems use.
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    thrive_group: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int] = mapped_column(Integer, default=0)
    max_age: Mapped[int] = mapped_column(Integer, default=25)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by the IFD through the status API: shown to people next to the wait.
    wait_note: Mapped[str | None] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    # False for open access, self-referral and crisis services: no queue, so /waits shows how to get
    # it (`how_to_get`, English, translated when shown) instead of a wait, and never counts anyone waiting.
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    how_to_get: Mapped[str | None] = mapped_column(Text)
    # How often people waiting for it are asked "How are things now?" (webapp/checkins), 2 to 8 weeks.
    check_in_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
