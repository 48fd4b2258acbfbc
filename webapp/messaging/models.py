"""The messaging outbox (texts, emails and letters through NHS Notify) and each person's channels.

One `Message` is one message on one channel to one address. What a person is told ("your request
has news") may go out on several channels in turn: a text that Notify reports permanently failed is
followed by an email, then a letter (`notice`, the same for each; unique with `channel`, so a notice
goes at most once on each channel, however many workers run or receipts arrive).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db
from webapp.notifications.models import PREFERENCE_FOR_KIND, REQUEST_UPDATE, SAFETY_PLAN_REVIEW
from webapp.outbox import OutboxMixin

SMS, EMAIL, LETTER, PUSH = "sms", "email", "letter", "push"
CHANNELS = (SMS, EMAIL, LETTER)  # what goes through Notify
ALL_CHANNELS = (PUSH, SMS, EMAIL, LETTER)  # what a person may put in order

# Outbox states beyond webapp.outbox's pending/sending/sent/failed.
CANCELLED = "cancelled"
EXPIRED = "expired"
UNPROVED = "unproved"  # sensitive, and the address was never proved to be the person's
NOT_WANTED = "not_wanted"  # the person turned this kind of message off after it was queued

# What a message is about (`kind`), checked again when it is sent. The kinds a person turns on and off
# ("which reminders" in /settings/notifications, one switch each: `PREFERENCE_FOR_KIND`): a message
# whose kind was turned off after it was queued is not sent (NOT_WANTED, with the reason for staff),
# and turning the kind on again does not bring it back.
CHOSEN_KINDS = frozenset(PREFERENCE_FOR_KIND)
# Kinds that always go, whatever those switches say: the person just asked for them, cannot use
# their account without them, or chose the day themselves for their safety.
SIGN_UP = "sign_up"  # a sign-up link, or "you already have an account"
ACCOUNT_RECOVERY = "account_recovery"  # a link to choose a new password
PROOF_CODE = "proof_code"  # a code to prove a mobile number or an email address
ALWAYS_SENT_KINDS = frozenset({SIGN_UP, ACCOUNT_RECOVERY, PROOF_CODE, SAFETY_PLAN_REVIEW})
KINDS = CHOSEN_KINDS | ALWAYS_SENT_KINDS
# The kind of a message queued without one whose template does not say (the discreet "you have a new
# message"): news about a request, the switch that covers most of what is sent.
DEFAULT_KIND = REQUEST_UPDATE

# What Notify's delivery receipt said (`outcome`); None: no receipt yet.
DELIVERED = "delivered"
PERMANENT_FAILURE = "permanent-failure"
TEMPORARY_FAILURE = "temporary-failure"
TECHNICAL_FAILURE = "technical-failure"
OUTCOMES = (DELIVERED, PERMANENT_FAILURE, TEMPORARY_FAILURE, TECHNICAL_FAILURE)


class Message(OutboxMixin, db.Model):
    """One text, email or letter, queued in the caller's transaction and sent by the worker."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("notice", "channel", name="uq_messages_notice_channel"),
        Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_messages_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Shared by the messages that carry the same thing on different channels (the fallback chain).
    notice: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(10))
    # A phone number (E.164) or an email address; a letter's address is in `address`.
    recipient: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[dict | None] = mapped_column(JSON)
    template: Mapped[str] = mapped_column(String(40))
    # What it is about (KINDS): one the person can turn off is checked again when it is sent.
    kind: Mapped[str] = mapped_column(String(30), default=DEFAULT_KIND, server_default=DEFAULT_KIND)
    language: Mapped[str] = mapped_column(String(5), default="en")
    personalisation: Mapped[dict] = mapped_column(JSON, default=dict)
    # Ours, sent to Notify with the message; comes back in every receipt. Unique per message.
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    # Sent again after a temporary failure: each send has its own Notify reference (`notify_reference`).
    round: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Held back in the person's quiet hours (never for letters or for codes they just asked for).
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[str | None] = mapped_column(String(40))
    # The channels to try next if this one fails for good: [{"channel": ..., "to": ...}, ...].
    fallbacks: Mapped[list] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Notify's id for it (from its answer), which its receipts name.
    notify_id: Mapped[str | None] = mapped_column(String(36), index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def notify_reference(self) -> str:
        return self.reference if not self.round else f"{self.reference}-r{self.round}"


class ChannelPreferences(db.Model):
    """The ways a person with an account wants to be told, in their order; none until they choose.

    Discreet by default: a text or envelope names no service unless `name_service` is on.
    """

    __tablename__ = "channel_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Chosen channels, most preferred first, e.g. ["push", "sms", "email"].
    order: Mapped[list] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    # A letter's address: {"lines": [...], "postcode": "..."}.
    address: Mapped[dict | None] = mapped_column(JSON)
    name_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

