"""My safety plan: the six Stanley-Brown steps, reasons for living and a trusted adult.

The plan lives on the person's device (encrypted there by static/js/safety_plan/plan-store.js).
A signed-in young person may also keep a copy in their account (off by default) and share it with
the worker allocated to their open request for support (off by default, revocable, audited). A
parent never sees it. The worker may add to a shared plan; each addition keeps who wrote it.
No `request` here: plain functions over the session, the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp import audit, clock
from webapp.accounts.roles import Role, has_role
from webapp.extensions import db
from webapp.i18n import N_
from webapp.safety_plan.models import SafetyPlan, SafetyPlanAddition

TEXT_LIMIT = 5000  # characters in one step: long enough for anything, short enough to print
NAME_LIMIT = 100
PHONE_LIMIT = 30
HELPERS, PROFESSIONALS = 3, 4


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    hint: Any
    contacts: int = 0  # > 0: a list of (name, phone) pairs, named <key>_<n>_name / <key>_<n>_phone


STEPS = (
    Step("warning_signs", _l("1. My warning signs"),
         _l("Thoughts, feelings, pictures or things that happen that tell me a hard time may be coming.")),
    Step("coping", _l("2. Things I can do on my own to take my mind off things"),
         _l("For example music, a walk, a game, a shower, drawing, a breathing exercise.")),
    Step("people_places", _l("3. People and places that help me feel better"),
         _l("People I like being with, and places where I feel calmer, without having to talk about how I feel.")),
    Step("helper", _l("4. People I can ask for help"),
         _l("Friends or family I can tell when I am not OK. Add a number to call or text them in one tap."),
         contacts=HELPERS),
    Step("professional", _l("5. Professionals and services I can contact"),
         _l("We have added some that are open day and night. Change them, and add your GP or your worker."),
         contacts=PROFESSIONALS),
    Step("safer", _l("6. Making where I am safer"),
         _l("Things I can do to make where I am safer, like asking someone to keep things I could hurt myself with.")),
)
REASONS = Step("reasons", _l("My reasons for living"),
               _l("What matters to me and is worth staying safe for: people, pets, plans, anything."))
TRUSTED = Step("trusted", _l("My trusted adult"),
               _l("An adult I trust to tell if things get too much."), contacts=1)
ALL_STEPS = (*STEPS, REASONS, TRUSTED)
TEXT_STEPS = tuple(step.key for step in ALL_STEPS if not step.contacts)
# Steps a worker may add to.
ADDABLE_STEPS = tuple((step.key, step.title) for step in (*STEPS, REASONS))


def contact_fields(step: Step) -> list[tuple[str, str]]:
    """(name field, phone field) for each contact of a step."""
    if step.key == "trusted":
        return [("trusted_name", "trusted_phone")]
    return [(f"{step.key}_{n}_name", f"{step.key}_{n}_phone") for n in range(1, step.contacts + 1)]


def _all_fields() -> tuple[str, ...]:
    names: list[str] = []
    for step in ALL_STEPS:
        names.extend([step.key] if not step.contacts else [name for pair in contact_fields(step) for name in pair])
    return tuple(names)


FIELDS = _all_fields()
PHONE_FIELDS = tuple(name for name in FIELDS if name.endswith("_phone"))

PHONE_MESSAGE = _l("Enter a phone number using digits, like 07700 900123 or 116 123. "
                   "You can use spaces, brackets and a + at the start.")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_PHONE_DIGITS = re.compile(r"^\+?[0-9]{3,15}$")


class PlanError(ValueError):
    def __init__(self, field: str, message: Any):
        super().__init__(field)
        self.field = field
        self.message = message


def phone_digits(value: str | None) -> str | None:
    """What a phone dials ("07700 900123" -> "07700900123"), or None when it is not a phone number."""
    if not value or not value.strip():
        return None
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    return compact if _PHONE_DIGITS.match(compact) else None


def valid_phone(value: str | None) -> bool:
    return not (value or "").strip() or phone_digits(value) is not None


def clean_content(content: dict[str, Any]) -> dict[str, str]:
    """Only the plan's own fields, as typed (kept exactly: emoji, right-to-left text, line breaks).

    Raises PlanError for the first field that is too long or a phone number that is not one."""
    cleaned: dict[str, str] = {}
    for name in FIELDS:
        value = content.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        limit = PHONE_LIMIT if name in PHONE_FIELDS else NAME_LIMIT if name.endswith("_name") else TEXT_LIMIT
        if len(value) > limit:
            raise PlanError(name, _l("Use %(limit)d characters or fewer.", limit=limit))
        if name in PHONE_FIELDS and not valid_phone(value):
            raise PlanError(name, PHONE_MESSAGE)
        cleaned[name] = value
    return cleaned


def prefilled() -> dict[str, str]:
    """A new plan's professionals: crisis lines open day and night (from webapp/data/crisis_lines.yaml)."""
    from webapp.core.service import crisis_lines

    lines = [line for line in crisis_lines() if line.id != "emergency"][:PROFESSIONALS - 1]
    values: dict[str, str] = {}
    for n, line in enumerate(lines, start=1):
        values[f"professional_{n}_name"] = str(_l(line.name))
        values[f"professional_{n}_phone"] = line.number
    return values


# ---------------------------------------------------------------- the account copy

def plan_for(user_id: int) -> SafetyPlan | None:
    return db.session.get(SafetyPlan, user_id)


def settings_for(user_id: int) -> SafetyPlan:
    plan = db.session.get(SafetyPlan, user_id)
    if plan is None:
        plan = SafetyPlan(user_id=user_id, keep_in_account=False, share_with_worker=False, content={},
                          created_at=clock.now(), updated_at=clock.now())
        db.session.add(plan)
        db.session.flush()
    return plan


def _locked(user_id: int) -> SafetyPlan:
    """The person's plan row, made if missing, under a row lock for the rest of the transaction, read
    again after it: turning the account copy off and a save arriving at the same moment queue, so
    words the person deleted are never written back."""
    settings_for(user_id)
    db.session.execute(update(SafetyPlan).where(SafetyPlan.user_id == user_id)
                       .values(updated_at=clock.now()).execution_options(synchronize_session=False))
    plan = db.session.get(SafetyPlan, user_id)
    db.session.refresh(plan)
    return plan


def account_copy(user_id: int) -> SafetyPlan | None:
    """The plan kept in the account, or None when the person has not chosen to keep one."""
    plan = plan_for(user_id)
    return plan if plan is not None and plan.keep_in_account else None


def set_keep_in_account(user_id: int, on: bool) -> SafetyPlan:
    """Turning the account copy off deletes it (words, additions, sharing and the review reminder);
    the copy on the device stays."""
    plan = _locked(user_id)
    if plan.keep_in_account == on:
        return plan
    plan.keep_in_account, plan.updated_at = on, clock.now()
    if not on:
        plan.content, plan.share_with_worker, plan.review_on = {}, False, None
        for addition in additions_for(user_id):
            db.session.delete(addition)
        _cancel_review(user_id)
    audit.record("safety_plan.account_copy_on" if on else "safety_plan.account_copy_off", actor_id=user_id,
                 subject_type="user", subject_id=user_id)
    return plan


def save(user_id: int, content: dict[str, Any]) -> SafetyPlan:
    """Keep the plan's words in the account (only when the person chose to)."""
    plan = _locked(user_id)
    if not plan.keep_in_account:
        raise PlanError("keep", _l("Choose to keep a copy in your account first."))
    plan.content, plan.updated_at = clean_content(content), clock.now()
    audit.record("safety_plan.saved", actor_id=user_id, subject_type="user", subject_id=user_id)
    return plan


def set_sharing(user_id: int, on: bool) -> SafetyPlan:
    plan = _locked(user_id)
    if on and not plan.keep_in_account:
        raise PlanError("share", _l("Keep a copy in your account first: your worker can only see a plan kept there."))
    if plan.share_with_worker != on:
        plan.share_with_worker, plan.updated_at = on, clock.now()
        audit.record("safety_plan.sharing_on" if on else "safety_plan.sharing_off", actor_id=user_id,
                     subject_type="user", subject_id=user_id)
    return plan


def additions_for(user_id: int) -> list[SafetyPlanAddition]:
    return list(db.session.scalars(select(SafetyPlanAddition).where(SafetyPlanAddition.plan_user_id == user_id)
                                   .order_by(SafetyPlanAddition.created_at, SafetyPlanAddition.id)))


def additions_by_step(user_id: int) -> dict[str, list[SafetyPlanAddition]]:
    grouped: dict[str, list[SafetyPlanAddition]] = {}
    for addition in additions_for(user_id):
        grouped.setdefault(addition.step, []).append(addition)
    return grouped


# ---------------------------------------------------------------- sharing with the allocated worker

def allocated_clinician_ids(young_person_id: int) -> set[int]:
    """Clinicians allocated to this person's own open requests for support (none without the support package)."""
    try:
        from webapp.support.models import CLOSED, SupportRequest
    except ImportError:
        return set()
    query = select(SupportRequest.assigned_clinician_id).where(
        SupportRequest.requester_user_id == young_person_id, SupportRequest.assigned_clinician_id.is_not(None),
        SupportRequest.status != CLOSED)
    return set(db.session.scalars(query))


def worker_may_see(viewer: Any, young_person_id: int) -> bool:
    """The one rule: only a clinician allocated to one of the young person's open requests, only while
    they keep the plan in their account and share it. Nobody else: not a parent, not an admin."""
    if not has_role(viewer, Role.CLINICIAN) or viewer.id == young_person_id:
        return False
    plan = plan_for(young_person_id)
    return bool(plan and plan.keep_in_account and plan.share_with_worker
                and viewer.id in allocated_clinician_ids(young_person_id))


def shared_plan(viewer: Any, young_person_id: int) -> SafetyPlan | None:
    return plan_for(young_person_id) if worker_may_see(viewer, young_person_id) else None


def shared_view(plan: SafetyPlan) -> dict[str, Any]:
    """What a worker's page shows: the plan, additions by step and their authors (by id)."""
    from webapp.accounts.models import User

    additions = additions_by_step(plan.user_id)
    authors = {a.author_id: db.session.get(User, a.author_id) for items in additions.values() for a in items
               if a.author_id}
    return {"plan": plan, "additions": additions, "authors": authors}


def add_by_worker(viewer: Any, young_person_id: int, step: str, text: str) -> SafetyPlanAddition:
    if not worker_may_see(viewer, young_person_id):
        raise PermissionError("not shared with this worker")
    if step not in dict(ADDABLE_STEPS):
        raise PlanError("step", _l("Choose which part of the plan this is for."))
    if not text or not text.strip():
        raise PlanError("text", _l("Write what you are adding."))
    if len(text) > TEXT_LIMIT:
        raise PlanError("text", _l("Use %(limit)d characters or fewer.", limit=TEXT_LIMIT))
    addition = SafetyPlanAddition(plan_user_id=young_person_id, step=step, text=text, author_id=viewer.id,
                                  created_at=clock.now())
    db.session.add(addition)
    db.session.flush()
    audit.record("safety_plan.worker_added", actor_id=viewer.id, subject_type="user", subject_id=young_person_id)
    return addition


# ---------------------------------------------------------------- review date reminder

REVIEW_SUBJECT = "safety_plan_review"
REVIEW_AT = time(10, 0)  # UK time on the chosen day: daytime, outside the usual quiet hours


def set_review(user_id: int, on: date | None):
    """Choose (or clear) the day to look over the plan; a discreet reminder goes through the outbox."""
    from webapp.notifications import service as notifications
    from webapp.notifications.models import SAFETY_PLAN_REVIEW

    if on is not None and on <= clock.today_local():
        raise PlanError("review_on", _l("Choose a day after today to look over your plan."))
    if on is not None and (on - clock.today_local()).days > 366:
        raise PlanError("review_on", _l("Choose a day within the next year to look over your plan."))
    plan = settings_for(user_id)
    plan.review_on, plan.updated_at = on, clock.now()
    _cancel_review(user_id)
    audit.record("safety_plan.review_set" if on else "safety_plan.review_cleared", actor_id=user_id,
                 subject_type="user", subject_id=user_id)
    if on is None:
        return None
    due = clock.local_to_utc(on, REVIEW_AT)
    return notifications.schedule(
        user_id=user_id, kind=SAFETY_PLAN_REVIEW, due_at=due, expires_at=due.replace(hour=23),
        title=N_("A reminder you asked for"), body=N_("You chose today to look over something you made in Flourish."),
        url="/safety-plan", subject_type=REVIEW_SUBJECT, subject_id=user_id, topic="safety-plan-review")


def _cancel_review(user_id: int) -> None:
    from webapp.notifications import service as notifications

    notifications.cancel(REVIEW_SUBJECT, user_id)


def pending_review(user_id: int):
    from webapp.notifications import service as notifications

    found = notifications.pending_for(REVIEW_SUBJECT, user_id)
    return found[0] if found else None


# ---------------------------------------------------------------- export

def as_text(content: dict[str, str], additions: dict[str, list[SafetyPlanAddition]] | None = None) -> str:
    """The plan as plain text, for a file the person keeps (UTF-8, their words exactly)."""
    lines = [str(_l("My safety plan")), ""]
    for step in ALL_STEPS:
        lines.append(str(step.title))
        if step.contacts:
            for name_field, phone_field in contact_fields(step):
                name, phone = content.get(name_field, ""), content.get(phone_field, "")
                if name or phone:
                    lines.append(f"- {name} {phone}".rstrip())
        elif content.get(step.key):
            lines.append(content[step.key])
        for addition in (additions or {}).get(step.key, []):
            lines.append(str(_l("Added by your worker: %(text)s", text=addition.text)))
        lines.append("")
    return "\n".join(lines)


def export_for(user) -> dict[str, Any] | None:
    plan = plan_for(user.id)
    if plan is None:
        return None
    return {"keep_in_account": plan.keep_in_account, "share_with_worker": plan.share_with_worker,
            "content": plan.content or {}, "review_on": plan.review_on.isoformat() if plan.review_on else None,
            "worker_additions": [{"step": a.step, "text": a.text, "added_at": a.created_at.isoformat()}
                                 for a in additions_for(user.id)]}
