"""'About me' kept up to date while a young person waits: a change rewrites those answers of their own
request (under its row lock) and goes to the front door as an update of the record. No `request` here."""

from __future__ import annotations

from typing import Any

from webapp import audit


def editable(req, user) -> bool:
    """Only the young person who asked, for their own request, while it is still waiting."""
    from webapp.support import service as support

    return (support.is_requester(req, user) and req.requester_type == "young_person"
            and support.still_waiting(req))


def current(req) -> dict[str, Any]:
    from webapp.support.forms import ABOUT_ME_FIELDS

    answers = req.answers or {}
    return {name: answers.get(name) for name in ABOUT_ME_FIELDS if answers.get(name) not in (None, "", [])}


def update(req, values: dict[str, Any], actor_id: int) -> bool:
    """Keep the new answers and send the record again; returns False when nothing changed."""
    from webapp.support import service as support
    from webapp.support.forms import ABOUT_ME_FIELDS

    cleaned = {name: (values.get(name).strip() if isinstance(values.get(name), str) else values.get(name))
               for name in ABOUT_ME_FIELDS}
    support.lock(req)
    answers = dict(req.answers or {})
    before = {name: answers.get(name) for name in ABOUT_ME_FIELDS}
    for name, value in cleaned.items():
        if value in (None, "", []):
            answers.pop(name, None)
        else:
            answers[name] = value
    if {name: answers.get(name) for name in ABOUT_ME_FIELDS} == before:
        return False
    req.answers = answers
    support.send_update(req)
    audit.record("support_request.about_me_changed", actor_id=actor_id, subject_type="support_request",
                 subject_id=req.id)
    return True
