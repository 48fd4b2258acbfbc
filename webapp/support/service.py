"""Requests for support: sending, the timeline, status changes, "things have got worse", who may see.

Plain functions over the session; no `request`. Callers commit.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import audit, clock
from webapp.accounts.roles import Role, has_role
from webapp.directory.models import THRIVE_GROUPS, Service
from webapp.extensions import db
from webapp.i18n import N_
from webapp.support import delivery, drafts, record
from webapp.support.models import (
    ADVICE_GIVEN,
    ALLOCATED,
    CLOSED,
    DELIVERY_UPDATE,
    FIRST_APPOINTMENT,
    MORE_INFORMATION_NEEDED,
    RECEIVED,
    ROUTINE,
    STATUSES,
    TRIAGED,
    URGENT,
    RequestDraft,
    RequestStatusEvent,
    SupportRequest,
)
from webapp.working_days import next_working_day

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read aloud
REFERENCE_PREFIX = "FL-"
# The status API's statuses (the contract's, plus a question back to the requester).
API_STATUSES = (TRIAGED, ALLOCATED, FIRST_APPOINTMENT, ADVICE_GIVEN, CLOSED, MORE_INFORMATION_NEEDED)
NOTE_LIMIT = 3000
WAITING = (RECEIVED, MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED)

STATUS_WORDS = {
    RECEIVED: (_l("Received"), _l("Your request reached the Integrated Front Door. A clinician will read it.")),
    MORE_INFORMATION_NEEDED: (_l("More information needed"),
                              _l("The front door has a question before it can decide what would help.")),
    TRIAGED: (_l("Looked at"), _l("A clinician has read your request and is deciding which help fits best.")),
    ALLOCATED: (_l("Service chosen"), _l("You have been offered a service. You are on its waiting list.")),
    FIRST_APPOINTMENT: (_l("First appointment booked"), _l("A first appointment has been booked with the service.")),
    ADVICE_GIVEN: (_l("Advice given"), _l("The front door has given advice about what could help.")),
    CLOSED: (_l("Closed"), _l("This request is finished. If you need support again, you can make a new request.")),
}


class ApiError(ValueError):
    """A status API payload the front door must correct (422 with the field and the reason)."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


# -- sending ---------------------------------------------------------------------------------------

def make_reference() -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"{REFERENCE_PREFIX}{code[:4]}-{code[4:]}"
        if db.session.scalar(select(SupportRequest.id).where(SupportRequest.reference == reference)) is None:
            return reference


def normalise_reference(value: str) -> str:
    cleaned = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if cleaned.startswith("FL") and len(cleaned) == 10:
        return f"FL-{cleaned[2:6]}-{cleaned[6:]}"
    return (value or "").strip().upper()


def texts_for(req: SupportRequest) -> dict[str, str]:
    return drafts.question_texts("self" if req.requester_type == "young_person" else "other")


def refresh_record(req: SupportRequest) -> dict[str, Any]:
    """Rebuild and keep the latest record (the pull API serves it); returns the bundle."""
    bundle = record.build_record(req, texts_for(req))
    req.fhir_record = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    return bundle


class DraftNotReady(ValueError):
    def __init__(self, step: drafts.Step):
        super().__init__(step.name)
        self.step = step


def submit(draft: RequestDraft, user) -> SupportRequest:
    """Send a draft: one request, its first status event, its record and its delivery, all at once.

    Sending the same draft again (a double click, a replayed POST) returns the request it made.
    """
    if draft.submitted_request_id is not None:
        existing = db.session.get(SupportRequest, draft.submitted_request_id)
        if existing is not None:
            return existing
    forms_by_step, first_bad = drafts.validated_forms(draft)
    if first_bad is not None:
        raise DraftNotReady(first_bad)
    answers = drafts.answers_from(forms_by_step)
    now = clock.now()
    self_request = answers["requester_type"] == "young_person"
    req = SupportRequest(
        reference=make_reference(), requester_type=answers["requester_type"],
        requester_user_id=user.id if getattr(user, "is_authenticated", False) and not user.is_staff else None,
        priority=URGENT if drafts.any_risk(answers) else ROUTINE, status=RECEIVED, received_at=now, updated_at=now,
        young_person_date_of_birth=date.fromisoformat(answers["date_of_birth"]), answers={**answers, "updates": []},
        submission_key=draft.id, trackable=not (self_request and answers.get("parent_may_track") == "no"),
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(req)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()  # another submit of this draft won the race: theirs is the request
        existing = db.session.scalar(select(SupportRequest).where(SupportRequest.submission_key == draft.id))
        draft.submitted_request_id, draft.answers = existing.id, {}
        return existing
    savepoint.commit()
    db.session.add(RequestStatusEvent(request_id=req.id, status=RECEIVED, occurred_at=now, actor="requester"))
    delivery.enqueue(req, refresh_record(req))
    draft.submitted_request_id = req.id
    draft.answers = {}  # the answers now live in the request; the draft keeps nothing personal
    audit.record("support_request.sent", actor_id=req.requester_user_id, subject_type="support_request",
                 subject_id=req.id)
    return req


# -- finding and seeing ----------------------------------------------------------------------------

REFERENCE_SHAPE = re.compile(r"FL-[A-Z0-9]{4}-[A-Z0-9]{4}")


def well_formed_reference(reference: str) -> str | None:
    """The reference as stored, or None for anything not shaped like one: such a value never reaches
    a query (PostgreSQL refuses some characters in text, and nothing could match it anyway)."""
    normalised = normalise_reference(reference)
    return normalised if REFERENCE_SHAPE.fullmatch(normalised) else None


def by_reference(reference: str) -> SupportRequest | None:
    """The request with this reference; None for anything not shaped like one (never queried)."""
    normalised = well_formed_reference(reference)
    if normalised is None:
        return None
    return db.session.scalar(select(SupportRequest).where(SupportRequest.reference == normalised)
                             .options(selectinload(SupportRequest.events)))


def is_front_door_staff(user) -> bool:
    return has_role(user, Role.CLINICIAN, Role.ADMIN)


def is_requester(req: SupportRequest, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and req.requester_user_id == user.id


def find_for_tracking(reference: str, date_of_birth: date | None) -> SupportRequest | None:
    """The request for /track, or None for every reason alike (so nothing is revealed)."""
    req = by_reference(reference)
    if req is None or date_of_birth is None or req.fhir_record is None:
        return None
    if not secrets.compare_digest(req.young_person_date_of_birth.isoformat(), date_of_birth.isoformat()):
        return None
    return req if req.trackable else None


def requests_for(user) -> list[SupportRequest]:
    return list(db.session.scalars(select(SupportRequest).where(SupportRequest.requester_user_id == user.id)
                                   .order_by(SupportRequest.received_at.desc())
                                   .options(selectinload(SupportRequest.events))))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: Any
    text: Any
    note: str | None = None
    question: str | None = None
    mine: str | None = None  # what the requester wrote (an update or an answer)


def timeline(req: SupportRequest) -> list[TimelineEntry]:
    entries = []
    for event in req.events:
        if event.actor == "requester" and event.status == RECEIVED and event.occurred_at != req.received_at:
            continue  # the answer to a question is shown from the updates below
        title, text = STATUS_WORDS.get(event.status, (event.status, ""))
        question = event.note_for_requester if event.status == MORE_INFORMATION_NEEDED else None
        note = None if question else event.note_for_requester
        entries.append(TimelineEntry(event.occurred_at, title, text, note=note, question=question))
    for update_ in (req.answers or {}).get("updates") or []:
        at = datetime.fromisoformat(update_["at"])
        if update_["kind"] == "worse":
            entries.append(TimelineEntry(at, _l("You told us things have got worse"),
                                         _l("A clinician will look at what you wrote."), mine=update_["text"]))
        else:
            entries.append(TimelineEntry(at, _l("You answered the question"),
                                         _l("Your answer was sent to the front door."), mine=update_["text"]))
    return sorted(entries, key=lambda e: e.at)


def open_question(req: SupportRequest) -> str | None:
    if req.status != MORE_INFORMATION_NEEDED:
        return None
    asked = [e for e in req.events if e.status == MORE_INFORMATION_NEEDED]
    return asked[-1].note_for_requester if asked else None


def still_waiting(req: SupportRequest) -> bool:
    return req.status in WAITING


def review_by(now: datetime | None = None) -> date:
    """When a clinician will have looked at a "worse" flag: the end of the next working day in England."""
    return next_working_day(clock.to_local(now or clock.now()).date())


# -- changes ---------------------------------------------------------------------------------------

def _tell_requester(req: SupportRequest) -> None:
    if req.requester_user_id is None:
        return
    from webapp.notifications.models import REQUEST_UPDATE
    from webapp.notifications.service import schedule

    schedule(user_id=req.requester_user_id, kind=REQUEST_UPDATE, due_at=clock.now(),
             title=N_("Update on your request"),
             body=N_("There is news about your request for support (%(reference)s)."),
             params={"reference": req.reference}, url=f"/request-support/my-requests/{req.reference}",
             subject_type="support_request", subject_id=req.id, topic=f"request-{req.id}")


def _send_update(req: SupportRequest) -> None:
    """The whole record again, as an update with its own Bundle.identifier (the pull API keeps the reference)."""
    bundle = refresh_record(req)
    keyed = {**bundle, "identifier": {**bundle["identifier"], "value": delivery.update_key(req)}}
    delivery.enqueue(req, keyed, kind=DELIVERY_UPDATE)


def move(req: SupportRequest, status: str, *, actor: str, thrive_group: str | None = None,
         service_id: str | None = None, note: str | None = None, question: str | None = None,
         deliver: bool = True) -> RequestStatusEvent:
    """Move a request on: a status event, the timeline, a notification, and (unless the change came
    from the front door's own system) an update delivered to it."""
    if status not in STATUSES:
        raise ApiError("status", f"unknown status {status!r}")
    now = clock.now()
    if thrive_group:
        req.thrive_group = thrive_group
    if service_id:
        req.service_id = service_id
    shown = (question if status == MORE_INFORMATION_NEEDED else note) or None
    event = RequestStatusEvent(request_id=req.id, status=status, occurred_at=now,
                               service_id=req.service_id if status in (ALLOCATED, FIRST_APPOINTMENT, CLOSED) else None,
                               thrive_group=req.thrive_group, note_for_requester=shown, actor=actor)
    db.session.add(event)
    req.status, req.updated_at = status, now
    if status in (TRIAGED, ALLOCATED, ADVICE_GIVEN, CLOSED):
        req.needs_review_at = None
    db.session.flush()
    db.session.refresh(req, ["events"])
    actor_id = int(actor.removeprefix("user:")) if actor.startswith("user:") else None
    audit.record(f"support_request.{status}", actor_id=actor_id, subject_type="support_request", subject_id=req.id)
    _tell_requester(req)
    if deliver:
        _send_update(req)
    else:
        refresh_record(req)
    return event


def _add_update(req: SupportRequest, kind: str, text: str, **extra: Any) -> None:
    answers = dict(req.answers or {})
    answers["updates"] = [*(answers.get("updates") or []),
                          {"kind": kind, "at": clock.now().isoformat(), "text": text.strip(), **extra}]
    req.answers = answers
    req.updated_at = clock.now()


def report_worse(req: SupportRequest, text: str, actor_id: int | None) -> None:
    """Flag for review at the top of the queue, with what they wrote, and send it to the front door."""
    _add_update(req, "worse", text)
    req.needs_review_at = clock.now()
    _send_update(req)
    audit.record("support_request.worse", actor_id=actor_id, subject_type="support_request", subject_id=req.id)


def answer_question(req: SupportRequest, text: str, actor_id: int | None) -> None:
    """The requester's answer joins the record, goes to the front door, and the request is back with it."""
    question = open_question(req)
    _add_update(req, "answer", text, question=question or "")
    now = clock.now()
    db.session.add(RequestStatusEvent(request_id=req.id, status=RECEIVED, occurred_at=now, actor="requester"))
    req.status, req.needs_review_at = RECEIVED, now
    db.session.flush()
    db.session.refresh(req, ["events"])
    _send_update(req)
    audit.record("support_request.answered", actor_id=actor_id, subject_type="support_request", subject_id=req.id)


def mark_reviewed(req: SupportRequest, user) -> None:
    req.needs_review_at = None
    audit.record("support_request.reviewed", actor_id=user.id, subject_type="support_request", subject_id=req.id)


# -- the status API --------------------------------------------------------------------------------

def _text(payload: dict[str, Any], name: str, limit: int = NOTE_LIMIT) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ApiError(name, f"{name} must be a string of at most {limit} characters")
    return value.strip() or None


def _service(service_id: Any) -> Service:
    if not isinstance(service_id, str):
        raise ApiError("service_id", "service_id must be a string")
    service = db.session.get(Service, service_id)
    if service is None or not service.active:
        raise ApiError("service_id", f"unknown service {service_id!r}")
    return service


def apply_status_payload(req: SupportRequest, payload: Any) -> RequestStatusEvent | None:
    """Validate everything first (422 on the first problem), then change the request and the service."""
    if not isinstance(payload, dict):
        raise ApiError("body", "the body must be a JSON object")
    status = payload.get("status")
    wait_fields = {"wait_note", "paused", "paused_reason"} & set(payload)
    if status is None and not wait_fields:
        raise ApiError("status", f"status is required; use one of {', '.join(API_STATUSES)}")
    if status is not None and status not in API_STATUSES:
        raise ApiError("status", f"unknown status {status!r}; use one of {', '.join(API_STATUSES)}")
    group = payload.get("thrive_group")
    if group is not None and group not in THRIVE_GROUPS:
        raise ApiError("thrive_group", f"unknown thrive_group {group!r}; use one of {', '.join(THRIVE_GROUPS)}")
    service = _service(payload["service_id"]) if payload.get("service_id") is not None else None
    if status == ALLOCATED and service is None and req.service_id is None:
        raise ApiError("service_id", "service_id is required to allocate")
    note = _text(payload, "note_for_requester")
    question = _text(payload, "question")
    if status == MORE_INFORMATION_NEEDED and not (question or note):
        raise ApiError("question", "a question for the requester is required")
    wait_note, paused_reason = _text(payload, "wait_note"), _text(payload, "paused_reason")
    paused = payload.get("paused")
    if paused is not None and not isinstance(paused, bool):
        raise ApiError("paused", "paused must be true or false")
    if paused and not paused_reason:
        raise ApiError("paused_reason", "a reason shown to people is required to pause a service")
    if wait_fields:
        from webapp.directory.service import set_wait_note

        target = service or (db.session.get(Service, req.service_id) if req.service_id else None)
        if target is None:
            raise ApiError("service_id", "service_id is required to set a wait note or pause")
        set_wait_note(target.id, wait_note="" if "wait_note" in payload and wait_note is None else wait_note,
                      paused=paused, paused_reason=paused_reason)
    if status is None:
        return None
    return move(req, status, actor="ifd_api", thrive_group=group, service_id=service.id if service else None,
                note=note, question=question or note, deliver=False)


# -- the clinicians' queue ---------------------------------------------------------------------------

QUEUE_PAGE = 50


def queue(status: str | None = None, thrive_group: str | None = None,
          page: int = 1) -> tuple[list[SupportRequest], int]:
    """Requests made through Flourish: flagged "worse" first, then urgent, then oldest. (rows, total)."""
    where = [SupportRequest.fhir_record.is_not(None)]
    if status in STATUSES:
        where.append(SupportRequest.status == status)
    else:
        where.append(SupportRequest.status != CLOSED)
    if thrive_group == "none":
        where.append(SupportRequest.thrive_group.is_(None))
    elif thrive_group in THRIVE_GROUPS:
        where.append(SupportRequest.thrive_group == thrive_group)
    order = (case((SupportRequest.needs_review_at.is_not(None), 0), else_=1),
             case((SupportRequest.priority == URGENT, 0), else_=1), SupportRequest.received_at, SupportRequest.id)
    total = db.session.scalar(select(func.count()).select_from(SupportRequest).where(*where)) or 0
    rows = db.session.scalars(select(SupportRequest).where(*where).order_by(*order)
                              .limit(QUEUE_PAGE).offset((max(page, 1) - 1) * QUEUE_PAGE))
    return list(rows), total


def record_view(req: SupportRequest, user) -> None:
    audit.record("support_request.viewed", actor_id=user.id, subject_type="support_request", subject_id=req.id)


def deliveries_for(req: SupportRequest) -> list:
    from webapp.support.models import FrontDoorDelivery

    return list(db.session.scalars(select(FrontDoorDelivery).where(FrontDoorDelivery.request_id == req.id)
                                   .order_by(FrontDoorDelivery.id)))


# -- the pull API ---------------------------------------------------------------------------------

PULL_PAGE = 50


def pulled_since(since: datetime, after_id: int | None, limit: int | None = None) -> list[SupportRequest]:
    """Requests received at or after `since` (strictly after (since, after_id) when paging), oldest first."""
    condition = SupportRequest.received_at >= since
    if after_id is not None:
        condition = (SupportRequest.received_at > since) | (
            (SupportRequest.received_at == since) & (SupportRequest.id > after_id))
    return list(db.session.scalars(
        select(SupportRequest).where(condition, SupportRequest.fhir_record.is_not(None))
        .order_by(SupportRequest.received_at, SupportRequest.id).limit((limit or PULL_PAGE) + 1)))


# -- data export and retention --------------------------------------------------------------------

def export_for(user) -> list[dict[str, Any]]:
    """The requests this person made, with every answer and each step, for "download my data"."""
    return [{"reference": r.reference, "received_at": r.received_at.isoformat(), "status": r.status,
             "answers": r.answers,
             "timeline": [{"status": e.status, "at": e.occurred_at.isoformat(), "note": e.note_for_requester}
                          for e in r.events]}
            for r in requests_for(user)] + [{"unsent_draft": d} for d in drafts.drafts_for_export(user.id)]
