"""Sharing goals with the worker a request is allocated to, and goals carried over from a request.

The support package is optional here: its models are imported lazily, so goals work (and share
with nobody) when there is no support package or no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from webapp import audit, clock
from webapp.accounts.roles import Role, has_role
from webapp.extensions import db
from webapp.goals import service
from webapp.goals.models import Goal, GoalSettings


def _support():
    """(SupportRequest, CLOSED) or None when the support package is not there."""
    try:
        from webapp.support.models import CLOSED, SupportRequest
    except ImportError:
        return None
    return SupportRequest, CLOSED


def allocated_clinician_ids(young_person_id: int) -> set[int]:
    """Clinicians allocated to this person's own open requests for support."""
    support = _support()
    if support is None:
        return set()
    request_model, closed = support
    query = select(request_model.assigned_clinician_id).where(
        request_model.requester_user_id == young_person_id, request_model.assigned_clinician_id.is_not(None),
        request_model.status != closed)
    return set(db.session.scalars(query))


def sharing_on(young_person_id: int) -> bool:
    settings = db.session.get(GoalSettings, young_person_id)
    return bool(settings and settings.share_with_worker)


def worker_may_see(viewer: Any, young_person_id: int) -> bool:
    """The one rule: a clinician sees a young person's goals only while that person shares them and
    the clinician is allocated to one of their open requests. Turning sharing off hides them at once."""
    if not has_role(viewer, Role.CLINICIAN) or viewer.id == young_person_id:
        return False
    return sharing_on(young_person_id) and viewer.id in allocated_clinician_ids(young_person_id)


def set_sharing(user_id: int, on: bool) -> GoalSettings:
    settings = service.settings_for(user_id)
    if settings.share_with_worker != on:
        settings.share_with_worker, settings.updated_at = on, clock.now()
        audit.record("goals.sharing_on" if on else "goals.sharing_off", actor_id=user_id,
                     subject_type="user", subject_id=user_id)
    return settings


@dataclass(frozen=True)
class SharedGoals:
    young_person_id: int
    active: list[service.Progress]
    closed: list[Goal]

    @property
    def review_suggested(self) -> bool:
        return service.any_stalled(self.active)


def shared_goals(viewer: Any, young_person_id: int) -> SharedGoals | None:
    """The goals a clinician may see, or None when the rule says no."""
    if not worker_may_see(viewer, young_person_id):
        return None
    active = [p for p in (service.progress_for(g) for g in service.active_goals(young_person_id)) if p]
    return SharedGoals(young_person_id, active, service.closed_goals(young_person_id))


# ---------------------------------------------------------------- carried over from a request

@dataclass(frozen=True)
class CarryOverOffer:
    request_id: int
    reference: str
    received_at: datetime
    goals: list[tuple[int, str]]  # (index in the request, text)


def carry_over_offers(user_id: int) -> list[CarryOverOffer]:
    """Goals written in this person's own requests for support, not yet added or turned down."""
    support = _support()
    if support is None:
        return []
    request_model, _closed = support
    settings = db.session.get(GoalSettings, user_id)
    dismissed = set(settings.dismissed_request_ids or []) if settings else set()
    requests = db.session.scalars(select(request_model).where(request_model.requester_user_id == user_id)
                                  .order_by(request_model.received_at.desc()))
    carried = {(row[0], row[1]) for row in db.session.execute(select(Goal.source_request_id, Goal.source_goal_index)
                                                               .where(Goal.user_id == user_id,
                                                                      Goal.source_request_id.is_not(None)))}
    offers = []
    for support_request in requests:
        if support_request.id in dismissed:
            continue
        written = (support_request.answers or {}).get("goals") or []
        goals = [(i, " ".join(text.split())[:service.GOAL_TEXT_LIMIT]) for i, text in enumerate(written[:3])
                 if isinstance(text, str) and text.strip() and (support_request.id, i) not in carried]
        if goals:
            offers.append(CarryOverOffer(support_request.id, support_request.reference,
                                         support_request.received_at, goals))
    return offers


def offered_goal(user_id: int, request_id: int, index: int) -> str | None:
    """The text of one goal still on offer, or None."""
    for offer in carry_over_offers(user_id):
        if offer.request_id == request_id:
            return dict(offer.goals).get(index)
    return None


def dismiss_offer(user_id: int, request_id: int) -> None:
    settings = service.settings_for(user_id)
    if request_id not in (settings.dismissed_request_ids or []):
        settings.dismissed_request_ids = [*(settings.dismissed_request_ids or []), request_id]
        settings.updated_at = clock.now()
