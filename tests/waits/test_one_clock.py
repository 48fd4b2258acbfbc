"""Waits that add up (issue 15, items 1, 2 and 4; hazard H41): one clock from asking to first help,
the personal estimate agreeing with the public figure (or saying why not), services with no waiting
list, and small numbers suppressed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.directory.models import Service
from webapp.directory.service import sync_services_from_data
from webapp.extensions import db
from webapp.waits import service

DAY = timedelta(days=1)


def _seen(service_id, first_appointment, *, front_door_days=2, service_days=14):
    allocated = first_appointment - service_days * DAY
    received = allocated - front_door_days * DAY
    return make_journey(service_id, received, triaged=received + DAY, allocated=allocated,
                        first_appointment=first_appointment)


def _steady(service_id="svc", weeks=12, per_week=2):
    """`per_week` first appointments each Wednesday of the last `weeks` weeks: 2 days at the front
    door, then 14 days for the service (16 days from asking to first help)."""
    this_monday = datetime(2026, 6, 14, 23, 0, tzinfo=UTC)
    for week in range(1, weeks + 1):
        for _ in range(per_week):
            _seen(service_id, this_monday - week * 7 * DAY + 2 * DAY)


def _waiting(service_id, allocated_days_ago, front_door_days=3):
    now = clock.now()
    received = now - (allocated_days_ago + front_door_days) * DAY
    return make_journey(service_id, received, triaged=received + DAY, allocated=now - allocated_days_ago * DAY)


def test_figures_measure_from_asking_with_the_front_door_and_service_steps_as_parts(frozen_clock):
    make_service("svc")
    now = clock.now()
    for front_door, own in ((3, 10), (5, 14), (7, 21), (9, 28), (11, 35)):
        _seen("svc", now - 5 * DAY, front_door_days=front_door, service_days=own)
    figures = service.refresh_snapshot().payload["services"]["svc"]
    assert figures["request_to_allocation"]["median"] == 7.0
    assert figures["allocation_to_first_appointment"]["median"] == 21.0
    assert figures["request_to_first_appointment"]["median"] == 28.0  # the parts add up for the middle person
    row = service.public_waits()[0][0]
    assert (row.to_first_help.median_weeks, row.front_door_step.median_days, row.to_first_appointment.median_weeks) \
        == (4, 7, 3)
    api = {s["id"]: s for s in service.api_payload()["services"]}["svc"]
    assert api["request_to_first_appointment_median_days"] == 28.0 and api["request_to_allocation_median_days"] == 7.0


def test_the_personal_estimate_agrees_with_the_public_figure_on_the_same_data(frozen_clock):
    make_service("svc")
    _steady()
    _waiting("svc", 20), _waiting("svc", 2)
    middle = _waiting("svc", 10)
    service.refresh_snapshot()
    public = service.public_waits()[0][0].to_first_help
    estimate = service.personal_estimate(middle)
    assert estimate.kind == "queue" and estimate.public == public
    assert public.median_weeks == 2  # 16 days from asking to first help
    assert estimate.total_low <= public.median_weeks <= estimate.total_high
    assert not estimate.differs and estimate.reasons == ()


def test_someone_who_has_already_waited_is_told_why_theirs_is_longer(frozen_clock, app, client):
    make_service("svc")
    _steady()
    long_wait = _waiting("svc", 60)
    for days in (20, 10, 2):
        _waiting("svc", days)
    service.refresh_snapshot()
    estimate = service.personal_estimate(long_wait)
    assert estimate.waited_weeks == 9 and estimate.differs
    assert estimate.reasons == ("waited", "nearer_front")
    with app.test_request_context():
        from flask import render_template

        html = render_template("waits/_estimate.html", support_request=long_wait)
    assert "you have already waited 9 weeks" in html and "Why yours is different" in html
    assert "half were seen within 2 weeks of asking" in html


def test_someone_further_back_is_told_so(frozen_clock):
    make_service("svc")
    _steady()
    people = [_waiting("svc", days, front_door_days=1) for days in range(20, 0, -2)]
    service.refresh_snapshot()
    last = service.personal_estimate(people[-1])
    assert (last.place, last.waiting_now) == (10, 10)
    assert last.differs and last.reasons == ("further_back",)


def test_a_service_with_no_waiting_list_says_how_to_get_it_and_counts_nobody(frozen_clock, client):
    sync_services_from_data()
    db.session.commit()
    crisis = db.session.get(Service, "crisis-home-treatment")
    assert crisis.waiting_list is False
    assert crisis.how_to_get.startswith("Same day: call 111 and choose option 2")
    request = _waiting("crisis-home-treatment", 3)
    service.refresh_snapshot()
    db.session.commit()
    api = {s["id"]: s for s in client.get("/api/v1/waits").get_json()["services"]}
    assert api["crisis-home-treatment"]["waiting_now"] == 0 and api["crisis-home-treatment"]["waiting_list"] is False
    assert api["kooth"]["waiting_now"] == 0 and api["kooth"]["median_days"] is None
    page = client.get("/waits").get_data(as_text=True)
    part = page.split('id="service-crisis-home-treatment"', 1)[1].split("</section>", 1)[0]
    assert "Same day: call 111 and choose option 2" in part and "None: nobody waits for this service." in part
    assert "Waiting now" not in part and "Typical wait" not in part and "week" not in part
    estimate = service.personal_estimate(request)
    assert estimate.kind in ("no_waiting_list", "urgent")


def test_small_numbers_are_suppressed_and_cannot_be_worked_out():
    bands = service.suppress([("under_4", 7), ("4_to_12", 2), ("12_to_18", 0), ("18_to_52", 9), ("over_52", 0)])
    assert bands == [("under_4", "5_or_more"), ("4_to_12", "fewer_than_5"), ("12_to_18", 0), ("18_to_52", 9),
                     ("over_52", 0)]
    assert service.suppress([("a", 3), ("b", 4), ("c", 5)]) == [("a", "fewer_than_5"), ("b", "fewer_than_5"),
                                                                ("c", 5)]
    assert service.suppress([("a", 6), ("b", 0)]) == [("a", 6), ("b", 0)]


def test_the_public_page_shows_how_long_those_waiting_now_have_waited(frozen_clock, client):
    make_service("svc", name="Talking service")
    for days in (1, 2, 3, 5, 6, 8):  # 6 people under 4 weeks since asking
        _waiting("svc", days)
    _waiting("svc", 40)  # 1 person 4 to 12 weeks
    service.refresh_snapshot()
    db.session.commit()
    page = client.get("/waits").get_data(as_text=True)
    assert "How long the people waiting now have waited since they asked for support" in page
    assert "<th scope=\"row\">under 4 weeks</th><td>5 or more</td>" in page
    assert "<th scope=\"row\">4 to 12 weeks</th><td>fewer than 5</td>" in page
    assert "7 people" in page
