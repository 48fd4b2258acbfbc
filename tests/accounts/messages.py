"""What the app queued to send (messaging's outbox), for the accounts tests: links and codes in it."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from webapp.extensions import db
from webapp.messaging.models import Message


def sent_to(address: str, template: str | None = None) -> list[Message]:
    """Messages queued to `address` (oldest first), optionally only those from one template."""
    query = select(Message).where(Message.recipient == address).order_by(Message.id)
    if template is not None:
        query = query.where(Message.template == template)
    db.session.expire_all()
    return list(db.session.scalars(query))


def last_to(address: str, template: str | None = None) -> Message:
    messages = sent_to(address, template)
    assert messages, f"nothing was sent to that address (template {template})"
    return messages[-1]


def link_path(message: Message, key: str = "link") -> str:
    """The path of a link in a message, to follow with the test client."""
    return urlsplit(message.personalisation[key]).path
