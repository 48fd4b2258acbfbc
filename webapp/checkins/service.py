"""Wait well: everyone still waiting is asked "How are things now?" every few weeks, and every answer
does something (never nothing, and never a discharge by itself).

- Worse: into the risk band at once (a risk signal with its dated promise), urgent help shown.
- OK now: onto the clinicians' "to confirm" list; only a clinician closes the request, and says so.
- Not sure: the request is marked "would like a call" for the clinicians.
- Still need help: stays; the person sees their estimate again.
- No answer: one reminder after 7 days; after 14 days, the "not heard from" list for outreach.

Each answer is its own row, answered once (a replay changes nothing), and goes to the front door as an
update of the record. Plain functions over the session; no `request`. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from webapp import audit, clock
from webapp.checkins.models import ANSWERS, NOT_SURE, OK_NOW, WORSE, WaitCheckIn
from webapp.database import hold_job_lock
from webapp.directory.models import Service
from webapp.extensions import db
from webapp.i18n import N_
from webapp.support import service as support
from webapp.support.models import (
    ALLOCATED,
    CLOSED,
    SIGNAL_CHECK_IN_WORSE,
    SIGNAL_NOT_SURE,
    SIGNAL_WORSE,
    TRIAGED,
    UPDATE_CAME_BACK,
    RiskSignal,
    SupportRequest,
)

DEFAULT_WEEKS, FEWEST_WEEKS, MOST_WEEKS = 4, 2, 8
REMIND_AFTER = timedelta(days=7)
NOT_HEARD_AFTER = timedelta(days=14)
SCHEDULE = "schedule"
WORDS_LIMIT = 1000


class CheckInNotFound(LookupError):
    """No such check-in for this request (or it is someone else's): the same answer for every reason."""


class NotWaiting(ValueError):
    """The request is closed or has its help: there is nothing to check in about."""


def cadence(weeks: int | None) -> timedelta:
    return timedelta(weeks=min(max(weeks or DEFAULT_WEEKS, FEWEST_WEEKS), MOST_WEEKS))


# -- asking ---------------------------------------------------------------------------------------

def _last_asked():
    return (select(WaitCheckIn.request_id, func.max(WaitCheckIn.asked_at).label("last"))
            .group_by(WaitCheckIn.request_id).subquery())


def due_requests(now: datetime) -> list[tuple[int, int | None, str]]:
    """(request id, requester's user id, reference) of each request still waiting whose last check-in
    (or, before the first, the request) is at least its service's cadence ago. The query narrows by the
    shortest cadence; each service's own is applied here."""
    last = _last_asked()
    since = func.coalesce(last.c.last, SupportRequest.received_at)
    rows = db.session.execute(
        select(SupportRequest.id, SupportRequest.requester_user_id, SupportRequest.reference, since.label("since"),
               Service.check_in_weeks)
        .outerjoin(last, last.c.request_id == SupportRequest.id)
        .outerjoin(Service, Service.id == SupportRequest.service_id)
        .where(SupportRequest.status.in_(support.WAITING), SupportRequest.fhir_record.is_not(None),
               since <= now - cadence(FEWEST_WEEKS))
        .order_by(SupportRequest.id))
    return [(request_id, user_id, reference) for request_id, user_id, reference, asked_since, weeks in rows
            if _aware(asked_since) <= now - cadence(weeks)]


def _aware(moment: datetime | str) -> datetime:
    """coalesce() loses the column type on SQLite, so the moment may come back as text or naive."""
    from datetime import UTC

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def ask_due() -> int:
    """Worker job: ask everyone whose check-in is due, in one transaction. Once per pass across every
    worker (the job's lock): a worker that finds it taken leaves the pass to the one holding it, and what
    is due is read only after the lock is held, so nobody is asked twice."""
    if not hold_job_lock("ask how things are while waiting"):
        return 0
    due = due_requests(clock.now())
    if not due:
        return 0
    for start in range(0, len(due), BATCH):
        _ask_many(due[start:start + BATCH])
    return len(due)


BATCH = 5_000


def _ask_many(due: list[tuple[int, int | None, str]]) -> None:
    """Check-ins and their notifications as multi-row INSERTs (a pass may ask tens of thousands)."""
    from sqlalchemy import insert

    from webapp.notifications.service import schedule_many

    now = clock.now()
    made = db.session.execute(
        insert(WaitCheckIn).returning(WaitCheckIn.id, WaitCheckIn.request_id, sort_by_parameter_order=True),
        [{"request_id": request_id, "asked_at": now, "asked_by": SCHEDULE} for request_id, _user, _ref in due]).all()
    from webapp.messaging.service import users_with_channels

    asked = [(check_in_id, request_id, user_id, reference)
             for (check_in_id, request_id), (_id, user_id, reference) in zip(made, due, strict=True)]
    chose = users_with_channels({user_id for _c, _r, user_id, _ref in asked if user_id is not None})
    schedule_many([_notification(user_id, reference, check_in_id, request_id)
                   for check_in_id, request_id, user_id, reference in asked
                   if user_id is not None and user_id not in chose])
    _tell_by_channels([(check_in_id, request_id) for check_in_id, request_id, user_id, _ref in asked
                       if user_id is None or user_id in chose])


def _tell_by_channels(asked: list[tuple[int, int]]) -> None:
    """Those who chose texts, emails or letters, and requesters without an account (by the ways they
    allowed): one by one through webapp/messaging (a few, next to the many push reminders above)."""
    if not asked:
        return
    requests = {req.id: req for req in db.session.scalars(
        select(SupportRequest).where(SupportRequest.id.in_([request_id for _c, request_id in asked])))}
    for check_in_id, request_id in asked:
        _tell(requests[request_id], check_in_id)


def _tell(req: SupportRequest, check_in_id: int) -> None:
    from webapp.messaging.service import absolute_link, notify, push_arguments

    scheduled = _notification(req.requester_user_id or 0, req.reference, check_in_id, req.id)
    page = scheduled["url"] if req.requester_user_id is not None else "/track"
    notify(user_id=req.requester_user_id, request=req, kind=scheduled["kind"], template="check_in",
           personalisation={"link": absolute_link(page)}, push=push_arguments(scheduled),
           subject_type=scheduled["subject_type"], subject_id=check_in_id)


def ask_now(req: SupportRequest, user) -> WaitCheckIn:
    """A clinician's "ask how they are": a check-in now, whatever the cadence."""
    support.lock(req)
    if req.status not in support.WAITING:
        raise NotWaiting(req.status)
    check_in = _ask(req, f"user:{user.id}")
    audit.record("wait_check_in.asked", actor_id=user.id, subject_type="support_request", subject_id=req.id)
    return check_in


def _ask(req: SupportRequest, asked_by: str) -> WaitCheckIn:
    check_in = WaitCheckIn(request_id=req.id, asked_at=clock.now(), asked_by=asked_by)
    db.session.add(check_in)
    db.session.flush()
    _notify(req, check_in)
    return check_in


def _notify(req: SupportRequest, check_in: WaitCheckIn) -> None:
    """By the requester's channels (webapp/messaging): push, text, email or letter in their order; a
    requester without an account by the ways they allowed on the request."""
    _tell(req, check_in.id)


def _notification(user_id: int, reference: str, check_in_id: int, request_id: int) -> dict:
    from webapp.notifications.models import REQUEST_UPDATE

    return {"user_id": user_id, "kind": REQUEST_UPDATE, "due_at": clock.now(), "title": N_("How are things now?"),
            "body": N_("Tell us how things are while you wait (%(reference)s). It takes two taps."),
            "params": {"reference": reference}, "url": f"/request-support/my-requests/{reference}#check-in",
            "subject_type": "wait_check_in", "subject_id": check_in_id, "topic": f"check-in-{request_id}"}


def remind_due() -> int:
    """Worker job: one reminder for a check-in left unanswered for 7 days (set once, by one worker)."""
    now = clock.now()
    candidates = db.session.scalars(
        select(WaitCheckIn).join(SupportRequest, SupportRequest.id == WaitCheckIn.request_id)
        .where(WaitCheckIn.answered_at.is_(None), WaitCheckIn.reminded_at.is_(None),
               WaitCheckIn.asked_at <= now - REMIND_AFTER, SupportRequest.status.in_(support.WAITING))).all()
    reminded = 0
    for check_in in candidates:
        claimed = db.session.execute(
            update(WaitCheckIn).where(WaitCheckIn.id == check_in.id, WaitCheckIn.reminded_at.is_(None),
                                      WaitCheckIn.answered_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed:
            _notify(check_in.request, check_in)
            reminded += 1
        db.session.commit()
    return reminded


# -- answering ------------------------------------------------------------------------------------

def open_check_in(req: SupportRequest) -> WaitCheckIn | None:
    """The latest unanswered check-in of a request still waiting, for its page."""
    if req.status not in support.WAITING:
        return None
    latest = db.session.scalar(select(WaitCheckIn).where(WaitCheckIn.request_id == req.id)
                               .order_by(WaitCheckIn.asked_at.desc(), WaitCheckIn.id.desc()).limit(1))
    return latest if latest is not None and latest.answered_at is None else None


@dataclass(frozen=True)
class Answered:
    check_in: WaitCheckIn
    signal: RiskSignal | None  # for "worse": the promise made
    replay: bool  # already answered: nothing was changed


def answer(req: SupportRequest, check_in_id: int, given: str, words: str | None,
           actor_id: int | None) -> Answered:
    """Record the answer once and do what it asks. A replay (the same check-in answered again, a double
    tap, a resent form) returns what was recorded and changes nothing."""
    if given not in ANSWERS:
        raise ValueError(given)
    support.lock(req)
    check_in = db.session.get(WaitCheckIn, check_in_id)
    if check_in is None or check_in.request_id != req.id:
        raise CheckInNotFound(check_in_id)
    if check_in.answered_at is not None:
        return Answered(check_in, _signal_for(check_in), replay=True)
    if req.status not in support.WAITING:
        raise NotWaiting(req.status)
    now = clock.now()
    check_in.answer, check_in.words, check_in.answered_at = given, (words or "").strip() or None, now
    signal = support.add_risk_signal(req, SIGNAL_CHECK_IN_WORSE, now) if given == WORSE else None
    db.session.flush()
    db.session.refresh(req, ["risk_signals"])
    support.send_update(req)
    audit.record(f"wait_check_in.{given}", actor_id=actor_id, subject_type="support_request", subject_id=req.id)
    return Answered(check_in, signal, replay=False)


def _signal_for(check_in: WaitCheckIn) -> RiskSignal | None:
    if check_in.answer != WORSE:
        return None
    return db.session.scalar(select(RiskSignal).where(
        RiskSignal.request_id == check_in.request_id, RiskSignal.kind == SIGNAL_CHECK_IN_WORSE,
        RiskSignal.arrived_at == check_in.answered_at).limit(1))


def answered_for(req: SupportRequest) -> list[WaitCheckIn]:
    return list(db.session.scalars(select(WaitCheckIn).where(WaitCheckIn.request_id == req.id,
                                                             WaitCheckIn.answered_at.is_not(None))
                                   .order_by(WaitCheckIn.answered_at, WaitCheckIn.id)))


def all_for(req: SupportRequest) -> list[WaitCheckIn]:
    return list(db.session.scalars(select(WaitCheckIn).where(WaitCheckIn.request_id == req.id)
                                   .order_by(WaitCheckIn.asked_at.desc(), WaitCheckIn.id.desc())))


def export_for(user) -> list[dict]:
    """Every "How are things now?" asked about this person's requests, and what they answered, for
    "download my data"."""
    rows = db.session.execute(
        select(SupportRequest.reference, WaitCheckIn).join(WaitCheckIn, WaitCheckIn.request_id == SupportRequest.id)
        .where(SupportRequest.requester_user_id == user.id).order_by(WaitCheckIn.asked_at, WaitCheckIn.id))

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return [{"request": reference, "asked_at": when(row.asked_at), "answer": row.answer, "words": row.words,
             "answered_at": when(row.answered_at), "decision": row.decision, "decided_at": when(row.decided_at)}
            for reference, row in rows]


# -- the clinicians' lists -----------------------------------------------------------------------

def _waiting_join(query):
    return query.join(SupportRequest, SupportRequest.id == WaitCheckIn.request_id).where(
        SupportRequest.status.in_(support.WAITING))


def to_confirm() -> list[WaitCheckIn]:
    """"I'm OK now" answers no clinician has decided on: nobody leaves the list by themselves."""
    return list(db.session.scalars(_waiting_join(select(WaitCheckIn)).where(
        WaitCheckIn.answer == OK_NOW, WaitCheckIn.decision.is_(None)).order_by(WaitCheckIn.answered_at)))


def would_like_a_call() -> list[WaitCheckIn]:
    return list(db.session.scalars(_waiting_join(select(WaitCheckIn)).where(
        WaitCheckIn.answer == NOT_SURE, WaitCheckIn.decision.is_(None)).order_by(WaitCheckIn.answered_at)))


def not_heard_from() -> list[WaitCheckIn]:
    """Requests whose latest check-in has gone 14 days unanswered: for outreach, never discharge."""
    last = _last_asked()
    return list(db.session.scalars(
        _waiting_join(select(WaitCheckIn))
        .join(last, (last.c.request_id == WaitCheckIn.request_id) & (last.c.last == WaitCheckIn.asked_at))
        .where(WaitCheckIn.answered_at.is_(None), WaitCheckIn.asked_at <= clock.now() - NOT_HEARD_AFTER)
        .order_by(WaitCheckIn.asked_at)))


def decide(check_in: WaitCheckIn, decision: str, note: str, user) -> None:
    """A clinician's decision on an "OK now" (closed or kept) or a "not sure" (called); the person is told."""
    req = check_in.request
    support.lock(req)
    db.session.refresh(check_in)  # read after the lock: two clinicians at once decide once
    if check_in.decision is not None:
        return
    check_in.decision, check_in.decided_at, check_in.decided_by_id = decision, clock.now(), user.id
    if decision == CLOSED:
        support.move(req, CLOSED, actor=f"user:{user.id}", note=note)
    elif note:
        support.move(req, req.status, actor=f"user:{user.id}", note=note)
    audit.record(f"wait_check_in.{decision}", actor_id=user.id, subject_type="support_request", subject_id=req.id)


# -- coming back without starting again --------------------------------------------------------------

COME_BACK_FOR = timedelta(days=183)  # six months from closing


def closed_at(req: SupportRequest) -> datetime | None:
    closings = [event.occurred_at for event in req.events if event.status == CLOSED]
    return max(closings) if closings else None


def can_come_back(req: SupportRequest) -> bool:
    """Closed within the last six months: one short page reopens it, with its history."""
    closed = closed_at(req) if req.status == CLOSED else None
    return closed is not None and clock.now() - closed <= COME_BACK_FOR


def come_back(req: SupportRequest, what_changed: str, worse: str, actor_id: int | None) -> RiskSignal | None:
    """Reopen a closed request to the same team (its service, else the front door's triage), with what
    changed; "worse" or "not sure" puts it in the risk band. Once: a second try finds it open."""
    support.lock(req)
    if not can_come_back(req):
        raise NotWaiting(req.status)
    support.add_update(req, UPDATE_CAME_BACK, what_changed)
    signal = support.add_risk_signal(req, SIGNAL_WORSE if worse == "yes" else SIGNAL_NOT_SURE) \
        if worse in ("yes", "not_sure") else None
    db.session.flush()
    support.move(req, ALLOCATED if req.service_id else TRIAGED, actor="requester")
    audit.record("support_request.came_back", actor_id=actor_id, subject_type="support_request", subject_id=req.id)
    return signal


def record_items(req: SupportRequest) -> list[dict]:
    """Each answered check-in as a QuestionnaireResponse item of the front-door record."""
    labels = {"still_need": "I still need help", "ok_now": "I'm OK now", "worse": "Things are worse",
              "not_sure": "Not sure"}
    items = []
    for number, check_in in enumerate(answered_for(req), start=1):
        answer_ = [{"valueString": labels[check_in.answer]}]
        if check_in.words:
            answer_.append({"valueString": check_in.words})
        items.append({"linkId": f"check-in-{number}",
                      "text": f"How are things now? (check-in while waiting, {check_in.answered_at.isoformat()})",
                      "answer": answer_})
    return items
