"""The front-door API: bearer token, the paged pull, one record, and the status API (with 422s)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.support.helpers import send
from webapp import clock
from webapp.directory.models import Service
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.support import service
from webapp.support.models import RequestStatusEvent, SupportRequest

BASE = "/api/v1/front-door/requests"


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic dGVzdA==", "Bearer ",
                                    "test-api-token-0123456789"])
def test_every_endpoint_refuses_a_missing_or_wrong_token(client, services, api_token, header):
    reference, _ = send(client, "parent")
    headers = {"Authorization": header} if header else {}
    for method, url in (("GET", BASE), ("GET", f"{BASE}/{reference}"), ("POST", f"{BASE}/{reference}/status")):
        response = client.open(url, method=method, headers=headers, json={"status": "closed"})
        assert response.status_code == 401, (url, header)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalar(select(SupportRequest)).status == "received"


def test_an_unset_token_refuses_everyone(client, services, app):
    app.config["FRONT_DOOR_API_TOKEN"] = ""
    assert client.get(BASE, headers={"Authorization": "Bearer "}).status_code == 401


def test_pull_pages_oldest_first_with_next_links(client, services, api_token, frozen_clock, monkeypatch):
    monkeypatch.setattr(service, "PULL_PAGE", 2)
    references = []
    for _ in range(5):
        references.append(send(client.application.test_client(), "parent")[0])
        clock.advance(timedelta(minutes=3))
    seen, url, pages = [], f"{BASE}?since=2026-06-15T11:00:00Z", 0
    while url:
        response = client.get(url, headers=_auth(api_token))
        assert response.status_code == 200 and response.mimetype == "application/fhir+json"
        body = response.get_json()
        assert body["resourceType"] == "Bundle" and body["type"] == "searchset"
        seen += [e["resource"]["identifier"]["value"] for e in body["entry"]]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = (lambda u: f"{u.path}?{u.query}")(urlsplit(nxt[0])) if nxt else None
        pages += 1
    assert seen == references and pages == 3
    later = client.get(f"{BASE}?since=2026-06-15T11:05:00%2B00:00", headers=_auth(api_token)).get_json()
    assert [e["resource"]["identifier"]["value"] for e in later["entry"]] == references[2:4]  # one page of two


def test_pull_refuses_a_bad_since(client, api_token):
    response = client.get(f"{BASE}?since=yesterday", headers=_auth(api_token))
    assert response.status_code == 400 and response.get_json()["field"] == "since"


def test_one_record_and_an_unknown_one(client, services, api_token):
    reference, _ = send(client, "parent")
    response = client.get(f"{BASE}/{reference}", headers=_auth(api_token))
    assert response.status_code == 200 and response.get_json()["identifier"]["value"] == reference
    assert client.get(f"{BASE}/FL-AAAA-BBBB", headers=_auth(api_token)).status_code == 404


def test_status_moves_the_timeline_and_tells_the_requester(client, services, api_token, make_user, login,
                                                           frozen_clock):
    user = make_user(role="parent")
    login(client, user)
    reference, _ = send(client, "parent")
    response = client.post(f"{BASE}/{reference}/status", headers=_auth(api_token), json={
        "status": "allocated", "thrive_group": "getting_help", "service_id": "point-1",
        "note_for_requester": "You are on the Point 1 waiting list."})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "allocated"
    req = db.session.scalar(select(SupportRequest))
    assert (req.status, req.thrive_group, req.service_id) == ("allocated", "getting_help", "point-1")
    event = db.session.scalar(select(RequestStatusEvent).order_by(RequestStatusEvent.id.desc()))
    assert (event.actor, event.service_id) == ("ifd_api", "point-1")
    note = db.session.scalar(select(ScheduledNotification))
    assert note.user_id == user.id and note.kind == "request_update" and note.url.endswith(reference)
    page = client.get(f"/request-support/my-requests/{reference}").get_data(as_text=True)
    assert "You are on the Point 1 waiting list." in page and "Service chosen" in page
    assert "How long you might wait" in page  # the personal estimate (webapp.waits)


@pytest.mark.parametrize(("payload", "field"), [
    ({"status": "lost"}, "status"),
    ({"status": "allocated", "service_id": "no-such-service"}, "service_id"),
    ({"status": "triaged", "thrive_group": "getting_everything"}, "thrive_group"),
    ({"status": "allocated"}, "service_id"),
    ({"status": "triaged", "note_for_requester": 5}, "note_for_requester"),
    ({"paused": True, "service_id": "point-1"}, "paused_reason"),
    ({}, "status"),
    (["not", "an", "object"], "body"),
])
def test_status_refuses_what_it_cannot_apply_with_a_422_and_the_reason(client, services, api_token, payload, field):
    reference, _ = send(client, "parent")
    response = client.post(f"{BASE}/{reference}/status", headers=_auth(api_token), json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field and body["reason"]
    assert db.session.scalar(select(SupportRequest)).status == "received"


def test_status_for_an_unknown_reference_is_404(client, services, api_token):
    response = client.post(f"{BASE}/FL-AAAA-BBBB/status", headers=_auth(api_token), json={"status": "closed"})
    assert response.status_code == 404


def test_status_api_sets_a_service_wait_note_and_pause_shown_to_people(client, services, api_token, frozen_clock):
    reference, _ = send(client, "parent")
    client.post(f"{BASE}/{reference}/status", headers=_auth(api_token),
                json={"status": "allocated", "service_id": "point-1"})
    response = client.post(f"{BASE}/{reference}/status", headers=_auth(api_token), json={
        "wait_note": "Extra clinics on Saturdays", "paused": True, "paused_reason": "Not taking new people until May"})
    assert response.status_code == 200
    point = db.session.get(Service, "point-1")
    db.session.refresh(point)
    assert point.wait_note == "Extra clinics on Saturdays" and point.paused
    page = client.get("/waits").get_data(as_text=True)
    assert "Extra clinics on Saturdays" in page and "Not taking new people until May" in page
    client.post(f"{BASE}/{reference}/status", headers=_auth(api_token), json={"paused": False, "service_id": "point-1"})
    db.session.refresh(point)
    assert not point.paused and point.paused_reason is None


def test_more_information_needed_asks_a_question_answered_in_the_app(client, services, api_token, receiver,
                                                                     frozen_clock):
    from webapp.support import delivery

    reference, _ = send(client, "parent")
    client.post(f"{BASE}/{reference}/status", headers=_auth(api_token),
                json={"status": "more_information_needed", "question": "Which school year is Jamie in?"})
    client.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert "Which school year is Jamie in?" in page
    response = client.post_form(f"/track/{reference}/answer", {"answer": "Year 9"})
    assert response.status_code == 303
    req = db.session.scalar(select(SupportRequest))
    assert req.status == "received" and req.updates[-1].text == "Year 9"
    delivery.deliver_due()
    items = [i for e in receiver.received[-1]["bundle"]["entry"] if e["resource"]["resourceType"] ==
             "QuestionnaireResponse" for i in e["resource"]["item"]]
    assert any(i.get("answer") == [{"valueString": "Year 9"}] and "Which school year" in i["text"] for i in items)


@pytest.mark.parametrize("query", ["after=7704521485209097", "after=-1", "after=abc",
                                   "since=9999-12-31T23:59:59-23:59", "since=yesterday"])
def test_pull_refuses_a_nonsense_cursor_or_time_with_a_400(client, api_token, query):
    """Found by schemathesis on PostgreSQL: a cursor past 32 bits was a 500."""
    response = client.get(f"{BASE}?{query}", headers=_auth(api_token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid"


@pytest.mark.parametrize("reference", ["FL-\x00AB-CDEF", "x" * 300, "FL-ABCD-EFGH'--"])
def test_a_reference_that_cannot_be_one_is_a_404_without_a_query(client, api_token, reference):
    from urllib.parse import quote

    response = client.get(f"{BASE}/{quote(reference)}", headers=_auth(api_token))
    assert response.status_code == 404


def _outbox_statuses() -> list[str]:
    from webapp.support.models import FrontDoorDelivery

    db.session.expire_all()
    return list(db.session.scalars(select(FrontDoorDelivery.status).order_by(FrontDoorDelivery.id)))


def test_pull_only_a_record_read_through_the_api_is_no_longer_undelivered(client, services, api_token, app):
    from webapp.support import delivery

    assert not app.config.get("FRONT_DOOR_WEBHOOK_URL")  # pull only
    listed, _ = send(client, "parent")
    fetched, _ = send(client.application.test_client(), "professional")
    assert _outbox_statuses() == ["pending", "pending"] and delivery.undelivered_summary()[0] == 2

    assert client.get(f"{BASE}/{fetched}", headers=_auth(api_token)).status_code == 200
    assert _outbox_statuses() == ["pending", "sent"]
    assert client.get(f"{BASE}?since=2000-01-01T00:00:00Z", headers=_auth(api_token)).status_code == 200
    assert _outbox_statuses() == ["sent", "sent"] and delivery.undelivered_summary()[0] == 0


def test_a_refused_pull_delivers_nothing(client, services, api_token):
    send(client, "parent")
    assert client.get(f"{BASE}?since=2000-01-01T00:00:00Z", headers=_auth("wrong")).status_code == 401
    assert _outbox_statuses() == ["pending"]


def test_with_a_webhook_a_pull_leaves_the_outbox_to_push(client, services, api_token, receiver):
    reference, _ = send(client, "parent")
    assert client.get(f"{BASE}/{reference}", headers=_auth(api_token)).status_code == 200
    assert _outbox_statuses() == ["pending"]


def test_an_update_made_while_a_record_is_being_read_stays_undelivered(client, services, app):
    """The front door reads the record; meanwhile the person says things got worse. The update was
    not in what was read, so it must stay in the outbox for the next pull."""
    from webapp.support import delivery

    reference, _ = send(client, "parent")
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    unsent = delivery.unsent_before_a_pull(reference)  # the API reads this first, then the record
    client.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    assert client.post_form(f"/track/{reference}/worse", {"what_changed": "Worse tonight"}).status_code == 200
    assert _outbox_statuses() == ["pending", "pending"]
    assert delivery.mark_pulled(unsent, [req.id]) == 1
    db.session.commit()
    assert _outbox_statuses() == ["sent", "pending"]
