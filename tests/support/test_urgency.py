"""What a requester on the urgent path is promised, at each point of the journey, and what a routine one
keeps seeing (its estimate, unchanged)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.helpers import send
from webapp import clock
from webapp.extensions import db
from webapp.support import service
from webapp.support.urgency import is_urgent_path, promise_for
from webapp.waits.service import personal_estimate


def _fresh(reference: str):
    db.session.expire_all()
    return service.by_reference(reference)


def _local(moment):
    return clock.to_local(moment).strftime("%a %d %H:%M")


def test_a_routine_request_has_no_promise_and_keeps_its_estimate(client, services, frozen_clock):
    reference, _ = send(client, "parent")
    req = _fresh(reference)
    assert promise_for(req) is None and not is_urgent_path(req)
    assert personal_estimate(req).kind == "first_contact"


def test_an_urgent_request_is_promised_a_look_then_direct_contact_once_the_front_door_acts(
        client, services, frozen_clock):
    reference, _ = send(client, "parent", {"safety": {"risk_ending_life": "yes"}})  # Monday 12:00
    promise = promise_for(_fresh(reference))
    assert (promise.kind, _local(promise.by), promise.overdue) == ("look", "Tue 16 17:00", False)
    assert personal_estimate(_fresh(reference)).kind == "urgent"

    clock.advance(timedelta(hours=3))  # the front door puts it in Getting Risk Support (signal not yet marked)
    service.move(_fresh(reference), "allocated", actor="ifd_api", thrive_group="getting_risk_support",
                 service_id="camhs-community", note="They will phone you after 4pm this week.", deliver=False)
    db.session.commit()
    promise = promise_for(_fresh(reference))
    assert (promise.kind, _local(promise.by)) == ("contact", "Tue 16 17:00")
    assert personal_estimate(_fresh(reference)).kind == "urgent"  # never the community team's queue

    clock.advance(timedelta(days=1))  # things get worse on Tuesday: someone looks by Wednesday 17:00
    service.report_worse(_fresh(reference), "Worse tonight", actor_id=None)
    db.session.commit()
    promise = promise_for(_fresh(reference))
    assert (promise.kind, _local(promise.by)) == ("look", "Wed 17 17:00")


def test_a_promise_that_has_passed_says_so(client, services, frozen_clock):
    reference, _ = send(client, "parent", {"safety": {"risk_unsafe_tonight": "not_sure"}})
    clock.advance(timedelta(days=2))
    assert promise_for(_fresh(reference)).overdue


def test_a_routine_request_that_gets_worse_shows_no_queue_place_until_reviewed(app, client, services,
                                                                                make_user, frozen_clock):
    reference, _ = send(client, "parent")
    service.move(_fresh(reference), "allocated", actor="ifd_api", thrive_group="getting_help",
                 service_id="point-1", deliver=False)
    db.session.commit()
    assert personal_estimate(_fresh(reference)).kind in ("queue", "too_little_data")
    service.report_worse(_fresh(reference), "She has stopped eating", actor_id=None)
    db.session.commit()
    assert personal_estimate(_fresh(reference)).kind == "urgent"
    service.mark_reviewed(_fresh(reference), make_user(role="clinician"))
    db.session.commit()
    assert personal_estimate(_fresh(reference)).kind in ("queue", "too_little_data")  # reviewed: routine again


def test_a_passed_promise_is_never_shown_as_still_to_come(app, client, services, frozen_clock):
    """Read as the person four weeks on: no "will look by" a date already gone, no "until then"."""
    reference, _ = send(client, "parent", {"safety": {"risk_ending_life": "yes"}})
    clock.advance(timedelta(weeks=4))
    tracker = app.test_client()
    tracker.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    page = tracker.get(f"/track/{reference}").get_data(as_text=True)
    assert "That time has passed, and we are sorry." in page
    assert "You are still not on a waiting list." in page
    assert "will look at this request by" not in page and "Until then" not in page
