"""A message that failed for good goes on by the next channel in the person's order.

A text Notify could not deliver is followed by an email, then a letter (whatever the person or the
requester allowed, in their order; the chain is kept on the message when it is queued). The next
message shares the first one's `notice`: the unique (notice, channel) key makes a second receipt
or a second worker's failure a no-op, never a second email.

Each step decides detailed-or-discreet again, as `service._queue_chain` did when queuing: detailed
words only when the person still wants them named, the channel is not a letter (a letter's address
is never proved) and the address is proved; otherwise the discreet message. For a person with an
account, a step whose channel left their order or whose address changed is skipped.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.messaging import templates
from webapp.messaging.addresses import AddressError
from webapp.messaging.models import LETTER, Message

log = logging.getLogger("flourish.messaging")


def next_channel(row: Message) -> Message | None:
    """Queue the same message on the next channel left in `row.fallbacks` (in the caller's
    transaction); None when there is none left or it was queued already."""
    from webapp.messaging.service import queue

    prefs = _preferences(row.user_id)
    remaining = list(row.fallbacks or [])
    while remaining:
        step, remaining = remaining[0], remaining[1:]
        channel = step.get("channel")
        if prefs is not None and not _step_still_wanted(prefs, step):
            log.info("message id=%s fallback channel=%s no longer wanted", row.id, channel)
            continue
        exists = db.session.scalar(select(Message.id).where(Message.notice == row.notice, Message.channel == channel))
        if exists is not None:
            return None
        template, personalisation, detailed = _words_for(row, step, prefs)
        try:
            with db.session.begin_nested():
                queued = queue(channel=channel, to=step.get("to"), template=template,
                               personalisation=personalisation, language=row.language,
                               sensitive=detailed, user_id=row.user_id, notice=row.notice, fallbacks=remaining,
                               subject_type=row.subject_type, subject_id=row.subject_id,
                               quiet_hours=bool(step.get("quiet", row.quiet_hours)),
                               expires_at=row.expires_at, kind=row.kind)
                db.session.flush()
        except IntegrityError:
            return None  # another worker or receipt queued it first
        except (AddressError, ValueError):
            log.info("message id=%s fallback channel=%s has no usable address", row.id, channel)
            continue
        log.info("message id=%s falls back to channel=%s", row.id, channel)
        return queued
    return None


def _preferences(user_id: int | None):
    from webapp.messaging.channels import preferences_of

    return preferences_of(user_id) if user_id is not None else None


def _step_still_wanted(prefs, step: dict) -> bool:
    from webapp.messaging.channels import still_wanted

    return still_wanted(prefs, step.get("channel"), step.get("to"))


def discreet_link(row: Message) -> str:
    """Where the discreet message points: the app for a person with an account, /track for a requester."""
    from webapp.messaging.service import absolute_link

    return absolute_link("/" if row.user_id is not None else "/track")


def _words_for(row: Message, step: dict, prefs) -> tuple[str, dict, bool]:
    """(template, personalisation, detailed) for this step, decided again as `_queue_chain` does."""
    from webapp.messaging.sender import is_proved

    discreet = (templates.DISCREET, {"link": discreet_link(row)}, False)
    if row.template == templates.DISCREET:
        return templates.DISCREET, dict(row.personalisation or {}) or discreet[1], False
    if not row.sensitive:
        return row.template, dict(row.personalisation or {}), False  # words that were never sensitive
    named = prefs.name_service if prefs is not None else True
    channel, to = step.get("channel"), str(step.get("to"))
    if named and channel != LETTER and is_proved(row.user_id, channel, to):
        return row.template, dict(row.personalisation or {}), True
    return discreet


def make_discreet(row: Message) -> None:
    """The person turned "say who it is from" off since this was queued: send the discreet words."""
    row.template, row.personalisation, row.sensitive = templates.DISCREET, {"link": discreet_link(row)}, False
