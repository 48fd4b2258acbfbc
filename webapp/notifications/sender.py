"""The worker job that sends due notifications by Web Push (RFC 8030, 8291, 8292).

For each notification claimed with `webapp.outbox.claim_due` (so no two workers ever hold the
same one): drop it if it is past its use, or the person turned that kind off; wait if it is
inside their quiet hours; else encrypt it for each of their devices and POST it (see
`webpush_client.py`; what it says is `payload.py`).

A batch of up to BATCH rows is claimed in one statement and decided in one transaction; its
messages are then encrypted and sent `PUSH_CONCURRENCY` at a time on the client's threads over
kept-alive connections, with no database transaction waiting on any of them. The next batch is
claimed while the last messages of this one are still out, so the connections never stand idle.
The outcomes of the rows whose messages have all been answered are written together, one
statement and one commit for all of them, within about RECORD_EVERY of their answers (a slow
device holds back no other row's outcome for longer). A worker that dies mid-batch leaves its
rows claimed: after CLAIM_EXPIRES_AFTER another worker sends those again, and a repeat carries
the same Topic (the push service keeps only the newest) and tag (the phone shows one).

Push service answers: 201 sent; 404/410 the device is gone (its subscription is deleted); 429 and
5xx (and timeouts) try again later with exponential backoff, or after `Retry-After` if that is
longer; after MAX_ATTEMPTS tries it is marked failed, which admins see on /staff/notifications.
A notification that reached one device never goes to that device again (`delivered_to`).
"""

from __future__ import annotations

import json
import logging
import time as timer
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime
from queue import Empty, SimpleQueue

import http_ece
from flask import Flask
from sqlalchemy import delete, select, update

from webapp import clock, jobs
from webapp.accounts.models import User
from webapp.database import one_of
from webapp.extensions import db
from webapp.notifications import models, service
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification
from webapp.notifications.payload import DEFAULT_TTL, URGENCY, build_payload, discreet_text_in_every_language, ttl_for
from webapp.notifications.preferences import quiet_until, wants
from webapp.notifications.webpush_client import PushAnswer, PushClient, SendError, application_server_key, client_for
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
RECORD_EVERY = 0.25  # seconds: answered rows' outcomes wait at most this long to be written together
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
    discreet_texts: dict[str, str]  # language -> the discreet text (payload.discreet_text_in_every_language)


def _load_context(rows: list[ScheduledNotification]) -> Context:
    """Each person's language, preferences and devices, in one query."""
    user_ids = sorted({row.user_id for row in rows})
    locales: dict[int, str | None] = dict.fromkeys(user_ids)
    choices = {user_id: Choices() for user_id in user_ids}
    devices: dict[int, list[Device]] = {user_id: [] for user_id in user_ids}
    names = list(Choices.__dataclass_fields__)
    query = (select(User.id, User.locale, NotificationPreferences.user_id,
                    *[getattr(NotificationPreferences, name) for name in names], PushSubscription.id,
                    PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth)
             .select_from(User)
             .outerjoin(NotificationPreferences, NotificationPreferences.user_id == User.id)
             .outerjoin(PushSubscription, PushSubscription.user_id == User.id)
             .where(one_of(User.id, user_ids)).order_by(User.id, PushSubscription.id))
    for user_id, locale, has_preferences, *values in db.session.execute(query):
        *chosen, device_id, endpoint, p256dh, auth = values
        locales[user_id] = locale
        if has_preferences is not None:
            choices[user_id] = Choices(**dict(zip(names, chosen, strict=True)))
        if device_id is not None:
            devices[user_id].append(Device(device_id, endpoint, p256dh, auth))
    return Context(locales, choices, devices, discreet_text_in_every_language())


def send_due(app: Flask | None = None) -> int:
    """Worker job: send every due notification, a batch at a time. Returns how many were handled.

    The job's time budget (`webapp.jobs`) is checked before each claim and while messages are in
    flight: out of time, messages not yet started go back to the outbox for the next pass.
    Claimed rows are this worker's alone (status "sending"), so they are not reloaded after each
    commit (`expire_on_commit` off for the pass); each leaves the session once its messages are
    planned, and its outcome is written from plain values, so nothing stale is ever used again.
    """
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _Pass(client_for(app)).run()
    finally:
        session.expire_on_commit = expire_on_commit


@dataclass(frozen=True)
class Push:
    """One message for one device, made in the main thread and sent by one of the client's threads."""

    row_id: int
    device: Device
    payload: bytes
    headers: dict[str, str]


@dataclass(slots=True)
class OutboxState:
    """A claimed row's outbox columns as plain values, once its messages are out (the row itself
    has left the session). `outbox.mark_sent` and the other outbox helpers set them here as they
    would on the row, and `_record` writes those of many rows in one statement."""

    id: int
    subject_type: str | None
    status: str
    attempts: int
    claimed_by: str | None
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    delivered_to: list

    @classmethod
    def of(cls, row: ScheduledNotification) -> OutboxState:
        state = cls(**{column.name: getattr(row, column.name) for column in fields(cls)})
        state.attempts, state.delivered_to = state.attempts or 0, list(state.delivered_to or [])
        return state

    def values(self) -> dict:
        """What `_record` writes: every field but `subject_type` (which package hears of it). The
        class has slots, so an outbox helper that starts setting a column not listed here fails
        loudly rather than leaving it unwritten."""
        return {name: value for name, value in asdict(self).items() if name != "subject_type"}


@dataclass
class Sending:
    """A row whose messages are out, with its devices' answers as they come."""

    state: OutboxState
    unanswered: int
    answers: list[tuple[Device, Outcome]] = field(default_factory=list)


class _Pass:
    """One pass of the job: claims batches, sends their messages on the client's threads, and
    writes the outcomes back together.

    A batch is claimed when no more than two rounds of messages (2 x `concurrency`) are still
    waiting to be answered, so the threads have the next batch's messages before they run out.
    Each message's future tells `done` when it is answered (or cancelled), so the main thread
    sleeps until there is something to do and takes everything that is ready at once."""

    def __init__(self, client: PushClient) -> None:
        self.client = client
        self.done: SimpleQueue[Future] = SimpleQueue()
        self.in_flight: dict[Future, Push] = {}
        self.sending: dict[int, Sending] = {}  # row id -> its messages still out
        self.answered: list[Sending] = []  # rows all of whose messages are answered, not yet written
        self.claimed = 0
        self.put_back = 0  # rows that went back to the outbox untried (the pass ran out of time)
        self.more = True  # the outbox may still have due rows

    def run(self) -> int:
        written_at = timer.monotonic()
        while True:
            if self._may_claim():
                self._claim_and_send()
                continue
            if not self.in_flight:
                break
            self._collect()
            if self.answered and (not self.in_flight or len(self.answered) >= BATCH
                                  or timer.monotonic() - written_at >= RECORD_EVERY):
                self._record()
                written_at = timer.monotonic()
        if self.answered:
            self._record()
        return self.claimed - self.put_back

    def _may_claim(self) -> bool:
        return (self.more and len(self.in_flight) <= 2 * self.client.concurrency and self.claimed < MAX_PER_PASS
                and not jobs.over_budget())

    def _claim_and_send(self) -> None:
        """Claim a batch, decide every row in one transaction (no push service is called while it
        is open), then hand its messages to the client's threads."""
        rows = claim_due(ScheduledNotification, limit=min(BATCH, MAX_PER_PASS - self.claimed))
        if not rows:
            db.session.commit()  # claim_due's release of stale claims, when it found nothing to claim
            self.more = False
            return
        self.claimed += len(rows)
        now = clock.now()
        context = _load_context(rows)
        pushes: list[Push] = []
        for row in rows:
            if not keep_claim(row, now):
                continue  # the batch outlived its claim and another worker took it (it left the session)
            planned = _plan(row, context, now)
            if planned:
                pushes.extend(planned)
                self.sending[row.id] = Sending(OutboxState.of(row), len(planned))
            else:
                _after_outcome(row, now)
        db.session.commit()  # what was decided, and before_send's writes, kept before any message goes
        for row in rows:
            if row in db.session:
                db.session.expunge(row)
        for push in pushes:
            future = self.client.pool.submit(_send_one, self.client, push.device, push.payload, push.headers, now)
            self.in_flight[future] = push
            future.add_done_callback(self.done.put)

    def _collect(self) -> None:
        """Wait for an answer (at most BUDGET_CHECK_EVERY, or RECORD_EVERY when answered rows wait to
        be written), then take every answer there is."""
        finished: list[Future] = []
        with suppress(Empty):
            finished.append(self.done.get(timeout=RECORD_EVERY if self.answered else BUDGET_CHECK_EVERY))
        if jobs.over_budget():
            # Out of time for this pass: messages not yet started are not sent now, and their
            # rows go back to the outbox at once (no attempt counted) for the next pass.
            self.more = False
            for future in list(self.in_flight):
                future.cancel()  # tells `done` when it worked
        while True:
            try:
                finished.append(self.done.get_nowait())
            except Empty:
                break
        for future in finished:
            push = self.in_flight.pop(future)
            sending = self.sending[push.row_id]
            sending.answers.append((push.device, NOT_TRIED if future.cancelled() else future.result()))
            sending.unanswered -= 1
            if not sending.unanswered:
                self.answered.append(self.sending.pop(push.row_id))

    def _record(self) -> None:
        answered, self.answered = self.answered, []
        self.put_back += sum(1 for sending in answered
                             if any(outcome is NOT_TRIED for _device, outcome in sending.answers))
        _record(answered, clock.now())


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
    shown = build_payload(row, prefs, context.locales.get(row.user_id), context.discreet_texts)
    payload = json.dumps(shown, ensure_ascii=False).encode()
    headers = {"TTL": str(ttl_for(row, now)), "Urgency": URGENCY.get(row.kind, "normal"), "Topic": shown["tag"]}
    return [Push(row.id, device, payload, headers) for device in devices]


def _after_outcome(row: ScheduledNotification, now: datetime) -> None:
    """The package the notification is about hears of its final state in the same transaction
    (`service.SubjectHooks`): a place offer nobody could be told passes to the next person."""
    hooks = service.hooks_for_subject(row.subject_type)
    if hooks is not None and hooks.after_outcome is not None and row.status not in (PENDING, SENDING):
        hooks.after_outcome(row, now)


def _record(answered: list[Sending], now: datetime) -> None:
    """Keep the outcomes of rows whose messages have all been answered: one UPDATE for all the
    rows (each with its own values: sent, retried after its own Retry-After, failed, gone), one
    for the devices reached, one DELETE for the devices gone, and one commit.

    Only rows still claimed by this worker are written (locked while they are, on PostgreSQL, and
    the UPDATE says so again): a row whose claim lapsed belongs to whoever took it since."""
    me = worker_name()
    ours = set(db.session.scalars(
        select(ScheduledNotification.id)
        .where(one_of(ScheduledNotification.id, [sending.state.id for sending in answered]),
               ScheduledNotification.status == SENDING, ScheduledNotification.claimed_by == me)
        .with_for_update()))
    reached: list[int] = []
    gone: list[int] = []
    settled: list[OutboxState] = []
    for sending in answered:
        if sending.state.id not in ours:
            continue
        for device, outcome in sending.answers:
            if outcome.sent:
                reached.append(device.id)
            elif outcome.gone:
                gone.append(device.id)
        _settle(sending.state, sending.answers, now)
        settled.append(sending.state)
    if settled:
        # ORM bulk UPDATE by primary key: one statement, executed for every row's values at once.
        db.session.execute(update(ScheduledNotification)
                           .where(ScheduledNotification.status == SENDING, ScheduledNotification.claimed_by == me),
                           [state.values() for state in settled], execution_options={"synchronize_session": None})
    if reached:
        db.session.execute(update(PushSubscription).where(one_of(PushSubscription.id, reached))
                           .values(last_success_at=now))
    if gone:
        db.session.execute(delete(PushSubscription).where(one_of(PushSubscription.id, gone)))
    told = _rows_to_tell(settled)
    for row in told:
        _after_outcome(row, now)
    db.session.commit()
    for row in told:
        if row in db.session:
            db.session.expunge(row)


def _rows_to_tell(settled: list[OutboxState]) -> list[ScheduledNotification]:
    """The settled rows whose package hears of their final state (`_after_outcome`), loaded in one
    query as the UPDATE above left them."""
    ids = [state.id for state in settled if state.status not in (PENDING, SENDING)
           and getattr(service.hooks_for_subject(state.subject_type), "after_outcome", None) is not None]
    if not ids:
        return []
    return list(db.session.scalars(select(ScheduledNotification).where(one_of(ScheduledNotification.id, ids))
                                   .order_by(ScheduledNotification.id)
                                   .execution_options(populate_existing=True)))


def _settle(row: OutboxState, answers: list[tuple[Device, Outcome]], now: datetime) -> None:
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


def _finish(row: ScheduledNotification | OutboxState, status: str, error: str | None = None) -> None:
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


def _retry_after(answer: PushAnswer, now: datetime) -> timedelta:
    value = answer.retry_after
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
        answer = client.post(device, body, headers, now)
    except SendError as error:
        log.info("push failed device=%s type=%s", device.id, type(error).__name__)
        return Outcome(retry_after=timedelta(0), error=f"could not reach the push service ({type(error).__name__})")
    status = answer.status
    if status in (200, 201, 202):
        return Outcome(sent=True)
    log.info("push answered device=%s status=%s", device.id, status)
    if status in (404, 410):
        return Outcome(gone=True)
    if status == 429 or status >= 500:
        return Outcome(retry_after=_retry_after(answer, now), error=f"push service answered {status}")
    if status in (401, 403):
        client.forget_token(device.endpoint)  # a fresh token on the next try
        return Outcome(retry_after=timedelta(0), error=f"push service refused our key ({status})")
    return Outcome(error=f"push service refused the message ({status})")
