"""The worker job that sends due notifications by Web Push (RFC 8030, 8291, 8292).

For each notification claimed with `webapp.outbox.claim_due` (so no two workers ever hold the
same one): drop it if it is past its use, or the person turned that kind off; wait if it is
inside their quiet hours; else encrypt it (aes128gcm, by the `webpush` package) for each of their
devices and POST it over one `requests.Session` with timeouts.

Push service answers: 201 sent; 404/410 the device is gone (its subscription is deleted); 429 and
5xx (and timeouts) try again later with exponential backoff, or after `Retry-After` if that is
longer; after MAX_ATTEMPTS tries it is marked failed, which admins see on /staff/notifications.
A notification that reached one device never goes to that device again (`delivered_to`).

The VAPID JWT is made here with PyJWT (the `webpush` package's own makes a new one for every
message, always writes `mailto:` and drops a non-default port from `aud`): one per push-service
origin, reused until an hour before it expires, and it expires after 12 hours (at most 24).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import jwt
import requests
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription
from webpush.vapid import VAPID

from webapp import clock
from webapp.accounts.models import User
from webapp.extensions import db
from webapp.notifications import models
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification
from webapp.notifications.preferences import quiet_until, wants
from webapp.outbox import PENDING, claim_due, mark_failed, mark_sent, retry_later

log = logging.getLogger("flourish.notifications")

BATCH = 50
MAX_PER_PASS = 5000  # one worker pass stops after this many, so other jobs get their turn
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
LONGEST_RETRY_AFTER = timedelta(hours=24)
TIMEOUT = (3.05, 10)  # seconds to connect, to read
MAX_PAYLOAD = 3000  # bytes of JSON; encrypted it stays well under the 4096 push services accept
MAX_TITLE, MAX_BODY = 120, 1000  # characters: what a notification can show
MAX_TTL = 28 * 24 * 3600
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_RENEW_BEFORE = timedelta(hours=1)
DISCREET_TITLE = "Flourish"

URGENCY = {models.APPOINTMENT_REMINDER: "high", models.PLACE_OFFER: "high", models.TEST: "high",
           models.REQUEST_UPDATE: "normal", models.GOAL_CHECKIN: "low"}
DEFAULT_TTL = {models.APPOINTMENT_REMINDER: 6 * 3600, models.PLACE_OFFER: 2 * 3600, models.TEST: 15 * 60,
               models.REQUEST_UPDATE: 7 * 24 * 3600, models.GOAL_CHECKIN: 3 * 24 * 3600}
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class PushConfigError(RuntimeError):
    """VAPID keys are missing or unreadable."""


def discreet_text() -> str:
    return _("You have a new reminder from Flourish")


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass
class PushClient:
    """One per worker process: the HTTP session, the VAPID key and the tokens made with it."""

    private_pem: bytes
    public_pem: bytes
    subject: str
    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    tokens_made: int = 0

    def __post_init__(self) -> None:
        self.vapid = VAPID(private_key=self.private_pem, public_key=self.public_pem)
        self.application_server_key = VAPID.get_application_server_key(self.vapid.public_key)
        self.encryptor = WebPush(private_key=self.private_pem, public_key=self.public_pem)
        if not self.subject.startswith(("mailto:", "https:")):
            self.subject = f"mailto:{self.subject}"

    def authorization(self, endpoint: str, now: datetime) -> str:
        origin = origin_of(endpoint)
        kept = self.tokens.get(origin)
        if kept and kept[1] - TOKEN_RENEW_BEFORE > now:
            return kept[0]
        expires = now + TOKEN_LIFETIME
        token = jwt.encode({"aud": origin, "exp": int(expires.timestamp()), "sub": self.subject},
                           self.private_pem, algorithm="ES256")
        header = f"vapid t={token}, k={self.application_server_key}"
        self.tokens[origin] = (header, expires)
        self.tokens_made += 1
        return header

    def forget_token(self, endpoint: str) -> None:
        self.tokens.pop(origin_of(endpoint), None)

    def encrypt(self, payload: bytes, device: Device | PushSubscription) -> bytes:
        subscription = WebPushSubscription(endpoint=device.endpoint,
                                           keys=WebPushKeys(p256dh=device.p256dh, auth=device.auth))
        return self.encryptor._encrypt(payload, subscription)  # the package's RFC 8291 encryption

    def post(self, device: Device | PushSubscription, body: bytes, headers: dict[str, str],
             now: datetime) -> requests.Response:
        headers = {**headers, "Authorization": self.authorization(device.endpoint, now),
                   "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
        return self.session.post(device.endpoint, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)


def _pem(value: str | bytes | None, name: str) -> bytes:
    if not value:
        raise PushConfigError(f"{name} is not set")
    return value.encode() if isinstance(value, str) else value


def client_for(app: Flask | None = None) -> PushClient:
    app = app or current_app._get_current_object()
    client = app.extensions.get("flourish_push_client")
    if client is None:
        client = PushClient(_pem(app.config.get("VAPID_PRIVATE_KEY"), "VAPID_PRIVATE_KEY"),
                            _pem(app.config.get("VAPID_PUBLIC_KEY"), "VAPID_PUBLIC_KEY"),
                            app.config.get("VAPID_SUBJECT") or "mailto:digital@flourish.example")
        app.extensions["flourish_push_client"] = client
    return client


def application_server_key(app: Flask | None = None) -> str:
    """The VAPID public key as the browser's `applicationServerKey` wants it (base64url, 65 bytes)."""
    return client_for(app).application_server_key


# ---------------------------------------------------------------- what is sent

def topic_for(row: ScheduledNotification) -> str:
    """The `Topic` header: the caller's, else an opaque HMAC of what it is about, so a newer
    reminder about the same thing replaces an older one waiting at the push service, and the push
    service learns nothing from it."""
    if row.topic and _TOPIC.match(row.topic):
        return row.topic
    about = f"{row.kind}:{row.subject_type}:{row.subject_id}" if row.subject_id else (
        f"{row.kind}:user:{row.user_id}" if row.kind == models.TEST else f"{row.kind}:id:{row.id}")
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    digest = hmac.new(secret, about.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def _translated(message: str, params: dict) -> str:
    try:
        return _(message, **params) if params else _(message)
    except (KeyError, ValueError, TypeError):
        return _(message)


def _with_reply(url: str, reply: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}reply={reply}"


def build_payload(row: ScheduledNotification, prefs: Choices | NotificationPreferences, locale: str | None) -> dict:
    """The JSON the service worker shows, in the person's language; discreet unless they said otherwise."""
    with force_locale(locale or "en"):
        tag = topic_for(row)
        payload: dict = {"url": row.url or "/", "tag": tag, "lang": locale or "en"}
        if prefs.discreet:
            payload.update(title=DISCREET_TITLE, body=discreet_text())
            return payload
        payload.update(title=_translated(row.title, row.params or {}), body=_translated(row.body, row.params or {}))
        if row.kind == models.APPOINTMENT_REMINDER:
            payload["actions"] = [
                {"action": "attend", "title": _("I'll be there"), "url": _with_reply(payload["url"], "yes")},
                {"action": "cannot-attend", "title": _("Can't make it"), "url": _with_reply(payload["url"], "no")},
            ]
    return _fit(payload)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(payload: dict) -> dict:
    """Keep the title short and shorten the body until the JSON fits in MAX_PAYLOAD bytes."""
    payload["title"] = _shorten(payload["title"], MAX_TITLE)
    payload["body"] = _shorten(payload["body"], MAX_BODY)
    while len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_PAYLOAD and len(payload["body"]) > 1:
        payload["body"] = _shorten(payload["body"], len(payload["body"]) // 2)
    return payload


def ttl_for(row: ScheduledNotification, now: datetime) -> int:
    if row.expires_at is not None:
        return max(0, min(MAX_TTL, int((row.expires_at - now).total_seconds())))
    return DEFAULT_TTL.get(row.kind, 24 * 3600)


# ---------------------------------------------------------------- the job

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

    @classmethod
    def of(cls, prefs: NotificationPreferences) -> Choices:
        return cls(**{name: getattr(prefs, name) for name in cls.__dataclass_fields__})


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
    for prefs in db.session.scalars(select(NotificationPreferences)
                                    .where(NotificationPreferences.user_id.in_(user_ids))):
        choices[prefs.user_id] = Choices.of(prefs)
    devices: dict[int, list[Device]] = {user_id: [] for user_id in user_ids}
    query = (select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
                    PushSubscription.p256dh, PushSubscription.auth)
             .where(PushSubscription.user_id.in_(user_ids)).order_by(PushSubscription.id))
    for device_id, user_id, endpoint, p256dh, auth in db.session.execute(query):
        devices[user_id].append(Device(device_id, endpoint, p256dh, auth))
    return Context(locales, choices, devices)


def send_due(app: Flask | None = None) -> int:
    """Worker job: send every due notification. Returns how many were handled."""
    client = client_for(app)
    handled = 0
    while handled < MAX_PER_PASS:
        rows = claim_due(ScheduledNotification, limit=BATCH)
        if not rows:
            db.session.commit()  # claim_due's release of stale claims, when it found nothing to claim
            break
        context = _load_context(rows)
        for row in rows:
            deliver(row, context, client)
            db.session.commit()
        handled += len(rows)
    return handled


def _finish(row: ScheduledNotification, status: str, error: str | None = None) -> None:
    row.status, row.claimed_by, row.last_error = status, None, error
    log.info("notification id=%s status=%s", row.id, status)


def deliver(row: ScheduledNotification, context: Context, client: PushClient) -> None:
    """Decide what to do with one claimed notification and do it (the caller commits)."""
    now = clock.now()
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
