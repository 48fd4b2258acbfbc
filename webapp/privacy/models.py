"""A privacy concern someone raised (signed in or not), kept until an admin has handled it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

HANDLED_CONCERNS_KEPT_FOR = timedelta(days=365 * 2)


class PrivacyConcern(db.Model):
    __tablename__ = "privacy_concerns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    # The account that raised it, if signed in (the admin can then see whose data it is about).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    concern: Mapped[str] = mapped_column(Text)
    # How to reply, as the person gave it (optional: a concern can be raised anonymously).
    reply_to: Mapped[str | None] = mapped_column(String(254))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
