"""Push subscriptions, notification preferences and the notifications outbox."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.outbox import OutboxMixin

# Kinds of notification; the person chooses which they get.
APPOINTMENT_REMINDER = "appointment_reminder"
GOAL_CHECKIN = "goal_checkin"
REQUEST_UPDATE = "request_update"
PLACE_OFFER = "place_offer"  # a freed drop-in place offered from the waiting list
TEST = "test"
SAFETY_PLAN_REVIEW = "safety_plan_review"  # the day a young person chose to look over their plan
KINDS = (APPOINTMENT_REMINDER, GOAL_CHECKIN, REQUEST_UPDATE, PLACE_OFFER, TEST, SAFETY_PLAN_REVIEW)
# Which of the person's switches (NotificationPreferences) lets each kind through, on every channel;
# a kind not here always goes (a test the person asked for, the review day they chose).
PREFERENCE_FOR_KIND = {
    APPOINTMENT_REMINDER: "appointment_reminders",
    PLACE_OFFER: "appointment_reminders",
    GOAL_CHECKIN: "goal_checkins",
    REQUEST_UPDATE: "request_updates",
}

# Quiet hours a person has until they choose others (UK time).
DEFAULT_QUIET_START, DEFAULT_QUIET_END = time(21, 0), time(8, 0)

# Outbox states beyond webapp.outbox's pending/sending/sent/failed.
CANCELLED = "cancelled"  # the caller cancelled it (a booking was cancelled)
NO_DEVICE = "no_device"  # the person has no device with reminders turned on
EXPIRED = "expired"  # it was no longer useful by the time it could be sent
NOT_WANTED = "not_wanted"  # the person turned this kind of reminder off


class PushSubscription(db.Model):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    # A label the person recognises ("Chrome on Android"), never the full user agent.
    device_label: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreferences(db.Model):
    """Most private by default: nothing is sent until a device is turned on, and text is discreet."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    appointment_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    goal_checkins: Mapped[bool] = mapped_column(Boolean, default=True)
    request_updates: Mapped[bool] = mapped_column(Boolean, default=True)
    discreet: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_start: Mapped[time] = mapped_column(Time, default=time(21, 0))
    quiet_end: Mapped[time] = mapped_column(Time, default=time(8, 0))
    # Quiet hours are on by default; a person may turn them off.
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class ScheduledNotification(OutboxMixin, db.Model):
    """One notification to one person, due at a time. Sent by the worker, never by a web request.

    `title` and `body` are English message ids (marked with `N_`) translated into the person's
    language when sent, with `params` filled in; they are shown only when discreet text is off.
    """

    __tablename__ = "scheduled_notifications"
    __table_args__ = (
        Index("ix_scheduled_notifications_subject", "subject_type", "subject_id"),
        # What the worker's claim asks for: pending rows by due time.
        Index("ix_scheduled_notifications_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # After this the message is no longer useful (TTL); a reminder for a past appointment is dropped.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="/")
    topic: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)  # retention's
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Devices (push_subscriptions.id) it already reached, so a retry for another device never
    # sends it to one of these again.
    delivered_to: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
