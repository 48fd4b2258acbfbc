"""Mood check-ins kept on the server for people with an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db


class MoodEntry(db.Model):
    __tablename__ = "mood_entries"
    __table_args__ = (
        # A check-in moved from a device keeps the id the device gave it, so moving twice adds nothing.
        UniqueConstraint("user_id", "client_id", name="uq_mood_entries_user_id_client_id"),
        Index("ix_mood_entries_user_id_recorded_at", "user_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(SmallInteger)  # 1 (very low) to 5 (very good)
    words: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:  # ids only: never the words
        return f"<MoodEntry {self.id} user={self.user_id}>"
