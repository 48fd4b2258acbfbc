"""Is wait well working? The figures leaders see, by service and by age band, from the check-ins and
risk signals themselves (never a separate count that could drift).

- answered within 14 days: of the check-ins asked at least 14 days ago, the share answered within 14.
- answers by kind; "OK now" closed by a clinician, kept open, or still to confirm.
- worse to review: of the reviewed "worse" check-in signals, how many were reviewed by their promise,
  and the median hours it took.
- not heard from now, and how many came back after closing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from sqlalchemy import select

from webapp import clock
from webapp.checkins.models import ANSWERS, CLOSED, KEPT, OK_NOW, WaitCheckIn
from webapp.checkins.service import NOT_HEARD_AFTER, not_heard_from
from webapp.extensions import db
from webapp.support.models import SIGNAL_CHECK_IN_WORSE, UPDATE_CAME_BACK, RequestUpdate, RiskSignal, SupportRequest

AGE_BANDS = ((0, 12, "0-12"), (13, 15, "13-15"), (16, 17, "16-17"), (18, 25, "18-25"))
NOT_ALLOCATED = ""
OFFER_WITHIN = timedelta(days=7)


def age_band(date_of_birth: date, on: date) -> str:
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    return next((name for low, high, name in AGE_BANDS if low <= age <= high), "18-25")


@dataclass
class Figures:
    asked_long_enough_ago: int = 0
    answered_within_14_days: int = 0
    answers: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in ANSWERS})
    ok_now_closed: int = 0
    ok_now_kept: int = 0
    ok_now_to_confirm: int = 0
    worse_reviewed: int = 0
    worse_reviewed_by_promise: int = 0
    worse_review_hours: list[float] = field(default_factory=list)
    not_heard_from: int = 0
    came_back: int = 0
    waiting_a_week: int = 0  # requests asked at least 7 days ago (the denominator for offers)
    offered_within_7_days: int = 0
    items_helped: int = 0
    items_not_helped: int = 0

    @property
    def share_answered(self) -> float | None:
        return None if not self.asked_long_enough_ago else self.answered_within_14_days / self.asked_long_enough_ago

    @property
    def median_review_hours(self) -> float | None:
        return round(median(self.worse_review_hours), 1) if self.worse_review_hours else None


def figures() -> tuple[dict[str, Figures], dict[str, Figures], dict[str, Figures]]:
    """({service id or "" for not allocated: Figures}, {age band: Figures}, {language: Figures})."""
    now = clock.now()
    today = clock.today_local()
    by_service: dict[str, Figures] = defaultdict(Figures)
    by_age: dict[str, Figures] = defaultdict(Figures)
    by_language: dict[str, Figures] = defaultdict(Figures)
    people = {row.id: row for row in db.session.execute(
        select(SupportRequest.id, SupportRequest.service_id, SupportRequest.young_person_date_of_birth,
               SupportRequest.received_at, SupportRequest.language).where(SupportRequest.fhir_record.is_not(None)))}

    def both(request_id: int) -> tuple[Figures, ...]:
        person = people.get(request_id)
        if person is None:  # not a request made through Flourish (the waits demo's synthetic flow)
            return ()
        return (by_service[person.service_id or NOT_ALLOCATED],
                by_age[age_band(person.young_person_date_of_birth, today)], by_language[person.language])

    for check_in in db.session.scalars(select(WaitCheckIn)):
        for figure in both(check_in.request_id):
            if check_in.asked_at <= now - NOT_HEARD_AFTER:
                figure.asked_long_enough_ago += 1
                if check_in.answered_at and check_in.answered_at - check_in.asked_at <= NOT_HEARD_AFTER:
                    figure.answered_within_14_days += 1
            if check_in.answer:
                figure.answers[check_in.answer] += 1
            if check_in.answer == OK_NOW:
                figure.ok_now_closed += check_in.decision == CLOSED
                figure.ok_now_kept += check_in.decision == KEPT
                figure.ok_now_to_confirm += check_in.decision is None
    for signal in db.session.scalars(select(RiskSignal).where(RiskSignal.kind == SIGNAL_CHECK_IN_WORSE,
                                                              RiskSignal.reviewed_at.is_not(None))):
        for figure in both(signal.request_id):
            figure.worse_reviewed += 1
            figure.worse_reviewed_by_promise += signal.reviewed_at <= signal.due_by
            figure.worse_review_hours.append((signal.reviewed_at - signal.arrived_at).total_seconds() / 3600)
    for check_in in not_heard_from():
        for figure in both(check_in.request_id):
            figure.not_heard_from += 1
    _count_offers(people, both, now)
    for (request_id,) in db.session.execute(select(RequestUpdate.request_id).where(
            RequestUpdate.kind == UPDATE_CAME_BACK)):
        for figure in both(request_id):
            figure.came_back += 1
    return dict(by_service), dict(by_age), dict(by_language)


def _count_offers(people, both, now) -> None:
    from webapp.checkins.offers import HelpFeedback, HelpOffer

    offered = {row.request_id: row.offered_at for row in db.session.execute(
        select(HelpOffer.request_id, HelpOffer.offered_at))}
    for request_id, person in people.items():
        if person.received_at <= now - OFFER_WITHIN:
            for figure in both(request_id):
                figure.waiting_a_week += 1
                at = offered.get(request_id)
                figure.offered_within_7_days += at is not None and at - person.received_at <= OFFER_WITHIN
    latest: dict[tuple[int, str], tuple[int, bool]] = {}
    for request_id, item, helped in db.session.execute(
            select(HelpOffer.request_id, HelpFeedback.item, HelpFeedback.helped)
            .join(HelpOffer, HelpOffer.id == HelpFeedback.offer_id).order_by(HelpFeedback.at, HelpFeedback.id)):
        latest[(request_id, item)] = (request_id, helped)
    for request_id, helped in latest.values():
        if request_id in people:
            for figure in both(request_id):
                figure.items_helped += helped
                figure.items_not_helped += not helped


CSV_HEADER = ("group_kind", "group", "asked_14_days_ago_or_more", "answered_within_14_days",
              "share_answered_within_14_days", *(f"answers_{kind}" for kind in ANSWERS), "ok_now_closed",
              "ok_now_kept", "ok_now_to_confirm", "worse_reviewed", "worse_reviewed_by_promise",
              "worse_median_hours_to_review", "not_heard_from_now", "came_back", "asked_7_days_ago_or_more",
              "offered_help_within_7_days", "items_helped", "items_did_not_help", "computed_at")


def csv_rows() -> list[tuple]:
    by_service, by_age, by_language = figures()
    computed = clock.now().isoformat()
    rows: list[tuple] = [CSV_HEADER]
    for kind, groups in (("service", by_service), ("age_band", by_age), ("language", by_language)):
        for name, f in sorted(groups.items()):
            share = f.share_answered
            rows.append((kind, name or "not allocated", f.asked_long_enough_ago, f.answered_within_14_days,
                         "" if share is None else f"{share:.3f}", *(f.answers[k] for k in ANSWERS),
                         f.ok_now_closed, f.ok_now_kept, f.ok_now_to_confirm, f.worse_reviewed,
                         f.worse_reviewed_by_promise, "" if f.median_review_hours is None else f.median_review_hours,
                         f.not_heard_from, f.came_back, f.waiting_a_week, f.offered_within_7_days,
                         f.items_helped, f.items_not_helped, computed))
    return rows
