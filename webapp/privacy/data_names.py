"""What each part of "download my data" is called on the page, in the reader's language.

The file keeps its own English keys (a program reads them; `docs/data-inventory.yaml` lists them).
The page shows each key by its name here, a request's answers by the questions asked, and a safety
plan's words by its steps, so a 13-year-old reading Polish never meets `last_login_at`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.accounts.roles import Role, has_role
from webapp.i18n import LANGUAGE_NAMES, date_long, datetime_short

NAMES: dict[str, Any] = {
    # sections
    "exported_at": _l("When this copy was made"),
    "account": _l("Your account"),
    "goals": _l("Goals"),
    "notifications": _l("Notifications"),
    "messages": _l("Texts, emails and letters"),
    "requests_for_support": _l("Your requests for support"),
    "track_lookups_of_my_requests": _l("When someone looked up your request"),
    "mood_check_ins": _l("Mood check-ins"),
    "safety_plan": _l("Safety plan"),
    "drop_in_bookings": _l("Drop-in bookings"),
    "privacy_concerns": _l("Privacy concerns you raised"),
    "two_factor": _l("Second sign-in step"),
    # the account
    "email": _l("Email address"),
    "role": _l("Who you are"),
    "display_name": _l("Your name"),
    "date_of_birth": _l("Date of birth"),
    "organisation": _l("Organisation"),
    "language": _l("Language"),
    "created_at": _l("Made"),
    "last_login_at": _l("Last signed in"),
    # goals
    "text": _l("Words"),
    "status": _l("Status"),
    "closed_at": _l("Closed"),
    "from_request_for_support": _l("From your request for support"),
    "ratings": _l("Ratings"),
    "rating": _l("Rating (0 to 10)"),
    "note": _l("Note"),
    "recorded_at": _l("When"),
    "shared_with_worker": _l("Shared with your worker"),
    "check_in_reminder": _l("Check-in reminder"),
    "weekday": _l("Day of the week"),
    "time": _l("Time"),
    # notifications
    "preferences": _l("Your choices"),
    "appointment_reminders": _l("Appointment reminders"),
    "goal_checkins": _l("Goal check-in reminders"),
    "request_updates": _l("News about your request"),
    "discreet": _l("Discreet wording"),
    "quiet_hours": _l("Quiet hours"),
    "quiet_start": _l("Quiet hours start"),
    "quiet_end": _l("Quiet hours end"),
    "time_zone": _l("Time zone"),
    "devices": _l("Devices"),
    "label": _l("Device"),
    "endpoint": _l("Push address"),
    "added_at": _l("Added"),
    "last_reminder_at": _l("Last reminder"),
    "kind": _l("Kind"),
    "about": _l("About"),
    "due_at": _l("Due"),
    "title": _l("Title"),
    "body": _l("Words shown"),
    "details": _l("Details"),
    "sent_at": _l("Sent"),
    # texts, emails and letters
    "channels": _l("How to reach you"),
    "order": _l("Order to try"),
    "phone": _l("Phone number"),
    "address": _l("Postal address"),
    "say_who_it_is_from": _l("Say who it is from"),
    "channel": _l("Sent by"),
    "to": _l("To"),
    "template": _l("Message"),
    "outcome": _l("What happened"),
    "queued_at": _l("Queued"),
    # requests for support
    "reference": _l("Reference"),
    "received_at": _l("Received"),
    "answers": _l("Your answers"),
    "timeline": _l("What has happened"),
    "at": _l("When"),
    "note_for_requester": _l("Note from the front door"),
    "unsent_draft": _l("A request not sent yet"),
    "started_at": _l("Started"),
    "typed_so_far": _l("Typed so far"),
    "request": _l("Request"),
    "looked_up_at": _l("Looked up"),
    "help_while_you_wait": _l("Help while you wait"),
    "offered_at": _l("Offered"),
    "offered": _l("What was offered"),
    "helped": _l("Did it help?"),
    "until": _l("Open until"),
    "proved_addresses": _l("Numbers and addresses you proved are yours"),
    "proved_at": _l("Proved"),
    "number_or_email": _l("Phone number or email"),
    "what_you_told_us_since": _l("What you told us since"),
    "question": _l("The front door's question"),
    "check_ins_while_waiting": _l("Check-ins while you wait"),
    "asked_at": _l("Asked"),
    "answer": _l("Your answer"),
    "answered_at": _l("Answered"),
    "decision": _l("What a clinician did"),
    "decided_at": _l("Decided"),
    # mood check-ins
    "score": _l("Mood (1 to 5)"),
    "words": _l("Your words"),
    "tags": _l("Tags"),
    # safety plan
    "keep_in_account": _l("Kept in your account"),
    "share_with_worker": _l("Shared with your worker"),
    "content": _l("Your plan"),
    "review_on": _l("Review day"),
    "worker_additions": _l("Added by your worker"),
    "step": _l("Step"),
    # drop-in bookings
    "bookings": _l("Bookings"),
    "base": _l("Base"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "child_first_name": _l("Child's first name"),
    "child_age": _l("Child's age"),
    "attendance": _l("Attendance"),
    "cancelled_at": _l("Cancelled"),
    "waiting_list": _l("Waiting list"),
    "slot_starts_at": _l("Drop-in starts"),
    # privacy concerns
    "raised_at": _l("Raised"),
    "concern": _l("Your concern"),
    "reply_to": _l("Reply to"),
    "handled_at": _l("Handled"),
    # second sign-in step
    "authenticator_key": _l("Authenticator key"),
    "set_up_started_at": _l("Set-up started"),
    "switched_on_at": _l("Switched on"),
    "last_code_used_at": _l("Last code used"),
    "last_code_step": _l("Last code's time step"),
    "recovery_codes": _l("Recovery codes"),
    "code": _l("Code"),
    "made_at": _l("Made"),
    "used_at": _l("Used"),
}


def names_for_page(user) -> dict[str, str]:
    """Every name the page may need, in the current language: the fixed names above, then the
    questions of the request form as this person was asked them (a parent's or professional's
    requests are about someone else: "Their first name", not "Your first name"), and the steps of
    the safety plan (for its words). A key in two places means the same thing in both (`email`)."""
    from webapp.safety_plan.service import ALL_STEPS, contact_fields
    from webapp.support.drafts import STEPS, contact_texts, question_texts

    audience = "self" if has_role(user, Role.YOUNG_PERSON) else "other"
    names: dict[str, str] = {step.name: str(step.title_for(audience)) for step in STEPS}  # a draft, by step
    names.update(question_texts(audience, english=False))
    names.update(contact_texts({"requester_type": str(user.role)}, english=False))
    for step in ALL_STEPS:
        names[step.key] = str(step.title)
        for number, (name_field, phone_field) in enumerate(contact_fields(step), start=1):
            names[name_field] = _("%(step)s, contact %(number)d: name", step=step.title, number=number)
            names[phone_field] = _("%(step)s, contact %(number)d: phone number", step=step.title, number=number)
    names.update({key: str(name) for key, name in NAMES.items()})
    return names


def value_names() -> dict[tuple[Any, ...], str]:
    """Values that are codes, as a person reads them: by (section, key, code) where a key's codes
    depend on the part of the file (a status), else by (key, code) - a request's chosen answers as
    the form offered them, who a person is, a check-in's feelings, how a message went."""
    from webapp.admin.service import STAFF_ROLE_NAMES
    from webapp.checkins.timeline import ANSWER_WORDS, DECISION_WORDS
    from webapp.goals.reminders import WEEKDAYS
    from webapp.messaging import words as messaging_words
    from webapp.messaging.forms import CHANNEL_LABELS
    from webapp.messaging.templates import TEMPLATES
    from webapp.safety_plan.service import ADDABLE_STEPS
    from webapp.selfhelp.tools import MOOD_TAGS
    from webapp.support.display import REQUESTER_TYPE_NAMES
    from webapp.support.drafts import choice_labels
    from webapp.support.service import STATUS_WORDS

    names: dict[tuple[Any, ...], str] = {key: str(label) for key, label in choice_labels().items()}
    for code, name in {**REQUESTER_TYPE_NAMES, **STAFF_ROLE_NAMES}.items():
        names[("role", code)] = str(name)
    names.update({("language", code): name for code, name in LANGUAGE_NAMES.items()})
    names.update({("tags", code): str(label) for code, label in MOOD_TAGS})
    for key in ("channel", "order"):
        names.update({(key, code): str(label) for code, label in CHANNEL_LABELS.items()})
    names.update({("template", name): _(template.subject) for name, template in TEMPLATES.items()})
    names.update({("answer", code): str(words) for code, words in ANSWER_WORDS.items()})
    names.update({("decision", code): str(words) for code, words in DECISION_WORDS.items()})
    names.update({("kind", code): str(words) for code, words in UPDATE_KIND_NAMES.items()})
    names.update({("kind", code): str(words) for code, words in messaging_words.KIND_NAMES.items()})
    names[("kind", "test")] = _("A test notification")
    for section, by_code in {
        "requests_for_support": {code: title for code, (title, _text) in STATUS_WORDS.items()},
        "messages": {**messaging_words.STATE_NAMES, **ONE_MESSAGE_STATE_NAMES},
        "notifications": {**messaging_words.STATE_NAMES, **ONE_MESSAGE_STATE_NAMES, **NOTIFICATION_STATE_NAMES},
        "goals": GOAL_STATUS_NAMES,
        "drop_in_bookings": BOOKING_STATUS_NAMES,
    }.items():
        names.update({(section, "status", code): str(words) for code, words in by_code.items()})
    names.update({("messages", "outcome", code): str(words) for code, words in messaging_words.STATE_NAMES.items()})
    names.update({("attendance", code): str(words) for code, words in ATTENDANCE_NAMES.items()})
    names.update({("step", key): str(title) for key, title in ADDABLE_STEPS})
    names.update({("weekday", number): str(day) for number, day in WEEKDAYS})
    names[("helped", None)] = _("You have not said")
    names.update({("about", code): str(words) for code, words in ABOUT_NAMES.items()})
    return names


UPDATE_KIND_NAMES = {"worse": _l("You told us things have got worse"), "answer": _l("You answered the question"),
                     "came_back": _l("You came back")}
# One message's state as its person reads it (staff's words count many: "Waiting to send").
ONE_MESSAGE_STATE_NAMES = {"pending": _l("Not sent yet"), "sending": _l("Being sent"), "sent": _l("Sent")}
NOTIFICATION_STATE_NAMES = {"no_device": _l("Not sent: no device with reminders on")}
GOAL_STATUS_NAMES = {"active": _l("Working on it"), "reached": _l("Reached"), "not_wanted": _l("No longer wanted")}
BOOKING_STATUS_NAMES = {
    "booked": _l("Booked"), "cancelled": _l("Cancelled"), "cancelled_by_base": _l("Cancelled by the base"),
    "waiting": _l("On the waiting list"), "offered": _l("Offered a place"), "took_place": _l("Took the place"),
    "expired": _l("The offer ran out"), "left": _l("Left the waiting list"),
}
ATTENDANCE_NAMES = {"attended": _l("Came"), "did_not_attend": _l("Did not come"), "not_brought": _l("Not brought")}
# What a notification is about (its subject_type).
ABOUT_NAMES = {"booking": _l("A drop-in booking"), "support_request": _l("Your request for support"),
               "waiting_list": _l("The waiting list"), "help_offer": _l("Help while you wait"),
               "goal_checkin": _l("Goals"), "safety_plan_review": _l("Safety plan review day"),
               "wait_check_in": _l("Check-ins while you wait")}


_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


DATE_KEYS = re.compile(r"(_at|_on)$|^(at|until|date_of_birth)$")


def readable_when(value: Any, key: Any) -> str | None:
    """A moment or a day the file keeps under a date's key (`*_at`, `*_on`, `until`, `date_of_birth`;
    ISO 8601, UTC), as the app writes dates everywhere else, in UK time and the reader's language
    ("6 Dec 2026, 14:30", "6 December 2026"); None for anything else, so words a person typed are
    shown as typed."""
    if not isinstance(value, str) or not isinstance(key, str) or not DATE_KEYS.search(key):
        return None
    try:
        if _MOMENT.match(value):
            return datetime_short(datetime.fromisoformat(value))
        if _DAY.match(value):
            return date_long(date.fromisoformat(value))
    except ValueError:
        return None
    return None
