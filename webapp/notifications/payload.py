"""What a push message says: the JSON the service worker shows, and its TTL, Urgency and Topic.

Discreet unless the person turned that off: then only "You have a new reminder from Flourish",
and what it is about is seen after opening the app. Detailed text is translated into the
person's language when sent; an appointment reminder then offers "I'll be there" and "Can't make
it", which open the booking with `?reply=yes` or `?reply=no`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.notifications import models
from webapp.notifications.models import NotificationPreferences, ScheduledNotification

MAX_PAYLOAD = 3000  # bytes of JSON; encrypted it stays well under the 4096 push services accept
MAX_TITLE, MAX_BODY = 120, 1000  # characters: what a notification can show
MAX_TTL = 28 * 24 * 3600
DISCREET_TITLE = "Flourish"
URGENCY = {models.APPOINTMENT_REMINDER: "high", models.PLACE_OFFER: "high", models.TEST: "high",
           models.REQUEST_UPDATE: "normal", models.GOAL_CHECKIN: "low"}
DEFAULT_TTL = {models.APPOINTMENT_REMINDER: 6 * 3600, models.PLACE_OFFER: 2 * 3600, models.TEST: 15 * 60,
               models.REQUEST_UPDATE: 7 * 24 * 3600, models.GOAL_CHECKIN: 3 * 24 * 3600}
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def discreet_text() -> str:
    return _("You have a new reminder from Flourish")


def discreet_text_in_every_language() -> dict[str, str]:
    """For the service worker, to show when a push arrives it cannot read (in the language last read)."""
    texts = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            texts[language] = discreet_text()
    return texts


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


def _localised(params: dict) -> dict:
    """`starts_at` (an ISO UTC time) becomes `day` and `time` in UK time, in the current language."""
    from webapp.i18n import date_with_weekday, time_of_day

    try:
        moment = datetime.fromisoformat(params["starts_at"])
    except (KeyError, TypeError, ValueError):
        return params
    return {**params, "day": date_with_weekday(moment), "time": time_of_day(moment)}


def _translated(message: str, params: dict) -> str:
    params = _localised(params)
    try:
        return _(message, **params) if params else _(message)
    except (KeyError, ValueError, TypeError):
        return _(message)


def detailed_text(row: ScheduledNotification, locale: str | None) -> tuple[str, str]:
    """The title and body that say what a notification is about, in `locale` (shown only when the
    person turned discreet text off)."""
    with force_locale(locale or "en"):
        return _translated(row.title, row.params or {}), _translated(row.body, row.params or {})


def _with_reply(url: str, reply: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}reply={reply}"


def build_payload(row: ScheduledNotification, prefs: NotificationPreferences, locale: str | None,
                  discreet_texts: dict[str, str] | None = None) -> dict:
    """The JSON the service worker shows, in the person's language; discreet unless they said otherwise.
    `discreet_texts`: `discreet_text_in_every_language()`, which a caller sending a batch reads once."""
    payload: dict = {"url": row.url or "/", "tag": topic_for(row), "lang": locale or "en"}
    if prefs.discreet:
        texts = discreet_texts or discreet_text_in_every_language()
        payload.update(title=DISCREET_TITLE, body=texts.get(payload["lang"], texts["en"]))
        return payload
    with force_locale(locale or "en"):
        title, body = detailed_text(row, locale)
        payload.update(title=title, body=body)
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
