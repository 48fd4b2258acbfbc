"""A person's channels and messages, for "download my data"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.messaging.models import ChannelPreferences, Message


def export_for(user) -> dict[str, Any]:
    prefs = db.session.get(ChannelPreferences, user.id)
    messages = db.session.scalars(select(Message).where(Message.user_id == user.id)
                                  .order_by(Message.created_at, Message.id))
    return {
        "channels": None if prefs is None else {
            "order": prefs.order, "phone": prefs.phone, "email": prefs.email, "address": prefs.address,
            "say_who_it_is_from": prefs.name_service},
        "messages": [{"channel": m.channel, "to": m.recipient or m.address, "template": m.template,
                      "language": m.language, "status": m.status, "outcome": m.outcome,
                      "queued_at": m.created_at.isoformat(),
                      "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in messages],
    }
