"""Come back without starting again: a closed request reopens from one short page for six months, to the
same team with its history, into the risk band when things are worse; expired, or used twice, it does not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.checkins.helpers import tracker_client
from tests.support.helpers import send
from webapp import clock
from webapp.extensions import db
from webapp.support import service as support
from webapp.support.models import RequestUpdate


def _closed_request(app) -> str:
    reference, _ = send(app.test_client(), "parent")
    req = support.by_reference(reference)
    support.move(req, "allocated", actor="ifd_api", thrive_group="getting_help", service_id="point-1", deliver=False)
    support.move(req, "closed", actor="ifd_api", note="Closed after your last session.", deliver=False)
    db.session.commit()
    return reference


def test_a_closed_request_comes_back_to_the_same_team_with_its_history(app, client, services, frozen_clock):
    reference = _closed_request(app)
    clock.advance(timedelta(days=90))
    tracker = tracker_client(app, reference)
    assert "Come back without starting again" in tracker.get(f"/track/{reference}").get_data(as_text=True)
    response = tracker.post_form(f"/track/{reference}/come-back",
                                 {"what_changed": "The panic attacks are back", "worse": "no"})
    assert response.status_code == 303
    db.session.expire_all()
    req = support.by_reference(reference)
    assert (req.status, req.service_id) == ("allocated", "point-1")
    assert [u.text for u in req.updates] == ["The panic attacks are back"]
    assert not [s for s in req.risk_signals if s.reviewed_at is None]
    page = tracker.get(f"/track/{reference}").get_data(as_text=True)
    assert "You came back" in page and "Closed after your last session." in page  # the history stays


def test_coming_back_worse_goes_into_the_risk_band(app, client, services, frozen_clock):
    reference = _closed_request(app)
    response = tracker_client(app, reference).post_form(f"/track/{reference}/come-back",
                                                  {"what_changed": "I'm not safe", "worse": "yes"})
    assert response.status_code == 200 and "Call 999" in response.get_data(as_text=True)
    rows, _ = support.queue()
    assert rows[0].request.reference == reference and rows[0].signal_kinds == ("worse",)


def test_after_six_months_the_link_is_gone_and_a_new_request_is_offered(app, client, services, frozen_clock):
    reference = _closed_request(app)
    clock.advance(timedelta(days=184))
    tracker = tracker_client(app, reference)
    page = tracker.get(f"/track/{reference}").get_data(as_text=True)
    assert "Come back without starting again" not in page and "you can make a new request" in page
    assert tracker.post_form(f"/track/{reference}/come-back",
                             {"what_changed": "Again", "worse": "no"}).status_code == 404


def test_coming_back_twice_reopens_once(app, client, services, frozen_clock):
    reference = _closed_request(app)
    tracker = tracker_client(app, reference)
    form = {"what_changed": "Struggling again", "worse": "not_sure"}
    assert tracker.post_form(f"/track/{reference}/come-back", form).status_code == 200
    assert tracker.post_form(f"/track/{reference}/come-back", form).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(RequestUpdate)) == 1


def test_what_changed_is_needed_and_kept(app, client, services, frozen_clock):
    reference = _closed_request(app)
    response = tracker_client(app, reference).post_form(f"/track/{reference}/come-back",
                                                  {"what_changed": "Typed words", "worse": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose whether things are worse." in page and "Typed words" in page
