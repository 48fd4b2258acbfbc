"""A privacy concern reaches an admin; a /track look-up is shown to the young person (#21 item 9)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from tests.support.helpers import send
from webapp.audit import AuditEvent
from webapp.extensions import db
from webapp.privacy.models import PrivacyConcern
from webapp.support.models import SupportRequest, TrackLookup

CONCERN = "My old school can see my request, I think."


def test_a_concern_raised_without_an_account_is_stored_audited_and_shown_to_admins(app, client, make_user, login,
                                                                                  frozen_clock, caplog):
    page = client.get("/privacy/concern")
    assert page.status_code == 200 and "Raise a privacy concern" in page.get_data(as_text=True)
    with caplog.at_level(logging.DEBUG):
        response = client.post_form("/privacy/concern", {"concern": CONCERN, "reply_to": "kit@example.org"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/privacy/concern/sent")
    concern = db.session.scalar(select(PrivacyConcern))
    assert concern.concern == CONCERN and concern.reply_to == "kit@example.org" and concern.user_id is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "privacy_concern")) \
        == "privacy_concern_raised"
    assert CONCERN not in caplog.text and "kit@example.org" not in caplog.text  # no free text in logs

    admin = app.test_client()
    login(admin, make_user(role="admin"))
    listing = admin.get("/staff/admin/privacy-concerns").get_data(as_text=True)
    assert CONCERN in listing and "kit@example.org" in listing and "1 open concern" in listing
    assert "/staff/admin/privacy-concerns" in admin.get("/staff/").get_data(as_text=True)  # linked from staff home
    done = admin.post_form(f"/staff/admin/privacy-concerns/{concern.id}/handled")
    assert done.status_code == 303
    db.session.refresh(concern)
    assert concern.handled_at is not None
    assert "No open concerns." in admin.get("/staff/admin/privacy-concerns").get_data(as_text=True)


def test_an_empty_concern_is_refused_by_its_field_and_nothing_is_kept(client, frozen_clock):
    response = client.post_form("/privacy/concern", {"concern": "  ", "reply_to": "kept@example.org"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tell us what your concern is." in body
    assert 'value="kept@example.org"' in body
    assert db.session.scalar(select(PrivacyConcern)) is None


def test_only_admins_see_concerns(app, make_user, login, frozen_clock):
    for role in ("clinician", "base_staff", "young_person"):
        client = app.test_client()
        login(client, make_user(role=role))
        assert client.get("/staff/admin/privacy-concerns").status_code == 403


def test_a_signed_in_concern_names_the_account_and_is_in_their_download(app, make_user, login, frozen_clock):
    user = make_user(role="young_person")
    client = app.test_client()
    login(client, user)
    client.post_form("/privacy/concern", {"concern": CONCERN})
    assert db.session.scalar(select(PrivacyConcern.user_id)) == user.id
    exported = client.get("/settings/data/flourish-my-data.json").get_json()
    assert exported["privacy_concerns"][0]["concern"] == CONCERN


def test_a_track_lookup_is_on_the_young_persons_timeline_with_no_ip_or_device(app, make_user, login, services,
                                                                               frozen_clock):
    user = make_user(role="young_person", date_of_birth=__import__("datetime").date(2010, 3, 27))
    young = app.test_client()
    login(young, user)
    reference, _ = send(young, "young_person", {"young-person": {"date_of_birth": "2010-03-27"}})
    timeline = f"/request-support/my-requests/{reference}"
    assert "looked up your request" not in young.get(timeline).get_data(as_text=True)

    parent = app.test_client()
    found = parent.post_form("/track", {"reference": reference, "date_of_birth": "2010-03-27"})
    assert found.status_code == 303
    assert "looked up your request" not in parent.get(found.headers["Location"]).get_data(as_text=True)
    lookup = db.session.scalar(select(TrackLookup))
    assert {column.name for column in TrackLookup.__table__.columns} == {"id", "request_id", "looked_up_at"}
    assert lookup.request_id == db.session.scalar(select(SupportRequest.id))

    page = young.get(timeline).get_data(as_text=True)
    assert "Someone looked up your request with its reference on 15 June 2026" in page
    exported = young.get("/settings/data/flourish-my-data.json").get_json()
    assert exported["track_lookups_of_my_requests"][0]["request"] == reference


def test_a_failed_lookup_is_not_recorded(client, services, frozen_clock):
    reference, _ = send(client, "parent")
    response = client.post_form("/track", {"reference": reference, "date_of_birth": "2001-01-01"})
    assert response.status_code == 400
    assert db.session.scalar(select(TrackLookup)) is None
