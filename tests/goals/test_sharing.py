"""Sharing with the allocated worker, as an access matrix, and goals carried over from a request."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_login import login_user

from webapp.extensions import db
from webapp.goals import service, sharing

INCLUDE = '{% with user_id=uid %}{% include "goals/_shared_with_worker.html" %}{% endwith %}'


@pytest.fixture
def people(make_user, young, clinician, make_request):
    other_clinician = make_user(role="clinician")
    make_request(young, clinician=clinician)
    goal = service.add_goal(young.id, "To go to football again", 3)
    service.check_in(young.id, goal.id, 3)
    service.check_in(young.id, goal.id, 3)
    db.session.commit()
    return {
        "allocated clinician": clinician, "other clinician": other_clinician,
        "admin": make_user(role="admin"), "base staff": make_user(role="base_staff"),
        "the young person": young, "another young person": make_user(role="young_person"),
        "parent": make_user(role="parent"),
    }


SEES_WHEN_SHARED = {"allocated clinician"}


@pytest.mark.parametrize("share", [False, True])
@pytest.mark.parametrize("who", ["allocated clinician", "other clinician", "admin", "base staff",
                                 "the young person", "another young person", "parent"])
def test_who_sees_shared_goals(app, client, login, people, young, share, who):
    sharing.set_sharing(young.id, share)
    db.session.commit()
    viewer = people[who]
    may_see = share and who in SEES_WHEN_SHARED
    assert sharing.worker_may_see(viewer, young.id) is may_see
    login(client, viewer)
    response = client.get(f"/goals/shared/{young.id}")
    if viewer.role == "clinician":
        assert response.status_code == (200 if may_see else 404)
    else:
        assert response.status_code == 403
    if may_see:
        page = response.get_data(as_text=True)
        assert "To go to football again" in page
        assert "data-goal-flag" in page and "no improvement over the last three ratings" in page
    with app.test_request_context():
        login_user(viewer)
        included = render_template_string(INCLUDE, uid=young.id)
    assert ("To go to football again" in included) is may_see
    assert ("A review may help" in included) is may_see


def test_sharing_is_off_by_default_and_turning_it_off_hides_at_once(app, client, login, people, young,
                                                                    clinician):
    login(client, clinician)
    assert client.get(f"/goals/shared/{young.id}").status_code == 404
    sharing.set_sharing(young.id, True)
    db.session.commit()
    assert client.get(f"/goals/shared/{young.id}").status_code == 200
    sharing.set_sharing(young.id, False)
    db.session.commit()
    assert client.get(f"/goals/shared/{young.id}").status_code == 404


def test_a_closed_request_no_longer_shares(app, young, clinician, make_request):
    request = make_request(young, clinician=clinician)
    sharing.set_sharing(young.id, True)
    db.session.commit()
    assert sharing.worker_may_see(clinician, young.id)
    request.status = "closed"
    db.session.commit()
    assert not sharing.worker_may_see(clinician, young.id)


def test_viewing_shared_goals_is_audited(app, client, login, people, young, clinician):
    from webapp.audit import AuditEvent

    sharing.set_sharing(young.id, True)
    db.session.commit()
    login(client, clinician)
    client.get(f"/goals/shared/{young.id}")
    event = db.session.query(AuditEvent).filter_by(action="goals.viewed_shared").one()
    assert (event.actor_id, event.subject_id) == (clinician.id, str(young.id))


def test_goals_from_a_request_are_offered_until_added_or_dismissed(app, young, make_user, make_request):
    request = make_request(young, goals=["To sleep better", "  ", "To talk to Mum"])
    parents_request = make_request(make_user(role="parent"), goals=["Not theirs"])
    offers = sharing.carry_over_offers(young.id)
    assert [(o.request_id, o.goals) for o in offers] == [(request.id, [(0, "To sleep better"),
                                                                        (2, "To talk to Mum")])]
    assert sharing.offered_goal(young.id, parents_request.id, 0) is None
    service.add_goal(young.id, "To sleep better", 4, source_request_id=request.id, source_goal_index=0)
    db.session.commit()
    assert sharing.carry_over_offers(young.id)[0].goals == [(2, "To talk to Mum")]
    sharing.dismiss_offer(young.id, request.id)
    db.session.commit()
    assert sharing.carry_over_offers(young.id) == []


def test_no_support_package_means_no_offers_and_no_sharing(app, young, clinician, monkeypatch):
    monkeypatch.setattr(sharing, "_support", lambda: None)
    sharing.set_sharing(young.id, True)
    assert sharing.carry_over_offers(young.id) == []
    assert not sharing.worker_may_see(clinician, young.id)


def test_the_clinicians_request_page_shows_shared_goals_only_while_shared(app, client, login, young, clinician,
                                                                            frozen_clock):
    from tests.support.helpers import send
    from webapp.support.models import SupportRequest

    login(client, young)
    reference, _draft = send(client, "young_person")
    request = db.session.query(SupportRequest).filter_by(reference=reference).one()
    assert request.requester_user_id == young.id
    request.status, request.assigned_clinician_id = "allocated", clinician.id
    goal = service.add_goal(young.id, "To sleep before midnight", 2)
    db.session.commit()
    client.post_form("/logout")
    login(client, clinician)
    assert "To sleep before midnight" not in client.get(f"/staff/requests/{reference}").get_data(as_text=True)
    sharing.set_sharing(young.id, True)
    db.session.commit()
    page = client.get(f"/staff/requests/{reference}").get_data(as_text=True)
    assert "Goals shared by the young person" in page and goal.text in page
