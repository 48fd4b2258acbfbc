"""Wait statistics, the published snapshot, and a person's own estimate.

The statistics functions themselves live in `webapp.waits.stats` (re-exported here); this module
turns requests and status events into the per-service figures that /waits, /api/v1/waits, the
leaders' view and personal estimates show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select

from webapp import clock
from webapp.database import hold_job_lock, wait_for_job_lock
from webapp.directory.models import Service
from webapp.directory.service import services as directory_services
from webapp.extensions import db
from webapp.support.models import ALLOCATED, RequestStatusEvent, SupportRequest
from webapp.waits.flows import Flow, load_flows
from webapp.waits.models import SNAPSHOT_ID, WaitFigureChange, WaitSnapshot
from webapp.waits.stats import days_to_weeks, mean_and_sd, median, percentile, weeks_until_nth_start
from webapp.waits.weeks import WeekIndex, week_starts

__all__ = [
    "median", "percentile", "mean_and_sd", "weeks_until_nth_start", "days_to_weeks",
    "compute_payload", "refresh_snapshot", "current_snapshot", "refresh_if_due", "public_waits",
    "api_payload", "personal_estimate", "leaders_view", "Estimate", "figures_changed", "changed_since_refresh",
]

RECENT_WEEKS = 12  # the window for typical waits and the recent rate of starts
TREND_WEEKS = 26  # the trend chart
HORIZON = timedelta(weeks=104)  # requests older than this (and no longer waiting) are left out
REFRESH_EVERY = timedelta(hours=1)  # even with no change: weeks roll over and waits grow
# After a change, wait at least this long since the last refresh (bounds the load when busy).
MIN_REFRESH_GAP = timedelta(seconds=30)
# Older than this when read (no worker running?): recompute on the spot rather than show it.
TOO_OLD_TO_SHOW = timedelta(hours=6)
REFRESH_JOB = "wait-figures"  # the worker's job, and the lock a refresh holds wherever it runs
FIRST_FIGURES_WAIT = timedelta(seconds=15)  # a page waiting for a worker's first figures
MIN_PEOPLE = 5  # fewer finished waits than this: no typical wait is shown (too few to be fair)
MIN_WEEKS_WITH_STARTS = 4  # fewer weeks with any start than this: no personal estimate
STANDARD_DAYS = 28  # the national 4-week waiting time standard, from request to first appointment
# How long people waiting now have waited so far, in the words /waits uses for each band.
BAND_NAMES = {"under_4": _l("under 4 weeks"), "4_to_12": _l("4 to 12 weeks"), "12_to_18": _l("12 to 18 weeks"),
              "18_to_52": _l("18 weeks to a year"), "over_52": _l("over a year")}
PROFILE_BANDS = (("under_4", 0, 4), ("4_to_12", 4, 12), ("12_to_18", 12, 18), ("18_to_52", 18, 52),
                 ("over_52", 52, None))


# -- the figures ------------------------------------------------------------------------------

def summary(days: list[float]) -> dict[str, Any]:
    """Count, 10th percentile, median and 90th percentile of waits in days (None when empty)."""
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {"count": len(days), "p10": rounded(percentile(days, 10)), "median": rounded(median(days)),
            "p90": rounded(percentile(days, 90))}


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 86400


@dataclass
class _Collector:
    """Gathers one service's (or everyone's) waits in the recent window."""

    window_start: datetime
    now: datetime
    first_contact: list[float] = field(default_factory=list)
    to_first_appointment: list[float] = field(default_factory=list)
    to_triage: list[float] = field(default_factory=list)
    triage_to_allocation: list[float] = field(default_factory=list)
    # One clock, from asking for support to first help (the first appointment), and its two parts:
    # the front door's step (asking to being offered the service) and the service's own wait.
    to_first_help: list[float] = field(default_factory=list)
    front_door_step: list[float] = field(default_factory=list)
    within_standard: int = 0

    def _recent(self, moment: datetime | None) -> bool:
        return moment is not None and self.window_start <= moment <= self.now

    def add(self, flow: Flow) -> None:
        if self._recent(flow.first_contact_at):
            self._append(self.first_contact, _days(flow.received_at, flow.first_contact_at))
        if self._recent(flow.triaged_at):
            self._append(self.to_triage, _days(flow.received_at, flow.triaged_at))
        if self._recent(flow.allocated_at):
            self._append(self.triage_to_allocation, _days(flow.triaged_at, flow.allocated_at))
        if self._recent(flow.first_appointment_at):
            wait = _days(flow.allocated_at, flow.first_appointment_at)
            self._append(self.to_first_appointment, wait)
            from_request = _days(flow.received_at, flow.first_appointment_at)
            if wait is not None:  # the same people in all three figures, so the parts add up
                self._append(self.to_first_help, from_request)
                self._append(self.front_door_step, _days(flow.received_at, flow.allocated_at))
            if wait is not None and from_request is not None and from_request <= STANDARD_DAYS:
                self.within_standard += 1

    @staticmethod
    def _append(values: list[float], value: float | None) -> None:
        if value is not None:
            values.append(value)

    def figures(self) -> dict[str, Any]:
        return {
            "allocation_to_first_appointment": summary(self.to_first_appointment),
            "request_to_first_contact": summary(self.first_contact),
            "request_to_triage": summary(self.to_triage),
            "triage_to_allocation": summary(self.triage_to_allocation),
            "request_to_first_appointment": summary(self.to_first_help),
            "request_to_allocation": summary(self.front_door_step),
            "within_standard": {"seen": self.within_standard, "total": len(self.to_first_appointment)},
        }


def _profile(flows: Iterable[Flow], now: datetime, since_asking: bool = False) -> dict[str, int]:
    """The people waiting now, by how long they have waited since allocation (or since asking)."""
    counts = {name: 0 for name, _low, _high in PROFILE_BANDS}
    for flow in flows:
        started = flow.received_at if since_asking else (flow.allocated_at or flow.received_at)
        weeks = (now - started).total_seconds() / (7 * 86400)
        for name, low, high in PROFILE_BANDS:
            if weeks >= low and (high is None or weeks < high):
                counts[name] += 1
                break
    return counts


def _weekly(flows: Iterable[Flow], index: WeekIndex) -> tuple[list[int], list[int]]:
    """First appointments in each week, and the waiting list at the end of each week."""
    starts = [0] * len(index)
    waiting = [0] * len(index)
    ends = [index.end(i) for i in range(len(index))]
    for flow in flows:
        week = index.index(flow.first_appointment_at)
        if week is not None and flow.allocated_at is not None:
            starts[week] += 1
        if flow.allocated_at is None:
            continue
        left = flow.left_list_at
        for i, end in enumerate(ends):
            if flow.allocated_at < end and (left is None or left >= end):
                waiting[i] += 1
    return starts, waiting


def compute_payload(flows: list[Flow], now: datetime, no_waiting_list: Iterable[str] = ()) -> dict[str, Any]:
    """Every figure /waits and the leaders' view show, from the requests' journeys.

    A service in `no_waiting_list` (open access, self-referral, crisis) never counts anyone waiting."""
    no_list = set(no_waiting_list)
    today = clock.to_local(now).date()
    window_start = clock.start_of_local_day(today - timedelta(weeks=RECENT_WEEKS))
    mondays = week_starts(TREND_WEEKS, before=today)
    index = WeekIndex(mondays)
    by_service: dict[str | None, list[Flow]] = defaultdict(list)
    everyone = _Collector(window_start, now)
    for flow in flows:
        by_service[flow.service_id].append(flow)
        everyone.add(flow)
    services: dict[str, Any] = {}
    for service_id, service_flows in by_service.items():
        if service_id is None:
            continue
        collector = _Collector(window_start, now)
        for flow in service_flows:
            collector.add(flow)
        waiting = [] if service_id in no_list else [f for f in service_flows if f.status == ALLOCATED]
        starts, waiting_list = _weekly(service_flows, index)
        if service_id in no_list:
            waiting_list = [0] * len(waiting_list)
        services[service_id] = {
            "waiting_list": service_id not in no_list,
            "waiting_now": len(waiting),
            **collector.figures(),
            "profile": _profile(waiting, now),
            "waited_so_far": _profile(waiting, now, since_asking=True),
            "weeks": [{"week_start": monday.isoformat(), "starts": s, "waiting": w}
                      for monday, s, w in zip(mondays, starts, waiting_list, strict=True)],
        }
    return {"computed_at": now.isoformat(), "window_start": window_start.isoformat(),
            "overall": everyone.figures(), "services": services}


# -- the snapshot -----------------------------------------------------------------------------

def refresh_snapshot() -> WaitSnapshot:
    """Recompute every figure now and publish it (the caller commits).

    The changes it counts are taken first: each change row deleted here was committed with its
    request or status event, so the flows read after it include them; a change committed meanwhile
    stays for the next refresh."""
    now = clock.now()
    db.session.execute(delete(WaitFigureChange).execution_options(synchronize_session=False))
    no_list = db.session.scalars(select(Service.id).where(Service.waiting_list.is_(False))).all()
    payload = compute_payload(load_flows(now - HORIZON), now, no_list)
    snapshot = db.session.get(WaitSnapshot, SNAPSHOT_ID) or WaitSnapshot(id=SNAPSHOT_ID)
    snapshot.computed_at = now
    snapshot.payload = payload
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def current_snapshot() -> WaitSnapshot:
    """The published figures. Computed on the spot only the first time, or when no worker has kept them
    fresh for hours; otherwise the worker's `refresh_if_due` keeps them current.

    A refresh here holds the worker's lock, as the worker does: two refreshes at once could publish
    the older figures last, after the newer one had taken the changes they lack. On PostgreSQL, while
    a worker is refreshing, the figures there are are shown at once; with none yet, the page waits for
    the worker's (at most FIRST_FIGURES_WAIT, then the database's 503). SQLite has one writer, so
    there the page waits for the worker's refresh to finish (its busy timeout). The page's refresh is
    committed at once, so it never runs with changes of the caller's own waiting in the session."""
    snapshot = db.session.get(WaitSnapshot, SNAPSHOT_ID)
    if snapshot is not None and (not _too_old(snapshot) or _writes_pending()):
        return snapshot
    if snapshot is None:
        wait_for_job_lock(REFRESH_JOB, timeout=FIRST_FIGURES_WAIT)
    elif not hold_job_lock(REFRESH_JOB):
        return snapshot
    snapshot = db.session.get(WaitSnapshot, SNAPSHOT_ID, populate_existing=True)  # as the last holder left it
    if snapshot is None or _too_old(snapshot):
        snapshot = refresh_snapshot()
    db.session.commit()  # publishes the figures and lets the lock go
    return snapshot


def _writes_pending() -> bool:
    return bool(db.session.new or db.session.dirty or db.session.deleted)


def _too_old(snapshot: WaitSnapshot) -> bool:
    return clock.now() - snapshot.computed_at > TOO_OLD_TO_SHOW


def refresh_if_due() -> int:
    """Worker job: refresh when something changed (at most every MIN_REFRESH_GAP), or an hour has
    passed. Returns 1 if it did."""
    snapshot = db.session.get(WaitSnapshot, SNAPSHOT_ID)
    if snapshot is not None:
        age = clock.now() - snapshot.computed_at
        if age < (MIN_REFRESH_GAP if changed_since_refresh() else REFRESH_EVERY):
            return 0
    refresh_snapshot()
    return 1


def figures_changed() -> None:
    """The figures are out of date: a request was sent or a status event recorded, in this
    transaction (support calls this through the `request_status_recorded` hook).

    One row appended, never an update of a shared row: concurrent support writes, and a refresh in
    progress, never wait on each other here, on either database."""
    db.session.add(WaitFigureChange(changed_at=clock.now()))


def changed_since_refresh() -> bool:
    """Whether anything the figures count has changed (and been committed) since they were computed."""
    return db.session.scalar(select(WaitFigureChange.id).limit(1)) is not None


# -- what people see --------------------------------------------------------------------------

@dataclass(frozen=True)
class TypicalWait:
    """A wait in whole weeks: most people (8 in 10) between low and high; half within median."""

    count: int
    low_weeks: int
    median_weeks: int
    high_weeks: int
    low_days: int
    median_days: int
    high_days: int


def typical_wait(figures: dict[str, Any] | None) -> TypicalWait | None:
    if not figures or figures.get("count", 0) < MIN_PEOPLE or figures.get("median") is None:
        return None
    low = days_to_weeks(figures["p10"])
    high = max(low, days_to_weeks(figures["p90"]))
    return TypicalWait(count=figures["count"], low_weeks=low, median_weeks=days_to_weeks(figures["median"]),
                       high_weeks=high, low_days=_whole(figures["p10"]), median_days=_whole(figures["median"]),
                       high_days=max(_whole(figures["p10"]), _whole(figures["p90"])))


def _whole(days: float) -> int:
    return int(days + 0.5)


@dataclass(frozen=True)
class ServiceWaits:
    service: Service
    figures: dict[str, Any]

    @property
    def waiting_now(self) -> int:
        return self.figures.get("waiting_now", 0) if self.has_waiting_list else 0

    @property
    def weeks(self) -> list[dict[str, Any]]:
        return self.figures.get("weeks", [])

    @property
    def public_weeks(self) -> list[dict[str, Any]]:
        """The weeks as the public sees them: 1 to 4 starts or people waiting are FEWER_THAN_5."""
        return [{**week, "starts": public_count(week["starts"]), "waiting": public_count(week["waiting"])}
                for week in self.weeks]

    @property
    def waiting_now_shown(self) -> int | str:
        """How many wait now, or FEWER_THAN_5 (1 to 4): the total never gives a small band away either."""
        return public_count(self.waiting_now)

    @property
    def finished_waits_shown(self) -> int | str:
        """How many finished waits the typical figure rests on. Exact only when no recent week's starts
        are hidden: otherwise the total less the weeks shown would give the hidden week away, so it is
        FIVE_OR_MORE (or FEWER_THAN_5)."""
        count = self.summary("allocation_to_first_appointment")["count"]
        recent = self.weeks[-(RECENT_WEEKS + 1):]  # every complete week the window overlaps
        if count == 0 or (count >= MIN_PEOPLE and not any(0 < week["starts"] < MIN_PEOPLE for week in recent)):
            return count
        return FIVE_OR_MORE if count >= MIN_PEOPLE else FEWER_THAN_5

    @property
    def to_first_appointment(self) -> TypicalWait | None:
        return typical_wait(self.figures.get("allocation_to_first_appointment"))

    @property
    def to_first_contact(self) -> TypicalWait | None:
        return typical_wait(self.figures.get("request_to_first_contact"))

    @property
    def has_waiting_list(self) -> bool:
        return bool(getattr(self.service, "waiting_list", True))

    @property
    def to_first_help(self) -> TypicalWait | None:
        """From asking for support to the first appointment: the one clock people live by."""
        return typical_wait(self.figures.get("request_to_first_appointment"))

    @property
    def front_door_step(self) -> TypicalWait | None:
        """Its first part: from asking to being offered this service."""
        return typical_wait(self.figures.get("request_to_allocation"))

    @property
    def waited_so_far(self) -> list[tuple[str, int | str]]:
        """The people waiting now by how long since they asked, each band a count, or FEWER_THAN_5
        or FIVE_OR_MORE (see `suppress`)."""
        counts = self.figures.get("waited_so_far") or {}
        return suppress([(name, counts.get(name, 0)) for name, _low, _high in PROFILE_BANDS])

    def summary(self, name: str) -> dict[str, Any]:
        return self.figures.get(name) or summary([])


FEWER_THAN_5, FIVE_OR_MORE = "fewer_than_5", "5_or_more"


def public_count(count: int) -> int | str:
    """A count of people as it may leave the server: 1 to 4 is FEWER_THAN_5; 0 says nobody."""
    return FEWER_THAN_5 if 0 < count < MIN_PEOPLE else count


def _exact(shown: int | str) -> int | None:
    return shown if isinstance(shown, int) else None


def suppress(bands: list[tuple[str, int]]) -> list[tuple[str, int | str]]:
    """Small numbers hidden so nobody can be picked out: a band of 1 to 4 people is FEWER_THAN_5;
    if only one band is hidden, the next smallest is shown as FIVE_OR_MORE, so the total never
    gives the small one away. Zero is shown: it says nobody."""
    few = {name for name, count in bands if 0 < count < MIN_PEOPLE}
    many: set[str] = set()
    if len(few) == 1:
        others = sorted((count, name) for name, count in bands if count >= MIN_PEOPLE)
        if others:
            many.add(others[0][1])
    return [(name, FEWER_THAN_5 if name in few else FIVE_OR_MORE if name in many else count)
            for name, count in bands]


def _matches(service: Service, thrive_group: str | None, age: int | None) -> bool:
    if thrive_group and service.thrive_group != thrive_group:
        return False
    return age is None or service.min_age <= age <= service.max_age


def public_waits(thrive_group: str | None = None, age: int | None = None) -> tuple[list[ServiceWaits], datetime]:
    """Each active service (filtered), with its published figures, and when they were computed.

    The wait note and pause come from the service itself, so an IFD correction shows at once.
    """
    snapshot = current_snapshot()
    figures = snapshot.payload.get("services", {})
    chosen = [s for s in directory_services() if _matches(s, thrive_group, age)]
    return [ServiceWaits(s, figures.get(s.id, {})) for s in chosen], snapshot.computed_at


def _shown(row: ServiceWaits, name: str, key: str) -> float | None:
    """A published figure, or None when too few people for a fair one (or no waiting list)."""
    if not row.has_waiting_list or typical_wait(row.figures.get(name)) is None:
        return None
    return row.summary(name)[key]


def api_payload() -> dict[str, Any]:
    """The JSON of /api/v1/waits (the contract's fields first, then extras)."""
    rows, computed_at = public_waits()
    services = []
    for row in rows:
        shown = row.to_first_appointment is not None and row.has_waiting_list
        to_first = row.summary("allocation_to_first_appointment")
        first_contact = row.summary("request_to_first_contact")
        contact_shown = row.to_first_contact is not None
        services.append({
            "id": row.service.id,
            "name": row.service.name,
            "thrive_group": row.service.thrive_group,
            # Counts of people: never 1 to 4 (null then; the *_shown field says "fewer_than_5").
            "waiting_now": _exact(row.waiting_now_shown),
            "median_days": to_first["median"] if shown else None,
            "p90_days": to_first["p90"] if shown else None,
            "weeks": row.public_weeks,
            "p10_days": to_first["p10"] if shown else None,
            "finished_waits": _exact(row.finished_waits_shown),
            "first_contact_median_days": first_contact["median"] if contact_shown else None,
            "first_contact_p90_days": first_contact["p90"] if contact_shown else None,
            "min_age": row.service.min_age,
            "max_age": row.service.max_age,
            "paused": row.service.paused,
            "paused_reason": row.service.paused_reason if row.service.paused else None,
            "wait_note": row.service.wait_note,
            # One clock, from asking for support to the first appointment, and its two parts (issue 15).
            "waiting_list": row.has_waiting_list,
            "how_to_get": row.service.how_to_get if not row.has_waiting_list else None,
            "request_to_first_appointment_median_days": _shown(row, "request_to_first_appointment", "median"),
            "request_to_first_appointment_p90_days": _shown(row, "request_to_first_appointment", "p90"),
            "request_to_allocation_median_days": _shown(row, "request_to_allocation", "median"),
            "waited_so_far": {name: count for name, count in row.waited_so_far} if row.has_waiting_list else None,
            "waiting_now_shown": row.waiting_now_shown,
            "finished_waits_shown": row.finished_waits_shown,
        })
    return {"services": services, "updated_at": computed_at.isoformat(),
            "window_weeks": RECENT_WEEKS, "minimum_people_for_a_figure": MIN_PEOPLE}


# -- a person's own estimate ------------------------------------------------------------------

@dataclass(frozen=True)
class Estimate:
    """What to tell someone about their own wait. `kind` says which of the fields mean anything:

    - "queue": allocated and waiting; `place` in the queue (1 = next), `low_weeks`-`high_weeks`
      an 80% range for the first appointment from now.
    - "too_little_data": allocated and waiting, `place` known, but too few recent starts to say.
    - "first_contact": not looked at yet; `typical` is the usual wait from request to first contact.
    - "allocation": looked at, not yet allocated; `typical` is the usual wait from triage to allocation.
    - "none": seen, given advice or closed (or unknown): nothing to estimate.
    - "urgent": on the urgent path (webapp.support.urgency): never a queue place or a span of weeks,
      only `promise`, who will look or contact them and by when.
    - "no_waiting_list": allocated to a service with no queue: `service.how_to_get` says how.
    `service` is set when allocated (its wait_note, paused and paused_reason are shown too).

    For "queue", the same clock as /waits (from asking for support): `waited_weeks` so far, so
    `total_low`-`total_high` weeks in all, `public` the service's published figure from asking to
    first help, and `reasons` why they differ when they do ("waited" already longer than most,
    "further_back" or "nearer_front" in the queue than most, "paused").
    """

    kind: str
    service: Service | None = None
    place: int | None = None
    waiting_now: int | None = None
    low_weeks: int | None = None
    high_weeks: int | None = None
    typical: TypicalWait | None = None
    computed_at: datetime | None = None
    promise: Any = None
    waited_weeks: int | None = None
    total_low: int | None = None
    total_high: int | None = None
    public: TypicalWait | None = None
    reasons: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        """The person's own total does not take in the published "half within" figure."""
        if self.public is None or self.total_low is None or self.total_high is None:
            return False
        return not self.total_low <= self.public.median_weeks <= self.total_high


def _waiting_for(service_id: str):
    """Each request waiting for the service now, with when it was first allocated to it.

    Starts from the requests waiting now (an index on status and service), not from every
    allocation the service ever had, so it costs the length of the list, not of the history.
    """
    events = RequestStatusEvent
    return (select(SupportRequest.id, func.min(events.occurred_at).label("allocated_at"))
            .join(events, (events.request_id == SupportRequest.id) & (events.status == ALLOCATED)
                  & (events.service_id == service_id))
            .where(SupportRequest.service_id == service_id, SupportRequest.status == ALLOCATED)
            .group_by(SupportRequest.id))


def place_in_queue(support_request: SupportRequest) -> tuple[int, int]:
    """(place, waiting): 1 + how many waiting for the same service were allocated before them."""
    waiting = _waiting_for(support_request.service_id).subquery()
    mine = db.session.scalar(select(waiting.c.allocated_at).where(waiting.c.id == support_request.id))
    if mine is None:
        total = db.session.scalar(select(func.count()).select_from(waiting)) or 0
        return total + 1, total + 1
    before = (waiting.c.allocated_at < mine) | ((waiting.c.allocated_at == mine) & (waiting.c.id < support_request.id))
    total, ahead = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((before, 1), else_=0)), 0)).select_from(waiting)).one()
    return ahead + 1, total


def personal_estimate(support_request: SupportRequest | None) -> Estimate:
    """The honest estimate for one request, from its status and the published figures."""
    if support_request is None:
        return Estimate(kind="none")
    from webapp.support.urgency import promise_for

    status = support_request.status
    if status in ("received", "more_information_needed", "triaged", "allocated"):
        promise = promise_for(support_request)
        if promise is not None:
            return Estimate(kind="urgent", promise=promise)
    snapshot = current_snapshot()
    payload = snapshot.payload
    if status == ALLOCATED and support_request.service_id:
        return _queue_estimate(support_request, payload, snapshot.computed_at)
    overall = payload.get("overall", {})
    if status in ("received", "more_information_needed"):
        return Estimate(kind="first_contact", typical=typical_wait(overall.get("request_to_first_contact")),
                        computed_at=snapshot.computed_at)
    if status == "triaged":
        return Estimate(kind="allocation", typical=typical_wait(overall.get("triage_to_allocation")),
                        computed_at=snapshot.computed_at)
    return Estimate(kind="none", computed_at=snapshot.computed_at)


def _queue_estimate(support_request: SupportRequest, payload: dict[str, Any], computed_at: datetime) -> Estimate:
    service = db.session.get(Service, support_request.service_id)
    if service is not None and not service.waiting_list:
        return Estimate(kind="no_waiting_list", service=service, computed_at=computed_at)
    place, waiting = place_in_queue(support_request)
    figures = payload.get("services", {}).get(support_request.service_id, {})
    weeks = figures.get("weeks", [])
    recent = [week["starts"] for week in weeks[-RECENT_WEEKS:]]
    spread = None
    if sum(1 for starts in recent if starts > 0) >= MIN_WEEKS_WITH_STARTS and not (service and service.paused):
        spread = weeks_until_nth_start(place, recent)
    if spread is None:
        return Estimate(kind="too_little_data", service=service, place=place, waiting_now=waiting,
                        computed_at=computed_at)
    waited = int((clock.now() - support_request.received_at).total_seconds() // (7 * 86400))
    public = typical_wait(figures.get("request_to_first_appointment"))
    estimate = Estimate(kind="queue", service=service, place=place, waiting_now=waiting, low_weeks=spread.low,
                        high_weeks=spread.high, computed_at=computed_at, waited_weeks=waited,
                        total_low=waited + spread.low, total_high=waited + spread.high, public=public)
    if not estimate.differs:
        return estimate
    reasons = []
    if public is not None and waited > public.median_weeks:
        reasons.append("waited")
    if waiting and place > (waiting + 1) / 2:
        reasons.append("further_back")
    elif waiting and place < (waiting + 1) / 2:
        reasons.append("nearer_front")
    if not reasons:
        reasons.append("changing")  # the queue moves at a different pace now than for those seen lately
    return replace(estimate, reasons=tuple(reasons))


# -- the leaders' view ------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaderRow:
    service: Service
    waiting_now: int
    profile: dict[str, int]
    within_standard: dict[str, int]
    to_triage: dict[str, Any]
    triage_to_allocation: dict[str, Any]
    to_first_appointment: dict[str, Any]

    @property
    def share_within_standard(self) -> float | None:
        total = self.within_standard.get("total", 0)
        return None if not total else self.within_standard.get("seen", 0) / total


def leaders_view() -> tuple[list[LeaderRow], datetime]:
    snapshot = current_snapshot()
    figures = snapshot.payload.get("services", {})
    rows = []
    for service in directory_services():
        data = figures.get(service.id, {})
        rows.append(LeaderRow(
            service=service,
            waiting_now=data.get("waiting_now", 0),
            profile=data.get("profile") or {name: 0 for name, _l, _h in PROFILE_BANDS},
            within_standard=data.get("within_standard") or {"seen": 0, "total": 0},
            to_triage=data.get("request_to_triage") or summary([]),
            triage_to_allocation=data.get("triage_to_allocation") or summary([]),
            to_first_appointment=data.get("allocation_to_first_appointment") or summary([]),
        ))
    return rows, snapshot.computed_at


CSV_HEADER = ("service_id", "service_name", "thrive_group", "waiting_now", "waiting_under_4_weeks",
              "waiting_4_to_12_weeks", "waiting_12_to_18_weeks", "waiting_18_to_52_weeks",
              "waiting_over_52_weeks", "seen_within_4_weeks", "seen_total", "share_within_4_weeks",
              "request_to_triage_median_days", "request_to_triage_p90_days",
              "triage_to_allocation_median_days", "triage_to_allocation_p90_days",
              "allocation_to_first_appointment_median_days", "allocation_to_first_appointment_p90_days",
              "computed_at")


def leaders_csv_rows() -> list[tuple[Any, ...]]:
    rows, computed_at = leaders_view()
    out: list[tuple[Any, ...]] = [CSV_HEADER]
    for row in rows:
        share = row.share_within_standard
        out.append((
            row.service.id, row.service.name, row.service.thrive_group, row.waiting_now,
            *(row.profile.get(name, 0) for name, _low, _high in PROFILE_BANDS),
            row.within_standard.get("seen", 0), row.within_standard.get("total", 0),
            "" if share is None else f"{share:.3f}",
            _blank(row.to_triage["median"]), _blank(row.to_triage["p90"]),
            _blank(row.triage_to_allocation["median"]), _blank(row.triage_to_allocation["p90"]),
            _blank(row.to_first_appointment["median"]), _blank(row.to_first_appointment["p90"]),
            computed_at.isoformat(),
        ))
    return out


def _blank(value: Any) -> Any:
    return "" if value is None else value
