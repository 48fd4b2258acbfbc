"""The worker job that sends due notifications by Web Push (RFC 8030, 8291, 8292).

For each notification claimed with `webapp.outbox.claim_due` (so no two workers ever hold the
same one): drop it if it is past its use, or the person turned that kind off; wait if it is
inside their quiet hours; else encrypt it for each of their devices and POST it (see
`webpush_client.py`; what it says is `payload.py`).

Push service answers: 201 sent; 404/410 the device is gone (its subscription is deleted); 429 and
5xx (and timeouts) try again later with exponential backoff, or after `Retry-After` if that is
longer; after MAX_ATTEMPTS tries it is marked failed, which admins see on /staff/notifications.
A notification that reached one device never goes to that device again (`delivered_to`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime

import requests
from flask import Flask
from sqlalchemy import delete, select, update

from webapp import clock
from webapp.accounts.models import User
from webapp.extensions import db
from webapp.notifications import models, service
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification
from webapp.notifications.payload import DEFAULT_TTL, URGENCY, build_payload, topic_for, ttl_for
from webapp.notifications.preferences import quiet_until, wants
from webapp.notifications.webpush_client import PushClient, application_server_key, client_for
from webapp.outbox import PENDING, SENDING, claim_due, keep_claim, mark_failed, mark_sent, retry_later

__all__ = ["DEFAULT_TTL", "application_server_key", "build_payload", "client_for", "send_due"]

log = logging.getLogger("flourish.notifications")

BATCH = 50
MAX_PER_PASS = 5000  # one worker pass stops after this many, so other jobs get their turn
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
LONGEST_RETRY_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Choices:
    """A person's preferences as plain values (the defaults when they never opened the page)."""

    appointment_reminders: bool = True
    goal_checkins: bool = True
    request_updates: bool = True
    discreet: bool = True
    quiet_hours: bool = True
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)


@dataclass(frozen=True)
class Device:
    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass
class Context:
    """What a batch needs about its people, read once as plain values (no N+1, nothing to
    reload after each commit)."""

    locales: dict[int, str | None]
    choices: dict[int, Choices]
    devices: dict[int, list[Device]]


def _load_context(rows: list[ScheduledNotification]) -> Context:
    user_ids = {row.user_id for row in rows}
    locales = dict(db.session.execute(select(User.id, User.locale).where(User.id.in_(user_ids))).all())
    choices = {user_id: Choices() for user_id in user_ids}
    names = list(Choices.__dataclass_fields__)
    columns = [getattr(NotificationPreferences, name) for name in names]
    for user_id, *values in db.session.execute(select(NotificationPreferences.user_id, *columns)
                                               .where(NotificationPreferences.user_id.in_(user_ids))):
        choices[user_id] = Choices(**dict(zip(names, values, strict=True)))
    devices: dict[int, list[Device]] = {user_id: [] for user_id in user_ids}
    query = (select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
                    PushSubscription.p256dh, PushSubscription.auth)
             .where(PushSubscription.user_id.in_(user_ids)).order_by(PushSubscription.id))
    for device_id, user_id, endpoint, p256dh, auth in db.session.execute(query):
        devices[user_id].append(Device(device_id, endpoint, p256dh, auth))
    return Context(locales, choices, devices)


def send_due(app: Flask | None = None) -> int:
    """Worker job: send every due notification. Returns how many were handled.

    Each notification's outcome is committed on its own, so a worker that dies loses at most the
    one it was sending. Claimed rows are this worker's alone (status "sending"), so they are not
    reloaded after each commit (`expire_on_commit` off for the pass, which halves the queries);
    each leaves the session once done, so nothing stale is ever used again.
    """
    client = client_for(app)
    handled = 0
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        while handled < MAX_PER_PASS:
            db.session.expire_all()  # claim_due's SELECT then loads every claimed row afresh
            rows = claim_due(ScheduledNotification, limit=BATCH)
            if not rows:
                db.session.commit()  # claim_due's release of stale claims, when it found nothing to claim
                break
            context = _load_context(rows)
            for row in rows:
                if not keep_claim(row):
                    continue  # a slow batch outlived its claim, another worker took it (and it left the session)
                deliver(row, context, client)
                db.session.commit()
                db.session.expunge(row)  # never reused stale: a later claim loads it afresh
            handled += len(rows)
    finally:
        session.expire_on_commit = expire_on_commit
    return handled


def _finish(row: ScheduledNotification, status: str, error: str | None = None) -> None:
    row.status, row.claimed_by, row.last_error = status, None, error
    log.info("notification id=%s status=%s", row.id, status)


def deliver(row: ScheduledNotification, context: Context, client: PushClient) -> None:
    """Decide what to do with one claimed notification and do it (the caller commits).

    The package the notification is about hears of its final state in the same transaction
    (`service.SubjectHooks`): a place offer nobody could be told passes to the next person."""
    now = clock.now()
    _deliver(row, context, client, now)
    hooks = service.hooks_for_subject(row.subject_type)
    if hooks is not None and hooks.after_outcome is not None and row.status not in (PENDING, SENDING):
        hooks.after_outcome(row, now)


def _deliver(row: ScheduledNotification, context: Context, client: PushClient, now: datetime) -> None:
    prefs = context.choices[row.user_id]
    if row.expires_at is not None and row.expires_at <= now:
        return _finish(row, models.EXPIRED)
    if not wants(prefs, row.kind):
        return _finish(row, models.NOT_WANTED)
    quiet_end = None if row.kind == models.TEST else quiet_until(prefs, now)
    if quiet_end is not None:
        row.status, row.claimed_by, row.next_attempt_at = PENDING, None, quiet_end
        log.info("notification id=%s waits for quiet hours to end", row.id)
        return None
    delivered = set(row.delivered_to or [])
    devices = [d for d in context.devices[row.user_id] if d.id not in delivered]
    if not devices:
        if delivered:
            return mark_sent(row, now)
        return _finish(row, models.NO_DEVICE)
    hooks = service.hooks_for_subject(row.subject_type)
    if hooks is not None and hooks.before_send is not None:
        if not hooks.before_send(row, now):
            return _finish(row, models.CANCELLED)
        db.session.commit()  # e.g. an offer's hold, kept before the push service is called
    payload = json.dumps(build_payload(row, prefs, context.locales.get(row.user_id)), ensure_ascii=False).encode()
    headers = {"TTL": str(ttl_for(row, now)), "Urgency": URGENCY.get(row.kind, "normal"), "Topic": topic_for(row)}
    retry_after: timedelta | None = None
    errors: list[str] = []
    for number, device in enumerate(devices, start=1):
        outcome = _send_one(client, device, payload, headers, now)
        if outcome.sent:
            db.session.execute(update(PushSubscription).where(PushSubscription.id == device.id)
                               .values(last_success_at=now))
            delivered.add(device.id)
            row.delivered_to = sorted(delivered)
        elif outcome.gone:
            context.devices[row.user_id] = [d for d in context.devices[row.user_id] if d.id != device.id]
            db.session.execute(delete(PushSubscription).where(PushSubscription.id == device.id))
        else:
            errors.append(outcome.error)
            if outcome.retry_after is not None:
                retry_after = max(retry_after or outcome.retry_after, outcome.retry_after)
        if number < len(devices):
            # Kept before the next device is tried: a retry never sends it here again, and no
            # write transaction stays open (locking SQLite) while the next push service answers.
            # After the last device the caller's one commit keeps the outcome.
            db.session.commit()
    if retry_after is not None:
        return retry_later(row, "; ".join(errors), max(_backoff(row.attempts), retry_after), MAX_ATTEMPTS)
    if delivered:
        mark_sent(row, now)
        row.last_error = "; ".join(errors)[:200] or None  # reached them, though a device refused it
        return None
    if errors:
        log.info("notification id=%s failed", row.id)
        return mark_failed(row, "; ".join(errors))
    return _finish(row, models.NO_DEVICE, "every device has gone")


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** (attempts or 0)), LONGEST_RETRY)


@dataclass
class Outcome:
    sent: bool = False
    gone: bool = False
    retry_after: timedelta | None = None  # set: try again after at least this long
    error: str = ""


def _retry_after(response: requests.Response, now: datetime) -> timedelta:
    value = (response.headers.get("Retry-After") or "").strip()
    delay = timedelta(0)
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    elif value:
        try:
            delay = parsedate_to_datetime(value) - now
        except (TypeError, ValueError, OverflowError):
            delay = timedelta(0)
    return max(timedelta(0), min(delay, LONGEST_RETRY_AFTER))


def _send_one(client: PushClient, device: Device, payload: bytes, headers: dict[str, str],
              now: datetime) -> Outcome:
    body = client.encrypt(payload, device)
    try:
        response = client.post(device, body, headers, now)
    except requests.RequestException as error:
        log.info("push failed device=%s type=%s", device.id, type(error).__name__)
        return Outcome(retry_after=timedelta(0), error=f"could not reach the push service ({type(error).__name__})")
    status = response.status_code
    response.close()
    if status in (200, 201, 202):
        return Outcome(sent=True)
    log.info("push answered device=%s status=%s", device.id, status)
    if status in (404, 410):
        return Outcome(gone=True)
    if status == 429 or status >= 500:
        return Outcome(retry_after=_retry_after(response, now), error=f"push service answered {status}")
    if status in (401, 403):
        client.forget_token(device.endpoint)  # a fresh token on the next try
        return Outcome(retry_after=timedelta(0), error=f"push service refused our key ({status})")
    return Outcome(error=f"push service refused the message ({status})")
