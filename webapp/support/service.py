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
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import audit, clock
from webapp.accounts.roles import Role, has_role
from webapp.directory.models import THRIVE_GROUPS, Service
from webapp.extensions import db
from webapp.hooks import hooks_for
from webapp.i18n import N_
from webapp.support import delivery, drafts, record
from webapp.support.forms import RISK_FIELDS
from webapp.support.models import (
    ADVICE_GIVEN,
    ALLOCATED,
    CLOSED,
    DELIVERY_UPDATE,
    FIRST_APPOINTMENT,
    MORE_INFORMATION_NEEDED,
    RECEIVED,
    ROUTINE,
    SIGNAL_NOT_SURE,
    SIGNAL_RISK_ANSWERS,
    SIGNAL_WORSE,
    STATUSES,
    TRIAGED,
    UPDATE_ANSWER,
    UPDATE_CAME_BACK,
    UPDATE_WORSE,
    URGENT,
    RequestDraft,
    RequestStatusEvent,
    RequestUpdate,
    RiskSignal,
    SupportRequest,
)
from webapp.support.urgency import RISK_SUPPORT, promise_after

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read aloud
REFERENCE_PREFIX = "FL-"
# The status API's statuses (the contract's, plus a question back to the requester).
API_STATUSES = (TRIAGED, ALLOCATED, FIRST_APPOINTMENT, ADVICE_GIVEN, CLOSED, MORE_INFORMATION_NEEDED)
NOTE_LIMIT = 3000
WAITING = (RECEIVED, MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED)

RECEIVED_BY_FRONT_DOOR = (_l("Received by the front door"),
                          _l("The Integrated Front Door has your request. A clinician will read it."))
STATUS_WORDS = {
    RECEIVED: (_l("Sent"), _l("Your request has been sent to the Integrated Front Door. A clinician will read it.")),
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


def submit(draft: RequestDraft, user, language: str = "en") -> SupportRequest:
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
        young_person_date_of_birth=date.fromisoformat(answers["date_of_birth"]), answers=answers,
        submission_key=draft.id, trackable=not (self_request and answers.get("parent_may_track") == "no"),
        language=language,
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
    record_status(req, RECEIVED, now, actor="requester")
    if req.priority == URGENT:
        kind = SIGNAL_RISK_ANSWERS if any(answers.get(name) == "yes" for name in RISK_FIELDS) else SIGNAL_NOT_SURE
        add_risk_signal(req, kind, now)
    db.session.flush()
    db.session.refresh(req, ["events", "updates", "risk_signals"])
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
        if event.status == ALLOCATED and event.thrive_group == RISK_SUPPORT:
            text = _l("Because of what you told us, the team will contact you directly. You are not on a waiting "
                      "list.")
        question = event.note_for_requester if event.status == MORE_INFORMATION_NEEDED else None
        note = None if question else event.note_for_requester
        entries.append(TimelineEntry(event.occurred_at, title, text, note=note, question=question))
    if req.front_door_received_at is not None:
        title, text = RECEIVED_BY_FRONT_DOOR
        entries.append(TimelineEntry(req.front_door_received_at, title, text))
    from webapp.checkins.timeline import check_in_entries

    entries.extend(check_in_entries(req, TimelineEntry))
    for update_ in req.updates:
        if update_.kind == UPDATE_WORSE:
            entries.append(TimelineEntry(update_.created_at, _l("You told us things have got worse"),
                                         _l("A clinician will look at what you wrote."), mine=update_.text))
        elif update_.kind == UPDATE_CAME_BACK:
            entries.append(TimelineEntry(update_.created_at, _l("You came back"),
                                         _l("Your request is open again, with its history. A clinician will look "
                                            "at what you wrote."), mine=update_.text))
        else:
            entries.append(TimelineEntry(update_.created_at, _l("You answered the question"),
                                         _l("Your answer was sent to the front door."), mine=update_.text))
    return sorted(entries, key=lambda e: e.at)


def status_title_for(req: SupportRequest) -> str:
    """The request's status as its requester reads it: "Sent" until the front door has it."""
    if req.status == RECEIVED and req.front_door_received_at is not None:
        return str(RECEIVED_BY_FRONT_DOOR[0])
    return str(STATUS_WORDS[req.status][0])


def open_question(req: SupportRequest) -> str | None:
    if req.status != MORE_INFORMATION_NEEDED:
        return None
    asked = [e for e in req.events if e.status == MORE_INFORMATION_NEEDED]
    return asked[-1].note_for_requester if asked else None


def still_waiting(req: SupportRequest) -> bool:
    return req.status in WAITING


def add_risk_signal(req: SupportRequest, kind: str, at: datetime | None = None) -> RiskSignal:
    """A reason to look at this request first, promised for the end of the next working day."""
    arrived = at or clock.now()
    signal = RiskSignal(request_id=req.id, kind=kind, arrived_at=arrived, due_by=promise_after(arrived))
    db.session.add(signal)
    return signal


def lock(req: SupportRequest) -> SupportRequest:
    """Take the request's row lock for the rest of the transaction, then read it again.

    An UPDATE of the row is the lock on both databases: PostgreSQL locks the row until commit, and
    SQLite takes its one write lock (reads there run outside a transaction until the first write, so
    what is read after this is the latest). Every change that reads the request and writes it back
    (the record, an update's key) comes after this, so concurrent changes queue instead of losing one.
    """
    db.session.execute(update(SupportRequest).where(SupportRequest.id == req.id)
                       .values(updated_at=clock.now()).execution_options(synchronize_session=False))
    db.session.refresh(req)
    for name in ("events", "updates", "risk_signals"):
        db.session.refresh(req, [name])
    return req


# -- changes ---------------------------------------------------------------------------------------

def record_status(req: SupportRequest, status: str, at: datetime, *, actor: str, service_id: str | None = None,
                  thrive_group: str | None = None, note: str | None = None) -> RequestStatusEvent:
    """Add a status event to the request: the one place one is made (the first, `received`, included).

    Everything that counts requests and their status events is told, in this transaction, through
    the `request_status_recorded` hook (waits marks its published figures out of date)."""
    event = RequestStatusEvent(request_id=req.id, status=status, occurred_at=at, service_id=service_id,
                               thrive_group=thrive_group, note_for_requester=note, actor=actor)
    db.session.add(event)
    for changed in hooks_for().request_status_recorded:
        changed()
    return event


def _tell_requester(req: SupportRequest) -> None:
    """By the requester's channels (webapp/messaging): an account's push, text, email or letter in
    their order; without an account, the ways they allowed on the request's contact step."""
    from webapp.messaging.service import absolute_link, notify
    from webapp.notifications.models import REQUEST_UPDATE

    page = f"/request-support/my-requests/{req.reference}" if req.requester_user_id is not None else "/track"
    notify(user_id=req.requester_user_id, request=req, kind=REQUEST_UPDATE, template="request_update",
           personalisation={"reference": req.reference, "link": absolute_link(page)},
           push={"title": N_("Update on your request"),
                 "body": N_("There is news about your request for support (%(reference)s)."),
                 "params": {"reference": req.reference}, "url": f"/request-support/my-requests/{req.reference}",
                 "topic": f"request-{req.id}"},
           subject_type="support_request", subject_id=req.id)


def send_update(req: SupportRequest) -> None:
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
    lock(req)
    now = clock.now()
    if thrive_group:
        req.thrive_group = thrive_group
    if service_id:
        req.service_id = service_id
    shown = (question if status == MORE_INFORMATION_NEEDED else note) or None
    event = record_status(req, status, now, actor=actor, thrive_group=req.thrive_group, note=shown,
                          service_id=req.service_id if status in (ALLOCATED, FIRST_APPOINTMENT, CLOSED) else None)
    req.status, req.updated_at = status, now
    db.session.flush()
    db.session.refresh(req, ["events"])
    actor_id = int(actor.removeprefix("user:")) if actor.startswith("user:") else None
    audit.record(f"support_request.{status}", actor_id=actor_id, subject_type="support_request", subject_id=req.id)
    if actor != "requester":  # nobody needs telling what they have just done themselves
        _tell_requester(req)
    if deliver:
        send_update(req)
    else:
        refresh_record(req)
    return event


def add_update(req: SupportRequest, kind: str, text: str, question: str | None = None) -> RequestUpdate:
    """A new row (never a rewrite of a list), so an update sent at the same moment as another is kept."""
    row = RequestUpdate(request_id=req.id, kind=kind, text=text.strip(), question=question, created_at=clock.now())
    db.session.add(row)
    return row


def report_worse(req: SupportRequest, text: str, actor_id: int | None) -> RiskSignal:
    """Into the risk band at the top of the queue, with what they wrote, and to the front door."""
    lock(req)
    add_update(req, UPDATE_WORSE, text)
    signal = add_risk_signal(req, SIGNAL_WORSE)
    db.session.flush()
    db.session.refresh(req, ["updates", "risk_signals"])
    send_update(req)
    audit.record("support_request.worse", actor_id=actor_id, subject_type="support_request", subject_id=req.id)
    return signal


def answer_question(req: SupportRequest, text: str, actor_id: int | None) -> None:
    """The answer joins the record and goes to the front door, and the request is back with it.
    It is not a risk signal: the request keeps its place, and any risk band it was in."""
    lock(req)
    question = open_question(req)
    add_update(req, UPDATE_ANSWER, text, question=question or "")
    now = clock.now()
    record_status(req, RECEIVED, now, actor="requester")
    req.status = RECEIVED
    db.session.flush()
    db.session.refresh(req, ["events", "updates"])
    send_update(req)
    audit.record("support_request.answered", actor_id=actor_id, subject_type="support_request", subject_id=req.id)


def mark_reviewed(req: SupportRequest, user) -> int:
    """Every open risk signal on the request is reviewed by this clinician (audited). Returns how many."""
    lock(req)
    now = clock.now()
    signals = [signal for signal in req.risk_signals if signal.reviewed_at is None]
    for signal in signals:
        signal.reviewed_at, signal.reviewed_by_id = now, user.id
    audit.record("support_request.reviewed", actor_id=user.id, subject_type="support_request", subject_id=req.id)
    return len(signals)


# -- the status API --------------------------------------------------------------------------------

from webapp.support import status_rules  # noqa: E402 - kept with the status API, its only user here

# Every string the payload may carry. Each is checked for refused characters before anything reads
# it: a lone surrogate cannot be encoded for either database, PostgreSQL refuses NUL in text, and the
# rest only arrive in hostile input or to make a note display other than as written.
NAME_FIELDS = ("status", "thrive_group", "service_id")
TEXT_FIELDS = (*NAME_FIELDS, "note_for_requester", "question", "wait_note", "paused_reason")
NAME_LIMIT = 60  # the longest a service id can be; statuses and groupings are shorter
REFUSED_CHARACTERS = (
    (re.compile(r"[\ud800-\udfff]"), "a lone surrogate, which is not valid Unicode text"),
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"),
     "a control character (of those only tab, newline and carriage return are allowed)"),
    # The explicit embeddings, overrides and isolates ("Trojan Source"): they make text display in an
    # order other than the one it was written in. The implicit marks (U+200E, U+200F, U+061C) stay
    # allowed: right-to-left languages need them, and they cannot reorder what is around them.
    (re.compile(r"[\u202a-\u202e\u2066-\u2069]"),
     "a bidirectional control character, which can make the text display in a misleading order"),
)


def _check_characters(name: str, value: Any) -> None:
    """Refuse a string holding a character no field may hold, or too long (422 naming what and where)."""
    if not isinstance(value, str):
        return
    for pattern, what in REFUSED_CHARACTERS:
        found = pattern.search(value)
        if found:
            raise ApiError(name, f"{name} contains {what}: U+{ord(found.group()):04X} at position {found.start()}")
    limit = NAME_LIMIT if name in NAME_FIELDS else NOTE_LIMIT
    if len(value) > limit:
        raise ApiError(name, f"{name} must be at most {limit} characters; this one has {len(value)}")


def _reopen(payload: dict[str, Any], status: Any) -> bool:
    reopen = payload.get("reopen")
    if reopen is None:
        return False
    if not isinstance(reopen, bool):
        raise ApiError("reopen", "reopen must be true or false")
    if reopen and status is None:
        raise ApiError("reopen", "reopen needs the status to reopen the request to, e.g. triaged")
    return reopen


def carries_news(req: SupportRequest, shown: str | None, group: str | None, service_id: str | None) -> bool:
    """Whether a move brings something new: a note unlike the last one, another grouping or service."""
    latest = max(req.events, key=lambda event: (event.occurred_at, event.id), default=None)
    new_note = bool(shown) and (latest is None or shown != latest.note_for_requester)
    moved_on = (group or req.thrive_group) != req.thrive_group or (service_id or req.service_id) != req.service_id
    return new_note or moved_on


def _check_move(req: SupportRequest, status: str, *, reopen: bool, shown: str | None, group: str | None,
                service_id: str | None) -> None:
    """The transition rules (webapp.support.status_rules), against the request as it is once locked,
    so two changes at once cannot both pass on what was there before either."""
    lock(req)
    try:
        status_rules.check_transition(req.status, status, reopen=reopen,
                                      carries_news=carries_news(req, shown, group, service_id))
    except status_rules.TransitionRefused as refused:
        raise ApiError(refused.field, refused.reason) from None


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
    """Validate everything first (422 on the first problem), then change the request and the service.

    Every string is checked for refused characters before anything else; a change of status follows
    the written rules (webapp.support.status_rules): a closed request comes back only with a reopen."""
    if not isinstance(payload, dict):
        raise ApiError("body", "the body must be a JSON object")
    for name in TEXT_FIELDS:
        _check_characters(name, payload.get(name))
    status = payload.get("status")
    wait_fields = {"wait_note", "paused", "paused_reason"} & set(payload)
    if status is None and not wait_fields:
        raise ApiError("status", f"status is required; use one of {', '.join(API_STATUSES)}")
    if status is not None and status not in API_STATUSES:
        raise ApiError("status", f"unknown status {status!r}; use one of {', '.join(API_STATUSES)}")
    reopen = _reopen(payload, status)
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
    if status is not None:
        shown = (question or note) if status == MORE_INFORMATION_NEEDED else note
        _check_move(req, status, reopen=reopen, shown=shown, group=group, service_id=service.id if service else None)
    if wait_fields:
        from webapp.directory.service import set_wait_note

        target = service or (db.session.get(Service, req.service_id) if req.service_id else None)
        if target is None:
            raise ApiError("service_id", "service_id is required to set a wait note or pause")
        set_wait_note(target.id, wait_note="" if "wait_note" in payload and wait_note is None else wait_note,
                      paused=paused, paused_reason=paused_reason)
    if status is None:
        return None
    if reopen:
        audit.record("support_request.reopened", subject_type="support_request", subject_id=req.id)
    return move(req, status, actor="ifd_api", thrive_group=group, service_id=service.id if service else None,
                note=note, question=question or note, deliver=False)


# -- the clinicians' queue ---------------------------------------------------------------------------

QUEUE_PAGE = 50


@dataclass(frozen=True)
class QueueRow:
    """A request in the queue; `signal_since`/`due_by` are set when it is in the risk band."""

    request: SupportRequest
    signal_since: datetime | None
    due_by: datetime | None
    signal_kinds: tuple[str, ...]

    @property
    def overdue(self) -> bool:
        return self.due_by is not None and self.due_by < clock.now()


def _open_signals():
    """Per request with unreviewed risk signals: the first one's arrival, the earliest promise, the kinds."""
    return (select(RiskSignal.request_id, func.min(RiskSignal.arrived_at).label("since"),
                   func.min(RiskSignal.due_by).label("due_by"))
            .where(RiskSignal.reviewed_at.is_(None)).group_by(RiskSignal.request_id).subquery())


def queue(status: str | None = None, thrive_group: str | None = None,
          page: int = 1) -> tuple[list[QueueRow], int]:
    """Requests made through Flourish, risk first: one band at the top holds every request with an
    unreviewed risk signal, by when the signal arrived; then the rest, oldest first. (rows, total)."""
    where = [SupportRequest.fhir_record.is_not(None)]
    if status in STATUSES:
        where.append(SupportRequest.status == status)
    else:
        where.append(SupportRequest.status != CLOSED)
    if thrive_group == "none":
        where.append(SupportRequest.thrive_group.is_(None))
    elif thrive_group in THRIVE_GROUPS:
        where.append(SupportRequest.thrive_group == thrive_group)
    signals = _open_signals()
    order = (case((signals.c.since.is_not(None), 0), else_=1), signals.c.since,
             SupportRequest.received_at, SupportRequest.id)
    total = db.session.scalar(select(func.count()).select_from(SupportRequest).where(*where)) or 0
    found = db.session.execute(
        select(SupportRequest, signals.c.since, signals.c.due_by)
        .outerjoin(signals, signals.c.request_id == SupportRequest.id)
        .where(*where).order_by(*order).limit(QUEUE_PAGE).offset((max(page, 1) - 1) * QUEUE_PAGE)).all()
    kinds: dict[int, set[str]] = {}
    banded = [row[0].id for row in found if row[1] is not None]
    if banded:  # the kinds of every banded row in one query (no N+1)
        for request_id, kind in db.session.execute(
                select(RiskSignal.request_id, RiskSignal.kind)
                .where(RiskSignal.request_id.in_(banded), RiskSignal.reviewed_at.is_(None))):
            kinds.setdefault(request_id, set()).add(kind)
    rows = [QueueRow(req, since, due_by, tuple(sorted(kinds.get(req.id, ())))) for req, since, due_by in found]
    return rows, total


def overdue_signals() -> tuple[int, datetime | None]:
    """(how many unreviewed risk signals are past their promise, the oldest promise) for system health."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(RiskSignal.due_by))
        .where(RiskSignal.reviewed_at.is_(None), RiskSignal.due_by < clock.now())).one()
    return count or 0, oldest


def record_view(req: SupportRequest, user) -> None:
    """Audited; and a clinician who has opened the request means the front door has it."""
    delivery.mark_received_by_front_door([req.id])
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
    """The requests this person made, with every answer and each step, for "download my data".
    (Requests sent before what people add went to its own table hold an empty `updates` list in
    their answers, which nothing reads: left out.)"""
    requests = db.session.scalars(select(SupportRequest).where(SupportRequest.requester_user_id == user.id)
                                  .order_by(SupportRequest.received_at.desc())
                                  .options(selectinload(SupportRequest.events), selectinload(SupportRequest.updates)))
    return [{"reference": r.reference, "received_at": r.received_at.isoformat(), "status": r.status,
             "answers": {key: value for key, value in r.answers.items() if key != "updates"},
             "timeline": [{"status": e.status, "at": e.occurred_at.isoformat(),
                           "note_for_requester": e.note_for_requester} for e in r.events],
             "what_you_told_us_since": [{"kind": u.kind, "question": u.question, "words": u.text,
                                         "sent_at": u.created_at.isoformat()} for u in r.updates]}
            for r in requests] + [{"unsent_draft": d} for d in drafts.drafts_for_export(user.id)]
