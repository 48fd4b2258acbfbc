"""The messaging API other packages call: queue a text, email or letter; tell a person by their channels.

`send_to_address` queues one message to one address (a sign-up email, a 6-digit code). `tell`
fans one piece of news out to a person's channels in their order of preference (push first if they
chose it), and `tell_requester` does the same for someone who asked for support without an account,
by the ways they said are safe. Everything is queued in the caller's transaction and sent by the
worker (`sender.py`), never inline: a request's timing never depends on Notify.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from webapp import clock
from webapp.extensions import db
from webapp.messaging import addresses, templates
from webapp.messaging.models import CHANNELS, DEFAULT_KIND, EMAIL, KINDS, LETTER, SMS, Message
from webapp.outbox import PENDING


def _recipient(channel: str, to: str | dict[str, Any]) -> tuple[str | None, dict | None]:
    if channel == SMS:
        return addresses.normalise_mobile(str(to)), None
    if channel == EMAIL:
        return addresses.normalise_email(str(to)), None
    if not isinstance(to, dict):
        raise ValueError("a letter needs an address as a dict of lines and a postcode")
    lines = to.get("lines")
    if lines is None:
        lines = [value for key, value in sorted(to.items(), key=lambda item: item[0])
                 if key.startswith("address_line_") and value]
    return None, addresses.normalise_letter_address(lines, to.get("postcode"))


def queue(*, channel: str, to: str | dict[str, Any], template: str, personalisation: dict[str, str],
          language: str, reference: str | None = None, sensitive: bool = False, user_id: int | None = None,
          notice: str | None = None, fallbacks: list[dict[str, Any]] | None = None,
          subject_type: str | None = None, subject_id: str | int | None = None, quiet_hours: bool = False,
          due_at: datetime | None = None, expires_at: datetime | None = None, kind: str | None = None) -> Message:
    """`send_to_address` with everything a fan-out needs too (the caller commits).

    `kind` (models.KINDS) is what the message is about, checked again against the person's choice
    when it is sent; without it, the template's own kind (the discreet words: DEFAULT_KIND)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown message channel {channel!r}")
    kind = kind or templates.template(template).kind or DEFAULT_KIND  # refuses an unknown template now
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    recipient, address = _recipient(channel, to)
    now = clock.now()
    row = Message(
        notice=notice or str(uuid.uuid4()), channel=channel, recipient=recipient, address=address,
        template=template, kind=kind, language=language or "en",
        personalisation={str(key): str(value) for key, value in (personalisation or {}).items()},
        reference=reference or uuid.uuid4().hex, sensitive=sensitive, quiet_hours=quiet_hours and channel != LETTER,
        user_id=user_id, subject_type=subject_type, subject_id=None if subject_id is None else str(subject_id),
        fallbacks=fallbacks or [], expires_at=expires_at, status=PENDING, attempts=0, round=0,
        next_attempt_at=due_at or now, created_at=now,
    )
    db.session.add(row)
    return row


def send_to_address(*, channel: str, to: str | dict[str, str], template: str, personalisation: dict[str, str],
                    language: str, reference: str | None = None, sensitive: bool = False) -> Message:
    """Queue one message to one address, sent by the worker (the caller commits).

    `channel` is "sms", "email" or "letter" (then `to` is {"lines": [...], "postcode": ...} or
    Notify's {"address_line_1": ..., "postcode": ...}); `template` a name in `templates.TEMPLATES`
    ("verify_code", "sign_up_finish", "already_registered", "password_reset", ...), its words
    translated into `language` and filled in from `personalisation` ({"code": "123456"},
    {"link": url}). `reference` is ours, unique per message (made up when not given). `sensitive`
    messages go only to an address proved to be the person's (`accounts.verification.is_proved`).
    Its kind is the template's (a code, a sign-up or reset link: kinds that always go, `ALWAYS_SENT_KINDS`).
    A number or address that cannot be used raises `addresses.AddressError`, whose message is fit
    to show next to the field.
    """
    return queue(channel=channel, to=to, template=template, personalisation=personalisation, language=language,
                 reference=reference, sensitive=sensitive)


# -- one piece of news, by the person's channels ------------------------------------------------------

def absolute_link(path: str) -> str:
    """An absolute link for a message: PUBLIC_BASE_URL (as production sets), else this request's host,
    else the development address."""
    from flask import current_app, has_request_context, request

    base = str(current_app.config.get("PUBLIC_BASE_URL") or "")
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://127.0.0.1:5000").rstrip("/") + path


def _proved(user_id: int | None, channel: str, address: str) -> bool:
    from webapp.messaging.sender import is_proved

    return is_proved(user_id, channel, address)


def _steps(order: list[str], routes: dict[str, Any]) -> list[dict[str, Any]]:
    """The Notify channels in `order` that have somewhere to go, as fallback steps."""
    return [{"channel": channel, "to": routes[channel], "quiet": True}
            for channel in order if channel in CHANNELS and routes.get(channel)]


def _queue_chain(steps: list[dict[str, Any]], *, kind: str, template: str, personalisation: dict[str, str],
                 language: str, discreet_link: str, name_service: bool, user_id: int | None,
                 subject_type: str | None, subject_id: str | int | None, due_at: datetime | None,
                 expires_at: datetime | None) -> Message | None:
    """Queue the first step that can be used, the rest kept as its fallbacks. Detailed words only when
    the person chose them and the address is proved; otherwise the discreet message."""
    from webapp.messaging.addresses import AddressError

    for index, step in enumerate(steps):
        detailed = name_service and _proved(user_id, step["channel"], str(step["to"]))
        chosen, given = (template, personalisation) if detailed else (templates.DISCREET, {"link": discreet_link})
        try:
            return queue(channel=step["channel"], to=step["to"], template=chosen, personalisation=given,
                         language=language, sensitive=detailed, user_id=user_id, fallbacks=steps[index + 1:],
                         subject_type=subject_type, subject_id=subject_id, quiet_hours=True, due_at=due_at,
                         expires_at=expires_at, kind=kind)
        except AddressError:
            continue
    return None


def tell(user_id: int, *, kind: str, template: str, personalisation: dict[str, str], push: dict[str, Any],
         subject_type: str | None = None, subject_id: str | int | None = None, due_at: datetime | None = None,
         expires_at: datetime | None = None) -> str | None:
    """Tell a person with an account something by their channels, in their order (the caller commits).

    `push` holds `notifications.service.schedule`'s arguments (title, body, params, url, topic) for
    the push reminder. A person who never chose channels gets push, as before. Push is used when it
    comes first in their order and one of their devices has reminders on; otherwise the first of
    text, email and letter they gave an address for, then the next if that one fails for good.
    Returns the channel used ("push", "sms", "email", "letter"), or None when there is no way.
    """
    from webapp.accounts.models import User
    from webapp.messaging.channels import preferences_of
    from webapp.notifications import service as notifications
    from webapp.notifications.preferences import wants

    prefs = preferences_of(user_id)
    order = list(prefs.order) if prefs is not None and prefs.order else ["push"]
    for position, channel in enumerate(order):
        if channel == "push":
            # Never chose: push as before (its sender records "no device"); chose: push if it can reach them.
            if prefs is None or notifications.reach(user_id, kind).devices:
                notifications.schedule(user_id=user_id, kind=kind, due_at=due_at or clock.now(),
                                       subject_type=subject_type, subject_id=subject_id, expires_at=expires_at,
                                       **push)
                return "push"
            continue
        if prefs is None or not wants(notifications.preferences_for(user_id), kind):
            return None
        routes = {"sms": prefs.phone, "email": prefs.email, "letter": prefs.address}
        user = db.session.get(User, user_id)
        row = _queue_chain(_steps(order[position:], routes), kind=kind, template=template,
                           personalisation=personalisation,
                           language=(user.locale if user else None) or "en", discreet_link=absolute_link("/"),
                           name_service=bool(prefs.name_service), user_id=user_id, subject_type=subject_type,
                           subject_id=subject_id, due_at=due_at, expires_at=expires_at)
        return row.channel if row is not None else None
    return None


def requester_steps(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The channels a requester without an account allowed for updates, in their order: only ways
    they said are safe, and only to themselves (a professional: their own work email; never the
    young person or family they asked about)."""
    from webapp.messaging import channels

    return channels.requester_steps(answers)


def tell_requester(req, *, template: str, personalisation: dict[str, str], subject_type: str | None = None,
                   subject_id: str | int | None = None, due_at: datetime | None = None,
                   expires_at: datetime | None = None, kind: str | None = None) -> Message | None:
    """Tell someone who asked for support without an account, by the ways they allowed (the caller
    commits). Always discreet: the text says "You have a new message" and links to /track. (A proof
    made without an account is not tied to one request, so it never unlocks detailed words here.)"""
    answers = req.answers or {}
    steps = requester_steps(answers)
    if not steps:
        return None
    return _queue_chain(steps, kind=kind or templates.template(template).kind or DEFAULT_KIND, template=template,
                        personalisation=personalisation,
                        language=getattr(req, "language", None) or "en", discreet_link=absolute_link("/track"),
                        name_service=False, user_id=None,
                        subject_type=subject_type, subject_id=subject_id, due_at=due_at, expires_at=expires_at)


def notify(*, user_id: int | None, request=None, kind: str, template: str, personalisation: dict[str, str],
           push: dict[str, Any], subject_type: str | None = None, subject_id: str | int | None = None,
           due_at: datetime | None = None, expires_at: datetime | None = None) -> str | None:
    """The one way to tell someone news: a person with an account by their channels (`tell`), else
    the requester of `request` by the ways they allowed (`tell_requester`). Returns the channel used.

    `kind` (notifications.models: APPOINTMENT_REMINDER, REQUEST_UPDATE, ...) is kept on each message
    queued, and the worker checks it again when it sends: a kind the person has since turned off is
    not sent (`sender.kind_still_wanted`)."""
    if user_id is not None:
        return tell(user_id, kind=kind, template=template, personalisation=personalisation, push=push,
                    subject_type=subject_type, subject_id=subject_id, due_at=due_at, expires_at=expires_at)
    if request is not None:
        row = tell_requester(request, template=template, personalisation=personalisation,
                             subject_type=subject_type, subject_id=subject_id, due_at=due_at, expires_at=expires_at,
                             kind=kind)
        return row.channel if row is not None else None
    return None


def users_with_channels(user_ids: list[int] | set[int]) -> set[int]:
    """Of these people, those who chose channels in settings (the rest get push, as before): for a job
    that queues many at once and tells only these one by one."""
    from sqlalchemy import select

    from webapp.messaging.models import ChannelPreferences

    if not user_ids:
        return set()
    return set(db.session.scalars(select(ChannelPreferences.user_id)
                                  .where(ChannelPreferences.user_id.in_(list(user_ids)))))


def push_arguments(scheduled: dict[str, Any]) -> dict[str, Any]:
    """The part of `notifications.service.schedule`'s arguments that says what a push says."""
    return {key: scheduled[key] for key in ("title", "body", "params", "url", "topic") if key in scheduled}
