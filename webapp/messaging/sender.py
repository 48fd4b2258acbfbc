"""The worker job that sends due texts, emails and letters through Notify, exactly once each.

Each message is claimed with `webapp.outbox.claim_due` (so no two workers hold it), then sent with
the official `notifications-python-client`: its words rendered in the person's language and given
to Notify as personalisation, with a reference of ours. Notify's answers:

- 201: sent; its id is kept, and the delivery receipt (`receipts.py`) says how it went.
- 400: Notify refused the message (a number it cannot text): failed for good, staff see Notify's
  error, and the next channel in the person's order is tried.
- 403: Notify refused our key: nothing is failed (every message would fail the same way); the pass
  stops, the batch waits KEY_REFUSED_RETRY, an error is logged and system health shows them overdue.
- 429: over Notify's rate limit: tried again after a backoff, and this pass stops sending.
- 5xx, timeouts, no answer: tried again with exponential backoff, and this pass stops (the rest of
  the batch waits a short while). Before trying again, Notify is asked whether it has a message
  with our reference already (it may have taken one whose answer was lost), so nothing is sent
  twice. The attempt is counted and committed just before each send, so a worker that dies
  mid-send leaves a row that asks Notify first when it is claimed again.

Before it is sent, a message for a person with an account is checked against their choices as they
are now, not as they were when it was queued: a kind of message they have turned off since (booking
reminders, updates on a request) is not sent (`not_wanted`, shown to staff as "Turned off by the person"; turning the
kind on again does not bring it back), kinds that always go (`models.ALWAYS_SENT_KINDS`: codes,
sign-up and reset links) excepted; then their channels, addresses and discretion (`channels_still_allow`).

No HTTP call is made while a database transaction is open (a slow Notify never holds locks).
Once a message reaches a final state its personalisation (codes, links) is emptied; the stand-in
keeps its own copy for /dev/messages.

Notify allows 3,000 messages a minute per service: a pass sends no more than what is left of that
in the last 60 seconds (counted across every worker from `sent_at`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import func, select, update

from webapp import clock
from webapp.extensions import db
from webapp.messaging import addresses, templates
from webapp.messaging.models import (
    ALWAYS_SENT_KINDS,
    CANCELLED,
    EMAIL,
    EXPIRED,
    LETTER,
    NOT_WANTED,
    SMS,
    UNPROVED,
    Message,
)
from webapp.outbox import (
    PENDING,
    SENDING,
    claim_due,
    keep_claim,
    mark_failed,
    mark_sent,
    retry_later,
    worker_name,
)

log = logging.getLogger("flourish.messaging")

BATCH = 50
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
RATE_LIMITED_RETRY = timedelta(minutes=1)
KEY_REFUSED_RETRY = timedelta(minutes=15)
KEY_REFUSED = "Notify refused our API key (403)"
TIMEOUT_SECONDS = 10


def client_for(app: Flask | None = None) -> NotificationsAPIClient | None:
    """A Notify client from NOTIFY_API_KEY and NOTIFY_BASE_URL; None when they are not set (messages
    then wait in the outbox, and the admin's system health shows them waiting)."""
    config = (app or current_app).config
    key, base = config.get("NOTIFY_API_KEY"), config.get("NOTIFY_BASE_URL")
    if not key or not base:
        return None
    return NotificationsAPIClient(key, base_url=base, timeout=TIMEOUT_SECONDS)


def sent_in_last_minute(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.sent_at > now - timedelta(minutes=1))) or 0


class StopPass(Exception):  # noqa: N818 - a signal, not an error
    """Stop this pass: the rest of the batch is put back for `delay` (429, 5xx, 403)."""

    def __init__(self, delay: timedelta, error: str | None = None) -> None:
        super().__init__(error or "stop")
        self.delay, self.error = delay, error


class RateLimited(StopPass):
    """Notify answered 429: stop this pass."""

    def __init__(self) -> None:
        super().__init__(RATE_LIMITED_RETRY)


def send_due() -> int:
    """Worker job: send every due message (within Notify's rate limit). Returns how many were handled."""
    from webapp import jobs

    client = client_for()
    if client is None:
        return 0
    limit = int(current_app.config.get("NOTIFY_RATE_PER_MINUTE") or 3000)
    handled = 0
    while not jobs.over_budget():
        room = limit - sent_in_last_minute(clock.now())
        if room <= 0:
            log.info("messages wait for Notify's rate limit")
            break
        db.session.expire_all()
        rows = claim_due(Message, limit=min(BATCH, room))
        if not rows:
            db.session.commit()
            break
        stopped, handled_now = _send_batch(rows, client)
        handled += handled_now
        if stopped:
            break
    return handled


def _send_batch(rows: list[Message], client: NotificationsAPIClient) -> tuple[bool, int]:
    """Send one claimed batch; (whether the pass must stop, how many were handled)."""
    from webapp import jobs

    handled = 0
    ids = [row.id for row in rows]
    for index, row in enumerate(rows):
        if jobs.over_budget():
            _release(ids[index:], timedelta(0))  # not tried: no attempt counted
            return True, handled
        if not keep_claim(row):
            continue
        try:
            deliver(row, client)
        except StopPass as stop:
            db.session.commit()
            _release(ids[index + 1:], stop.delay, stop.error)
            return True, handled
        db.session.commit()
        handled += 1
    return False, handled


def _release(ids: list[int], delay: timedelta, error: str | None = None) -> None:
    """Give back what this worker claimed but will not send this pass (no attempt counted). Works on
    ids, never on the rows (some may be detached, after another worker took over their claim)."""
    if not ids:
        return
    values: dict[str, Any] = {"status": PENDING, "claimed_by": None, "next_attempt_at": clock.now() + delay}
    if error:
        values["last_error"] = error[:200]
    db.session.execute(update(Message).where(Message.id.in_(ids), Message.status == SENDING,
                                             Message.claimed_by == worker_name())
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(0, (attempts or 0) - 1)), LONGEST_RETRY)


def _quiet_until(row: Message, now: datetime) -> datetime | None:
    """The end of the person's quiet hours if they are in them (a requester without an account has
    the default 21:00 to 08:00). Letters and codes the person just asked for are never held."""
    if not row.quiet_hours or row.channel == LETTER:
        return None
    from webapp.notifications.models import DEFAULT_QUIET_END, DEFAULT_QUIET_START, NotificationPreferences
    from webapp.notifications.preferences import quiet_until

    prefs = db.session.get(NotificationPreferences, row.user_id) if row.user_id is not None else None
    if prefs is None:
        prefs = NotificationPreferences(quiet_hours=True, quiet_start=DEFAULT_QUIET_START, quiet_end=DEFAULT_QUIET_END)
    return quiet_until(prefs, now)


def is_proved(user_id: int | None, channel: str, address: str) -> bool:
    """Whether the address is proved to be the person's (N2's accounts.verification); until that
    exists nothing counts as proved, so sensitive words never go to an unproved address."""
    try:
        from webapp.accounts.verification import is_proved as proved
    except ImportError:
        return False
    return bool(proved(user_id, channel, address))


def deliver(row: Message, client: NotificationsAPIClient) -> None:
    """Decide what to do with one claimed message and do it (the caller commits)."""
    from webapp.messaging import fallback

    now = clock.now()
    # First whether Notify already has it (a receipt came first, or a worker died after the send): a
    # message that went is recorded as sent, never as expired or turned off.
    if row.notify_id:
        _mark_sent(row, now)
        return
    if row.attempts and _already_at_notify(row, client):
        return
    if row.expires_at is not None and row.expires_at <= now:
        row.status, row.claimed_by = EXPIRED, None
        forget_secrets(row)
        return
    if row.user_id is not None and not kind_still_wanted(row):
        return
    if row.user_id is not None and not channels_still_allow(row):
        return
    quiet_end = _quiet_until(row, now)
    if quiet_end is not None:
        row.status, row.claimed_by, row.next_attempt_at = PENDING, None, quiet_end
        return
    if row.sensitive and row.channel != LETTER and not is_proved(row.user_id, row.channel, row.recipient or ""):
        mark_failed(row, "address not proved to be the person's")
        row.status = UNPROVED
        fallback.next_channel(row)
        forget_secrets(row)
        return
    _send_counted(row, client, now)


def _send_counted(row: Message, client: NotificationsAPIClient, now: datetime) -> None:
    """Count the attempt and commit it, then send with no transaction open. A worker that dies
    after this commit leaves `attempts` non-zero, so whoever claims the row next asks Notify first."""
    if row.outcome is not None:
        # Sent again after a temporary failure: that receipt's outcome is the last send's, cleared (and
        # kept) before this send, so this send's receipt, however quick, is never taken for a repeat.
        row.outcome, row.outcome_at = None, None
    before = row.attempts or 0
    row.attempts = before + 1
    request = _prepare(row)
    db.session.commit()
    try:
        answer = _post(client, request)
    except APIError as error:
        row.attempts = before  # the outcome below counts this attempt once
        _refused(row, error, client)
        return
    row.attempts = before
    row.notify_id = str(answer.get("id") or "")[:36] or None
    _mark_sent(row, now)
    log.info("message id=%s channel=%s sent", row.id, row.channel)


def _mark_sent(row: Message, now: datetime | None = None) -> None:
    mark_sent(row, now)
    if row.template in templates.SECRET_TEMPLATES and not row.fallbacks:
        forget_secrets(row)  # never sent again (receipts.py), nothing follows it: its code is not needed


def kind_still_wanted(row: Message) -> bool:
    """For a person with an account, whether they still want this kind of message (their switches in
    /settings/notifications as they are now). One turned off since it was queued is not sent, on this
    channel or any after it: NOT_WANTED (its state says why on /staff/messages), never deleted.
    Kinds that always go (ALWAYS_SENT_KINDS) are not subject to those switches."""
    from webapp.notifications.models import NotificationPreferences
    from webapp.notifications.preferences import wants

    if row.kind in ALWAYS_SENT_KINDS:
        return True
    prefs = db.session.get(NotificationPreferences, row.user_id)
    if prefs is None or wants(prefs, row.kind):
        return True  # never chose (everything on), or still on
    row.status, row.claimed_by = NOT_WANTED, None
    forget_secrets(row)
    log.info("message id=%s kind=%s not sent: turned off by the person", row.id, row.kind)
    return False


def channels_still_allow(row: Message) -> bool:
    """For a person with an account, their channels as they are now, not as they were when this was
    queued: a channel taken out of their order or an address changed since cancels this message (the
    next step that still fits is queued); "say who it is from" turned off makes it discreet."""
    from webapp.messaging import fallback
    from webapp.messaging.channels import preferences_of, still_wanted

    prefs = preferences_of(row.user_id)
    if prefs is None:
        return True  # never chose channels (e.g. an account's own codes): as queued
    to = row.address if row.channel == LETTER else row.recipient
    if not still_wanted(prefs, row.channel, to):
        row.status, row.claimed_by, row.last_error = CANCELLED, None, "the person's channels changed"
        fallback.next_channel(row)
        forget_secrets(row)
        return False
    if not prefs.name_service and row.template != templates.DISCREET:
        fallback.make_discreet(row)
    return True


def forget_secrets(row: Message) -> None:
    """A message in a final state keeps no codes or links (the words stay at Notify, and in the
    stand-in's own copy in development)."""
    row.personalisation = {}


def _lookup(row: Message, client: NotificationsAPIClient) -> bool | None:
    """Whether Notify has a message with our reference (None: it could not tell), asked with no
    transaction open. When found: Notify's id kept, the row marked sent, and what Notify says became
    of it applied as its receipt would be (a failure whose receipt was lost while this row was still
    being sent still goes on to the next channel)."""
    from webapp.messaging import receipts

    reference = row.notify_reference
    db.session.commit()
    try:
        found = client.get_all_notifications(reference=reference).get("notifications") or []
    except APIError:
        return None
    if not found:
        return False
    row.notify_id = str(found[0].get("id"))[:36]
    _mark_sent(row)
    status = found[0].get("status")
    if status in receipts.MEANING:
        receipts.record_outcome(row, status)
    log.info("message id=%s was already at Notify (status %s)", row.id, status if status in receipts.MEANING else "-")
    return True


def _already_at_notify(row: Message, client: NotificationsAPIClient) -> bool:
    """After an answer that never came (a timeout, a 5xx, a worker that died mid-send), ask Notify
    for our reference first."""
    return bool(_lookup(row, client))  # cannot tell: Notify is still down, the send fails the same way


def personalisation_for(row: Message) -> dict[str, Any]:
    rendered = templates.render(row.template, row.channel, row.language, row.personalisation or {})
    given: dict[str, Any] = {"body": rendered.body}
    if row.channel != SMS:
        given["subject"] = rendered.subject
    if row.channel == LETTER:
        given.update(addresses.letter_lines(row.address or {}))
    return given


def _prepare(row: Message) -> dict[str, Any]:
    """Everything the send needs, read from the row before the transaction is closed."""
    return {"channel": row.channel, "to": row.recipient, "reference": row.notify_reference,
            "template_id": templates.notify_template_id(row.template, row.language, row.channel),
            "personalisation": personalisation_for(row)}


def _post(client: NotificationsAPIClient, request: dict[str, Any]) -> dict[str, Any]:
    common = {"template_id": request["template_id"], "personalisation": request["personalisation"],
              "reference": request["reference"]}
    if request["channel"] == SMS:
        return client.send_sms_notification(phone_number=request["to"], **common)
    if request["channel"] == EMAIL:
        return client.send_email_notification(email_address=request["to"], **common)
    return client.send_letter_notification(**common)


def _notify_message(error: APIError) -> str:
    message = error.message
    if isinstance(message, list):
        message = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item)
                            for item in message)
    return str(message)[:150]


def _refused(row: Message, error: APIError, client: NotificationsAPIClient) -> None:
    from webapp.messaging import fallback

    status = error.status_code
    said = _notify_message(error)
    log.info("message id=%s channel=%s notify answered %s", row.id, row.channel, status)
    if status == 429:
        retry_later(row, f"Notify rate limit (429): {said}", max(_backoff(row.attempts + 1), RATE_LIMITED_RETRY))
        raise RateLimited
    if status == 403:
        # Our key, not this message: every message would be refused the same way. Nothing is failed.
        log.error("Notify refused our API key (403): messages wait %s; check NOTIFY_API_KEY", KEY_REFUSED_RETRY)
        row.status, row.claimed_by, row.last_error = PENDING, None, f"{KEY_REFUSED}: {said}"[:200]
        row.next_attempt_at = clock.now() + KEY_REFUSED_RETRY
        raise StopPass(KEY_REFUSED_RETRY, row.last_error)
    if status >= 500 or status == 408:
        _unavailable(row, client, f"Notify unavailable ({status}): {said}")
        raise StopPass(FIRST_RETRY)
    mark_failed(row, f"Notify refused the message ({status}): {said}")
    fallback.next_channel(row)
    forget_secrets(row)


def _unavailable(row: Message, client: NotificationsAPIClient, error: str) -> None:
    """A 5xx or a timeout: try again later; after the last try, fall back only once Notify says it
    never took any of the earlier attempts (if it cannot say, the row waits and asks again)."""
    from webapp.messaging import fallback

    if (row.attempts or 0) + 1 < MAX_ATTEMPTS:
        retry_later(row, error, _backoff(row.attempts + 1))
        return
    found = _lookup(row, client)
    if found:
        return
    if found is None:
        retry_later(row, f"{error}; Notify could not say whether it has it", LONGEST_RETRY)
        return
    mark_failed(row, error)
    fallback.next_channel(row)
    forget_secrets(row)


def cancel(subject_type: str, subject_id: str | int) -> int:
    """Cancel what is still waiting to be sent about something (e.g. a cancelled booking)."""
    result = db.session.execute(
        update(Message).where(Message.subject_type == subject_type, Message.subject_id == str(subject_id),
                              Message.status == PENDING)
        .values(status=CANCELLED, personalisation={}).execution_options(synchronize_session=False))
    return result.rowcount or 0
