"""Goals in the young person's own words, their 0-10 ratings (Goal Based Outcomes), and settings."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

ACTIVE, REACHED, NOT_WANTED = "active", "reached", "not_wanted"
STATUSES = (ACTIVE, REACHED, NOT_WANTED)


class Goal(db.Model):
    __tablename__ = "goals"
    __table_args__ = (
        # The id the form (or device) gave it: a form sent twice adds one goal.
        UniqueConstraint("user_id", "client_id", name="uq_goals_user_id_client_id"),
        Index("ix_goals_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_id: Mapped[str | None] = mapped_column(String(64))
    # Carried over from a request for support: which request, and which of its goals (0, 1, 2).
    # No foreign key: goals do not depend on the support package, and outlive a deleted request.
    source_request_id: Mapped[int | None] = mapped_column(Integer)
    source_goal_index: Mapped[int | None] = mapped_column(SmallInteger)

    ratings: Mapped[list[GoalRating]] = relationship(
        back_populates="goal", order_by="[GoalRating.recorded_at, GoalRating.id]", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def __repr__(self) -> str:  # ids only: never the words
        return f"<Goal {self.id} user={self.user_id} {self.status}>"


class GoalRating(db.Model):
    """"How close are you to reaching this goal?", 0 (not at all) to 10 (reached)."""

    __tablename__ = "goal_ratings"
    __table_args__ = (
        # A check-in sent again (a second tap, or a device sending what it kept offline) adds nothing.
        UniqueConstraint("goal_id", "client_id", name="uq_goal_ratings_goal_id_client_id"),
        Index("ix_goal_ratings_goal_id_recorded_at", "goal_id", "recorded_at"),
        CheckConstraint("rating >= 0 AND rating <= 10", name="rating_0_to_10"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    goal: Mapped[Goal] = relationship(back_populates="ratings")

    def __repr__(self) -> str:
        return f"<GoalRating {self.id} goal={self.goal_id}>"


class GoalSettings(db.Model):
    """Sharing (off by default), check-in reminders, and requests whose goals were offered already."""

    __tablename__ = "goal_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    share_with_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    # Monday = 0 ... Sunday = 6, and a UK wall-clock time; both empty when reminders are off.
    reminder_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    reminder_time: Mapped[time | None] = mapped_column(Time)
    # When the reminder last scheduled is due: the worker looks only at rows past it (or never scheduled).
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    dismissed_request_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def reminders_on(self) -> bool:
        return self.reminder_weekday is not None and self.reminder_time is not None
