"""The worker job that sends due notifications by Web Push (RFC 8030, 8291, 8292).

For each notification claimed with `webapp.outbox.claim_due` (so no two workers ever hold the
same one): drop it if it is past its use, or the person turned that kind off; wait if it is
inside their quiet hours; else encrypt it for each of their devices and POST it (see
`webpush_client.py`; what it says is `payload.py`).

A batch of up to BATCH rows is claimed and decided in one transaction; its messages are then
encrypted and sent `PUSH_CONCURRENCY` at a time on the client's threads over kept-alive
connections, with no database transaction open; the outcomes are written in short transactions
as the rows' messages are answered. A worker that dies mid-batch leaves its rows claimed: after
CLAIM_EXPIRES_AFTER another worker sends those again, and a repeat carries the same Topic (the
push service keeps only the newest) and tag (the phone shows one).

Push service answers: 201 sent; 404/410 the device is gone (its subscription is deleted); 429 and
5xx (and timeouts) try again later with exponential backoff, or after `Retry-After` if that is
longer; after MAX_ATTEMPTS tries it is marked failed, which admins see on /staff/notifications.
A notification that reached one device never goes to that device again (`delivered_to`).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime

import http_ece
import requests
from flask import Flask
from sqlalchemy import delete, select, update

from webapp import clock, jobs
from webapp.accounts.models import User
from webapp.extensions import db
from webapp.notifications import models, service
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification
from webapp.notifications.payload import DEFAULT_TTL, URGENCY, build_payload, topic_for, ttl_for
from webapp.notifications.preferences import quiet_until, wants
from webapp.notifications.webpush_client import PushClient, application_server_key, client_for
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

__all__ = ["DEFAULT_TTL", "application_server_key", "build_payload", "client_for", "send_due"]

log = logging.getLogger("flourish.notifications")

BATCH = 200  # claimed at once; sent `PUSH_CONCURRENCY` at a time
MAX_PER_PASS = 5000  # one worker pass stops after this many, so other jobs get their turn
MAX_ATTEMPTS = 8
BUDGET_CHECK_EVERY = 0.5  # seconds: how often a batch in flight checks the job's time budget
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
    """Worker job: send every due notification, a batch at a time. Returns how many were handled.

    The job's time budget (`webapp.jobs`) is checked before each claim and while a batch is in
    flight: out of time, messages not yet started go back to the outbox for the next pass.
    Claimed rows are this worker's alone (status "sending"), so they are not reloaded after each
    commit (`expire_on_commit` off for the pass, which halves the queries); each leaves the
    session once done, so nothing stale is ever used again.
    """
    client = client_for(app)
    handled = 0
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        while handled < MAX_PER_PASS and not jobs.over_budget():
            db.session.expire_all()  # claim_due's SELECT then loads every claimed row afresh
            rows = claim_due(ScheduledNotification, limit=BATCH)
            if not rows:
                db.session.commit()  # claim_due's release of stale claims, when it found nothing to claim
                break
            handled += len(rows) - _send_batch(rows, client)
    finally:
        session.expire_on_commit = expire_on_commit
    return handled


@dataclass(frozen=True)
class Push:
    """One message for one device, made in the main thread and sent by one of the client's threads."""

    row_id: int
    device: Device
    payload: bytes
    headers: dict[str, str]


def _send_batch(rows: list[ScheduledNotification], client: PushClient) -> int:
    """Decide every claimed row in one transaction (no push service called while it is open), send
    the messages concurrently on the client's threads, and record the outcomes of the rows whose
    messages have all been answered in one short transaction each time some are (so a slow device
    never holds back another row's outcome, and a worker that dies repeats as few as it can).
    Returns how many rows went back to the outbox untried because the pass ran out of time."""
    now = clock.now()
    context = _load_context(rows)
    pushes: list[Push] = []
    waiting: dict[int, ScheduledNotification] = {}
    for row in rows:
        if not keep_claim(row, now):
            continue  # the batch outlived its claim and another worker took it (it left the session)
        planned = _plan(row, context, now)
        if planned:
            pushes.extend(planned)
            waiting[row.id] = row
        else:
            _after_outcome(row, now)
    db.session.commit()  # what was decided, and before_send's writes, kept before any message goes
    for row in rows:
        if row.id not in waiting and row in db.session:
            db.session.expunge(row)
    if not pushes:
        return 0
    unanswered = Counter(push.row_id for push in pushes)
    answers: dict[int, list[tuple[Device, Outcome]]] = {row_id: [] for row_id in waiting}
    futures = {client.pool.submit(_send_one, client, push.device, push.payload, push.headers, now): push
               for push in pushes}
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, timeout=BUDGET_CHECK_EVERY, return_when=FIRST_COMPLETED)
        if jobs.over_budget():
            # Out of time for this pass: messages not yet started are not sent now, and their
            # rows go back to the outbox at once (no attempt counted) for the next pass.
            cancelled = {future for future in pending if future.cancel()}
            finished, pending = finished | cancelled, pending - cancelled
        ready = []
        for future in finished:
            push = futures[future]
            outcome = NOT_TRIED if future.cancelled() else future.result()
            answers[push.row_id].append((push.device, outcome))
            unanswered[push.row_id] -= 1
            if not unanswered[push.row_id]:
                ready.append(waiting.pop(push.row_id))
        if ready:
            _record(ready, answers, now)
    return sum(1 for outcomes in answers.values() if any(outcome is NOT_TRIED for _device, outcome in outcomes))


def _plan(row: ScheduledNotification, context: Context, now: datetime) -> list[Push]:
    """The messages to send for one claimed row; none when it is settled here (expired, not
    wanted, quiet hours, no device, cancelled by its package), its state then set on the row."""
    prefs = context.choices[row.user_id]
    if row.expires_at is not None and row.expires_at <= now:
        _finish(row, models.EXPIRED)
        return []
    if not wants(prefs, row.kind):
        _finish(row, models.NOT_WANTED)
        return []
    quiet_end = None if row.kind == models.TEST else quiet_until(prefs, now)
    if quiet_end is not None:
        row.status, row.claimed_by, row.next_attempt_at = PENDING, None, quiet_end
        log.info("notification id=%s waits for quiet hours to end", row.id)
        return []
    delivered = set(row.delivered_to or [])
    devices = [d for d in context.devices[row.user_id] if d.id not in delivered]
    if not devices:
        if delivered:
            mark_sent(row, now)
        else:
            _finish(row, models.NO_DEVICE)
        return []
    hooks = service.hooks_for_subject(row.subject_type)
    if hooks is not None and hooks.before_send is not None and not hooks.before_send(row, now):
        _finish(row, models.CANCELLED)
        return []
    payload = json.dumps(build_payload(row, prefs, context.locales.get(row.user_id)), ensure_ascii=False).encode()
    headers = {"TTL": str(ttl_for(row, now)), "Urgency": URGENCY.get(row.kind, "normal"), "Topic": topic_for(row)}
    return [Push(row.id, device, payload, headers) for device in devices]


def _after_outcome(row: ScheduledNotification, now: datetime) -> None:
    """The package the notification is about hears of its final state in the same transaction
    (`service.SubjectHooks`): a place offer nobody could be told passes to the next person."""
    hooks = service.hooks_for_subject(row.subject_type)
    if hooks is not None and hooks.after_outcome is not None and row.status not in (PENDING, SENDING):
        hooks.after_outcome(row, now)


def _record(rows: list[ScheduledNotification], answers: dict[int, list[tuple[Device, Outcome]]],
            now: datetime) -> None:
    """Keep the outcomes of rows whose messages have all been answered, in one transaction.

    Only rows still claimed by this worker are written (locked while they are, on PostgreSQL):
    a row whose claim lapsed belongs to whoever took it since."""
    ids = [row.id for row in rows]
    ours = set(db.session.scalars(
        select(ScheduledNotification.id)
        .where(ScheduledNotification.id.in_(ids), ScheduledNotification.status == SENDING,
               ScheduledNotification.claimed_by == worker_name())
        .with_for_update()))
    reached: list[int] = []
    gone: list[int] = []
    for row in rows:
        if row.id not in ours:
            db.session.expunge(row)
            continue
        for device, outcome in answers[row.id]:
            if outcome.sent:
                reached.append(device.id)
            elif outcome.gone:
                gone.append(device.id)
        _settle(row, answers[row.id], now)
        _after_outcome(row, now)
    if reached:
        db.session.execute(update(PushSubscription).where(PushSubscription.id.in_(reached))
                           .values(last_success_at=now))
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    db.session.commit()
    for row in rows:
        if row in db.session:
            db.session.expunge(row)  # never reused stale: a later claim loads it afresh


def _settle(row: ScheduledNotification, answers: list[tuple[Device, Outcome]], now: datetime) -> None:
    """A row's state from its devices' answers: sent if any device has it (a device that got it
    never gets it again: `delivered_to`), else retried, failed or left with no device. A row with
    a message the pass ran out of time for is due again at once, with no attempt counted."""
    delivered = set(row.delivered_to or [])
    if any(outcome is NOT_TRIED for _device, outcome in answers):
        row.delivered_to = sorted(delivered | {device.id for device, outcome in answers if outcome.sent})
        row.status, row.claimed_by, row.next_attempt_at = PENDING, None, now
        return None
    retry_after: timedelta | None = None
    errors: list[str] = []
    for device, outcome in answers:
        if outcome.sent:
            delivered.add(device.id)
        elif not outcome.gone:
            errors.append(outcome.error)
            if outcome.retry_after is not None:
                retry_after = max(retry_after or outcome.retry_after, outcome.retry_after)
    if delivered != set(row.delivered_to or []):
        row.delivered_to = sorted(delivered)
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


def _finish(row: ScheduledNotification, status: str, error: str | None = None) -> None:
    row.status, row.claimed_by, row.last_error = status, None, error
    log.info("notification id=%s status=%s", row.id, status)


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** (attempts or 0)), LONGEST_RETRY)


@dataclass
class Outcome:
    sent: bool = False
    gone: bool = False
    retry_after: timedelta | None = None  # set: try again after at least this long
    error: str = ""


NOT_TRIED = Outcome(error="not tried: the pass ran out of time")

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
    """Encrypt and POST one message (on one of the client's threads: no database here). An error
    nobody foresaw fails this device's send only, never the whole batch."""
    try:
        return _encrypt_and_post(client, device, payload, headers, now)
    except Exception as error:  # noqa: BLE001 - one device's surprise must not roll back the batch
        log.error("push send error device=%s type=%s", device.id, type(error).__name__)
        return Outcome(error=f"unexpected error ({type(error).__name__})")


def _encrypt_and_post(client: PushClient, device: Device, payload: bytes, headers: dict[str, str],
                      now: datetime) -> Outcome:
    try:
        body = client.encrypt(payload, device)
    except (ValueError, http_ece.ECEException) as error:
        log.info("push not encrypted device=%s type=%s", device.id, type(error).__name__)
        return Outcome(error="the device's keys cannot be used")
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
