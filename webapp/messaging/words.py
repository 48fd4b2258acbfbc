"""What channels, states and kinds of message are called, for staff's message pages and for a
person's own "Your data" page (one set of words for both)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNEL_NAMES = {"sms": _l("Text"), "email": _l("Email"), "letter": _l("Letter")}
# An outbox row's state, and Notify's receipt (`outcome`), in one list: they read as one story.
STATE_NAMES = {
    "pending": _l("Waiting to send"), "sending": _l("Sending now"), "sent": _l("Sent, no receipt yet"),
    "delivered": _l("Delivered"), "permanent-failure": _l("Failed for good"),
    "temporary-failure": _l("Failed for now"), "technical-failure": _l("Failed for now (Notify)"),
    "failed": _l("Failed"), "unproved": _l("Not sent: address not proved"),
    "expired": _l("Too late to be useful"), "cancelled": _l("Cancelled"),
    "not_wanted": _l("Turned off by the person"),
}
KIND_NAMES = {
    "appointment_reminder": _l("Appointment reminders"), "place_offer": _l("A place came up for you"),
    "goal_checkin": _l("Goal check-ins"), "request_update": _l("Updates on my request for support"),
    "account_recovery": _l("Password reset links"), "sign_up": _l("Sign-up links"),
    "proof_code": _l("Codes to prove a number or email"), "safety_plan_review": _l("Safety plan review day"),
}
