"""A young person's safety plan kept in their account (only when they choose), and what their worker added."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db


class SafetyPlan(db.Model):
    """One row per young person who opened the plan's settings. Both choices are off by default:
    without "keep a copy in my account" the plan lives only on the person's device (encrypted there)."""

    __tablename__ = "safety_plans"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    keep_in_account: Mapped[bool] = mapped_column(Boolean, default=False)
    share_with_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    # The plan's words, by field name (webapp.safety_plan.service.FIELDS); empty unless kept in the account.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:  # ids only: never the words
        return f"<SafetyPlan user={self.user_id}>"


class SafetyPlanAddition(db.Model):
    """Something a worker added to a shared plan, with them, in a session: who wrote it is kept."""

    __tablename__ = "safety_plan_additions"
    __table_args__ = (Index("ix_safety_plan_additions_plan_user_id", "plan_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_user_id: Mapped[int] = mapped_column(ForeignKey("safety_plans.user_id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:
        return f"<SafetyPlanAddition {self.id} plan={self.plan_user_id}>"
