"""What staff see of texts, emails and letters (channel, state, Notify's outcome; never the words or
the address), and what the development page shows of the Notify stand-in."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app
from notifications_python_client.errors import APIError
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.messaging.models import Message

log = logging.getLogger("flourish.messaging")


def counts_by_channel() -> dict[str, dict[str, int]]:
    """{channel: {state or outcome: count}}: outbox states, with receipts' outcomes for those sent."""
    counts: dict[str, dict[str, int]] = {}
    rows = db.session.execute(select(Message.channel, Message.status, Message.outcome, func.count())
                              .group_by(Message.channel, Message.status, Message.outcome))
    for channel, status, outcome, count in rows:
        key = outcome if status == "sent" and outcome else status
        counts.setdefault(channel, {})
        counts[channel][key] = counts[channel].get(key, 0) + count
    return counts


def recent(limit: int = 100) -> list[Message]:
    """The newest messages first, for staff: ids, channel, template, state, outcome, Notify's error."""
    return list(db.session.scalars(select(Message).order_by(Message.created_at.desc(), Message.id.desc())
                                   .limit(limit)))


def configured() -> bool:
    return bool(current_app.config.get("NOTIFY_API_KEY") and current_app.config.get("NOTIFY_BASE_URL"))


def development_page_allowed() -> bool:
    """`/dev/messages` exists in development and tests only: 404 with a production config."""
    config = current_app.config
    return config.get("ENV_NAME") != "production" and (current_app.debug or current_app.testing
                                                        or config.get("ENV_NAME") == "development")


def standin_messages() -> tuple[list[dict[str, Any]], str | None]:
    """What the stand-in received, newest first (asked with the official client, as for any Notify)."""
    from webapp.messaging.sender import client_for

    client = client_for()
    if client is None:
        return [], "not configured"
    try:
        return list(client.get_all_notifications().get("notifications") or []), None
    except APIError as error:
        log.info("dev messages: the notify stand-in answered %s", error.status_code)
        return [], str(error.status_code)


def held_by_refused_key(not_yet_overdue_since: datetime) -> int:
    """Messages waiting because Notify refused our API key (403), not already counted overdue: system
    health counts them overdue at once, since they wait until someone fixes NOTIFY_API_KEY."""
    from webapp.messaging.sender import KEY_REFUSED
    from webapp.outbox import PENDING, SENDING

    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.status.in_((PENDING, SENDING)), Message.last_error.like(f"{KEY_REFUSED}%"),
        Message.next_attempt_at >= not_yet_overdue_since)) or 0
