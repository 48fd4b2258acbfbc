"""/waits, /api/v1/waits, /staff/waits and its CSV, and the estimate partial, through the test client."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import render_template_string

from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.directory.service import set_wait_note
from webapp.extensions import db

DAY = timedelta(days=1)


def _some_flow():
    now = clock.now()
    make_service("talk", name="Talking service", thrive_group="getting_help", min_age=5, max_age=17)
    make_service("adult", name="Young adults service", thrive_group="getting_more_help", min_age=18, max_age=25)
    for days in (7, 14, 21, 28, 35):
        allocated = now - (days + 3) * DAY
        make_journey("talk", allocated - 4 * DAY, triaged=allocated - 2 * DAY, allocated=allocated,
                     first_appointment=allocated + days * DAY)
    make_journey("talk", now - 9 * DAY, triaged=now - 8 * DAY, allocated=now - 7 * DAY)


def test_api_shape(client, frozen_clock):
    _some_flow()
    body = client.get("/api/v1/waits").get_json()
    assert set(body) >= {"services", "updated_at"}
    assert body["updated_at"] == clock.now().isoformat()
    by_id = {s["id"]: s for s in body["services"]}
    talk = by_id["talk"]
    assert {"id", "name", "thrive_group", "waiting_now", "median_days", "p90_days", "weeks"} <= set(talk)
    assert talk["name"] == "Talking service"
    assert talk["thrive_group"] == "getting_help"
    assert talk["waiting_now"] is None and talk["waiting_now_shown"] == "fewer_than_5"  # 1 person: never said
    assert talk["median_days"] == 21.0
    assert talk["p90_days"] == 35.0
    assert len(talk["weeks"]) == 26
    assert set(talk["weeks"][0]) == {"week_start", "starts", "waiting"}
    assert by_id["adult"]["median_days"] is None and by_id["adult"]["waiting_now"] == 0


def test_page_shows_each_service_in_plain_words(client, frozen_clock):
    _some_flow()
    page = client.get("/waits").get_data(as_text=True)
    assert "Talking service" in page and "Young adults service" in page
    # One clock, from asking for support to first help, with its two parts (issue 15, item 1).
    assert "Most people (8 in 10) waited between 2 and 6 weeks from asking for support to their first " \
        "appointment here." in page
    assert "Half were seen within 4 weeks." in page
    assert "the front door's step, from asking to being offered this service: half within 4 days" in page
    assert "this service's own wait, from being offered it to the first appointment: half within 3 weeks" in page
    assert "fewer than 5 people" in page and "1 person" not in page  # small numbers suppressed (item 4)
    assert "<svg" in page and "style=" not in page.split("<main", 1)[1]
    assert "The numbers week by week" in page
    assert 'href="/self-help/"' in page and 'href="/bookings/"' in page and 'href="/help-now"' in page
    assert "Too few people started here" in page  # the adult service


def test_filters_by_group_and_age(client, frozen_clock):
    _some_flow()
    page = client.get("/waits?group=getting_more_help").get_data(as_text=True)
    assert "Young adults service" in page and "Talking service" not in page
    page = client.get("/waits?age=12").get_data(as_text=True)
    assert "Talking service" in page and "Young adults service" not in page
    page = client.get("/waits?age=30").get_data(as_text=True)
    assert "Enter an age from 0 to 25." in page and "Talking service" in page
    assert 'value="30"' in page  # kept what was typed


def test_wait_note_and_pause_from_the_front_door_are_shown(client, frozen_clock):
    _some_flow()
    set_wait_note("talk", wait_note="Extra clinics in July", paused=True, paused_reason="No new starts until August")
    db.session.commit()
    page = client.get("/waits").get_data(as_text=True)
    assert "Extra clinics in July" in page
    assert "No new starts until August" in page
    api = {s["id"]: s for s in client.get("/api/v1/waits").get_json()["services"]}
    assert api["talk"]["paused"] is True and api["talk"]["wait_note"] == "Extra clinics in July"


def test_waits_is_in_the_main_navigation(client):
    assert 'href="/waits"' in client.get("/").get_data(as_text=True)


def test_leaders_view_needs_a_clinician_or_admin(client, make_user, login):
    response = client.get("/staff/waits")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, make_user(role="young_person"))
    assert client.get("/staff/waits").status_code == 403
    assert client.get("/staff/waits.csv").status_code == 403


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_leaders_view_and_csv(client, make_user, login, frozen_clock, role):
    _some_flow()
    login(client, make_user(role=role))
    page = client.get("/staff/waits")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Under 4 weeks" in text and "Hidden waits" in text and "Talking service" in text
    response = client.get("/staff/waits.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    talk = next(r for r in rows if r["service_id"] == "talk")
    assert talk["waiting_now"] == "1"
    assert talk["waiting_under_4_weeks"] == "1"
    assert talk["triage_to_allocation_median_days"] == "2.0"
    assert talk["request_to_triage_median_days"] == "2.0"


def test_staff_home_links_to_the_leaders_view(client, make_user, login):
    login(client, make_user(role="clinician"))
    assert 'href="/staff/waits"' in client.get("/staff/").get_data(as_text=True)


def _partial(support_request) -> str:
    return render_template_string('{% include "waits/_estimate.html" ignore missing %}',
                                  support_request=support_request)


def test_estimate_partial_renders_safely_for_every_status(app, frozen_clock):
    _some_flow()
    now = clock.now()
    cases = {
        "received": make_journey(None, now - DAY),
        "triaged": make_journey(None, now - 2 * DAY, triaged=now - DAY),
        "allocated": make_journey("talk", now - 3 * DAY, triaged=now - 2 * DAY, allocated=now - DAY),
        "first_appointment": make_journey("talk", now - 9 * DAY, triaged=now - 8 * DAY, allocated=now - 7 * DAY,
                                          first_appointment=now - DAY),
        "closed": make_journey(None, now - 9 * DAY, advice_given=now - 8 * DAY, closed=now - DAY),
    }
    with app.test_request_context("/track"):
        for status, support_request in cases.items():
            assert support_request.status == status
            _partial(support_request)
        assert "You are number 2 in the queue for Talking service" in _partial(cases["allocated"])
        assert "Not enough people have started there recently" in _partial(cases["allocated"])
        assert "Most people (8 in 10) hear back from the front door between 1 and 2 days after asking" in " ".join(
            _partial(cases["received"]).split())
        assert "Your request has been looked at." in _partial(cases["triaged"])
        assert _partial(cases["closed"]).strip() == ""
        assert _partial(None).strip() == ""
        assert render_template_string('{% include "waits/_estimate.html" %}').strip() == ""
