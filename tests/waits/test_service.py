"""The figures from requests and status events: windows, weeks across clock changes, estimates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.support.conftest import services  # noqa: F401 - a fixture
from tests.support.helpers import send
from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.extensions import db
from webapp.support import service as support
from webapp.support.models import RequestStatusEvent, SupportRequest
from webapp.waits import service
from webapp.waits.demo import seed_flow
from webapp.waits.models import WaitSnapshot
from webapp.waits.weeks import WeekIndex, week_starts

DAY = timedelta(days=1)


def _seen(service_id, first_appointment, wait_days, *, asked_days_before=2):
    allocated = first_appointment - wait_days * DAY
    received = allocated - asked_days_before * DAY
    return make_journey(service_id, received, triaged=received + DAY, allocated=allocated,
                        first_appointment=first_appointment)


def test_typical_wait_uses_only_waits_that_ended_in_the_last_12_weeks(frozen_clock):
    make_service("svc")
    now = clock.now()
    for days in (7, 14, 21):
        _seen("svc", now - 10 * DAY, days)
    _seen("svc", now - 20 * 7 * DAY, 100)  # ended 20 weeks ago: left out
    figures = service.refresh_snapshot().payload["services"]["svc"]
    assert figures["allocation_to_first_appointment"] == {"count": 3, "p10": 7.0, "median": 14.0, "p90": 21.0}


def test_waiting_now_counts_allocated_people_not_yet_seen_or_closed(frozen_clock):
    make_service("svc")
    now = clock.now()
    make_journey("svc", now - 30 * DAY, triaged=now - 29 * DAY, allocated=now - 28 * DAY)
    make_journey("svc", now - 3 * DAY, triaged=now - 2 * DAY, allocated=now - DAY)
    make_journey("svc", now - 30 * DAY, triaged=now - 29 * DAY, allocated=now - 28 * DAY, closed=now - DAY)
    _seen("svc", now - DAY, 5)
    make_journey(None, now - DAY)  # not allocated yet: waiting for the front door, not the service
    figures = service.refresh_snapshot().payload["services"]["svc"]
    assert figures["waiting_now"] == 2
    assert figures["profile"] == {"under_4": 1, "4_to_12": 1, "12_to_18": 0, "18_to_52": 0, "over_52": 0}


def test_an_empty_service_has_no_figures_and_the_page_data_says_so(frozen_clock):
    make_service("svc")
    rows, _updated = service.public_waits()
    assert rows[0].waiting_now == 0
    assert rows[0].to_first_appointment is None
    assert rows[0].weeks == []


def test_fewer_than_five_people_gives_no_typical_wait(frozen_clock):
    make_service("svc")
    for days in (7, 14, 21, 28):
        _seen("svc", clock.now() - 3 * DAY, days)
    rows, _ = service.public_waits()
    assert rows[0].to_first_appointment is None
    _seen("svc", clock.now() - 3 * DAY, 35)
    service.refresh_snapshot()
    rows, _ = service.public_waits()
    typical = rows[0].to_first_appointment
    assert (typical.low_weeks, typical.median_weeks, typical.high_weeks) == (1, 3, 5)


def test_first_contact_is_the_first_step_the_front_door_took(frozen_clock):
    make_service("svc")
    now = clock.now()
    make_journey("svc", now - 10 * DAY, triaged=now - 7 * DAY, allocated=now - 5 * DAY)  # 3 days
    make_journey(None, now - 10 * DAY, advice_given=now - 9 * DAY)  # 1 day, no service
    overall = service.refresh_snapshot().payload["overall"]
    assert overall["request_to_first_contact"]["count"] == 2
    assert overall["request_to_first_contact"]["median"] == 2.0
    assert overall["triage_to_allocation"]["median"] == 2.0


def test_share_seen_within_four_weeks_of_asking(frozen_clock):
    make_service("svc")
    now = clock.now()
    _seen("svc", now - DAY, 20, asked_days_before=5)  # 25 days from asking: within
    _seen("svc", now - DAY, 26, asked_days_before=5)  # 31 days: not within
    figures = service.refresh_snapshot().payload["services"]["svc"]
    assert figures["within_standard"] == {"seen": 1, "total": 2}


def test_weeks_are_local_mondays_across_the_spring_clock_change(app):
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026; Monday 30 March starts at 23:00 UTC on the 29th.
    index = WeekIndex([date(2026, 3, 23), date(2026, 3, 30)])
    assert index.bounds[1] == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
    assert index.bounds[1] - index.bounds[0] == timedelta(hours=167)
    assert index.index(datetime(2026, 3, 29, 22, 59, tzinfo=UTC)) == 0  # Sunday 23:59 BST
    assert index.index(datetime(2026, 3, 29, 23, 0, tzinfo=UTC)) == 1  # Monday 00:00 BST
    assert index.index(datetime(2026, 3, 22, 23, 59, tzinfo=UTC)) is None  # Sunday 22 March, GMT


def test_weeks_are_local_mondays_across_the_autumn_clock_change(app):
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026: that week is 169 hours long.
    index = WeekIndex([date(2026, 10, 19), date(2026, 10, 26)])
    assert index.bounds[0] == datetime(2026, 10, 18, 23, 0, tzinfo=UTC)
    assert index.bounds[1] - index.bounds[0] == timedelta(hours=169)
    assert index.index(datetime(2026, 10, 18, 23, 30, tzinfo=UTC)) == 0  # Monday 00:30 BST
    assert index.index(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == 0  # Sunday 23:30 GMT
    assert index.index(datetime(2026, 10, 26, 0, 0, tzinfo=UTC)) == 1


def test_week_starts_are_the_complete_weeks_before_this_one(app):
    assert week_starts(3, before=date(2026, 4, 1)) == [date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]


def test_a_start_just_after_midnight_bst_counts_in_the_new_week(app):
    clock.freeze(datetime(2026, 4, 8, 12, 0, tzinfo=UTC))
    make_service("svc")
    _seen("svc", datetime(2026, 3, 29, 23, 30, tzinfo=UTC), 7)  # Monday 30 March, 00:30 BST
    _seen("svc", datetime(2026, 3, 29, 22, 30, tzinfo=UTC), 7)  # Sunday 29 March, 23:30 BST
    weeks = {w["week_start"]: w for w in service.refresh_snapshot().payload["services"]["svc"]["weeks"]}
    assert len(weeks) == service.TREND_WEEKS
    assert weeks["2026-03-30"]["starts"] == 1
    assert weeks["2026-03-23"]["starts"] == 1
    assert "2026-04-06" not in weeks  # this week is not complete yet


def test_waiting_list_at_the_end_of_each_week(frozen_clock):
    make_service("svc")
    monday = datetime(2026, 6, 14, 23, 0, tzinfo=UTC)  # Monday 15 June 00:00 BST: this week
    make_journey("svc", monday - 30 * DAY, triaged=monday - 29 * DAY, allocated=monday - 20 * DAY,
                 first_appointment=monday - 10 * DAY)
    weeks = service.refresh_snapshot().payload["services"]["svc"]["weeks"]
    waiting = {w["week_start"]: w["waiting"] for w in weeks}
    # Allocated Tue 26 May, seen Fri 5 June: still waiting when the week of 25 May ended, seen
    # before the week of 1 June ended.
    assert waiting["2026-05-25"] == 1
    assert waiting["2026-06-01"] == 0
    assert waiting["2026-05-18"] == 0


def test_a_status_change_marks_the_figures_stale_and_the_worker_refreshes(app, services, frozen_clock):  # noqa: F811
    reference, _ = send(app.test_client(), "parent")  # a new request: the figures are out of date
    assert service.changed_since_refresh()
    service.refresh_snapshot()
    db.session.commit()
    assert service.refresh_if_due() == 0 and not service.changed_since_refresh()
    support.move(support.by_reference(reference), "allocated", actor="ifd_api", thrive_group="getting_help",
                 service_id="point-1", deliver=False)  # a status event, as the front door's API makes one
    db.session.commit()
    assert service.changed_since_refresh()
    assert service.refresh_if_due() == 0  # not twice within 30 seconds, however busy
    clock.advance(timedelta(seconds=31))
    assert service.refresh_if_due() == 1
    db.session.commit()
    assert db.session.get(WaitSnapshot, 1).payload["services"]["point-1"]["waiting_now"] == 1
    assert service.refresh_if_due() == 0 and not service.changed_since_refresh()
    clock.advance(timedelta(hours=2))
    assert service.refresh_if_due() == 1  # an hour on, even with no change


def test_figures_no_worker_refreshed_for_hours_are_recomputed_when_read(frozen_clock):
    make_service("svc")
    first = service.current_snapshot().computed_at
    clock.advance(timedelta(hours=1))
    assert service.current_snapshot().computed_at == first
    clock.advance(timedelta(hours=6))
    assert service.current_snapshot().computed_at == clock.now()


def _weekly_starts(service_id, weeks, per_week):
    """`per_week` first appointments on the Wednesday of each of the last `weeks` complete weeks."""
    this_monday = datetime(2026, 6, 14, 23, 0, tzinfo=UTC)
    for week in range(1, weeks + 1):
        for _ in range(per_week):
            _seen(service_id, this_monday - week * 7 * DAY + 2 * DAY, 14)


def _waiting(service_id, allocated_days_ago):
    now = clock.now()
    return make_journey(service_id, now - (allocated_days_ago + 3) * DAY, triaged=now - (allocated_days_ago + 2) * DAY,
                        allocated=now - allocated_days_ago * DAY)


def test_personal_estimate_from_place_in_queue_and_rate_of_starts(frozen_clock):
    make_service("svc")
    _weekly_starts("svc", 12, 2)
    first, second, third = _waiting("svc", 20), _waiting("svc", 10), _waiting("svc", 2)
    service.refresh_snapshot()
    estimate = service.personal_estimate(second)
    assert (estimate.kind, estimate.place, estimate.waiting_now) == ("queue", 2, 3)
    assert (estimate.low_weeks, estimate.high_weeks) == (1, 1)  # 2 a week, steady
    assert service.personal_estimate(first).place == 1
    last = service.personal_estimate(third)
    assert (last.place, last.low_weeks, last.high_weeks) == (3, 2, 2)


def test_personal_estimate_with_too_little_data_says_so(frozen_clock):
    make_service("svc")
    _weekly_starts("svc", 3, 1)  # only 3 weeks with any start
    mine = _waiting("svc", 5)
    estimate = service.personal_estimate(mine)
    assert estimate.kind == "too_little_data"
    assert estimate.place == 1
    assert estimate.low_weeks is None and estimate.high_weeks is None


def test_personal_estimate_for_a_paused_service_does_not_guess(frozen_clock):
    make_service("svc", paused=True, paused_reason="Staff shortage until September")
    _weekly_starts("svc", 12, 2)
    estimate = service.personal_estimate(_waiting("svc", 5))
    assert estimate.kind == "too_little_data"
    assert estimate.service.paused_reason == "Staff shortage until September"


def test_personal_estimate_before_allocation_gives_the_typical_wait_to_first_contact(frozen_clock):
    now = clock.now()
    for days in (1, 2, 3, 4, 5):
        make_journey(None, now - 10 * DAY, triaged=now - (10 - days) * DAY)
    mine = make_journey(None, now - DAY)
    estimate = service.personal_estimate(mine)
    assert estimate.kind == "first_contact"
    assert (estimate.typical.low_days, estimate.typical.median_days, estimate.typical.high_days) == (1, 3, 5)
    triaged = make_journey(None, now - 2 * DAY, triaged=now - DAY)
    assert service.personal_estimate(triaged).kind == "allocation"


def test_personal_estimate_when_there_is_nothing_to_estimate(frozen_clock):
    make_service("svc")
    seen = _seen("svc", clock.now() - DAY, 5)
    assert service.personal_estimate(seen).kind == "none"
    assert service.personal_estimate(None).kind == "none"
    assert service.personal_estimate(make_journey(None, clock.now() - DAY)).typical is None


def test_demo_seeder_makes_a_year_of_flow_for_every_service_once(frozen_clock):
    from webapp.directory.service import sync_services_from_data

    sync_services_from_data()
    db.session.commit()
    seed_flow()
    db.session.commit()
    requests = db.session.scalar(select(func.count()).select_from(SupportRequest))
    events = db.session.scalar(select(func.count()).select_from(RequestStatusEvent))
    assert requests > 1000 and events > 4 * requests
    payload = db.session.get(WaitSnapshot, 1).payload
    for service_id, figures in payload["services"].items():
        assert sum(w["starts"] for w in figures["weeks"]) > 0, service_id
    assert sum(f["waiting_now"] for f in payload["services"].values()) > 0
    oldest = db.session.scalar(select(func.min(SupportRequest.received_at)))
    assert clock.now() - oldest > timedelta(weeks=50)
    seed_flow()  # a second run adds nothing
    assert db.session.scalar(select(func.count()).select_from(SupportRequest)) == requests
