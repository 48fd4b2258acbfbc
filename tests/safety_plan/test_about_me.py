"""'About me' in the request for support: asked of a young person, kept exactly, in the front door's record
(QuestionnaireResponse answers; the name they use and an interpreter on the Patient) and at the top of the
clinician's page."""

from __future__ import annotations

import json

from tests.safety_plan.conftest import HOSTILE_TEXT as LONG_TEXT
from tests.support.helpers import DRAFT_FIELD, STEP_DATA
from webapp.extensions import db
from webapp.support.models import SupportRequest

HOSTILE_TEXT = LONG_TEXT[:2900]  # the request form keeps up to 3,000 characters an answer
ABOUT_ME = {"name_used": "Kai 🌈", "what_matters": HOSTILE_TEXT,
            "helped_before": "Drawing helped; CBT worksheets did not",
            "contact_preferences": "Text, don't call. Not during school.",
            "appointment_needs": ["waiting_rooms", "interpreter"], "appointment_needs_more": "A quiet room please"}
STEPS = ["who", "young-person", "safety", "your-story", "about-me", "contact", "consent"]


def _send(client, about_me):
    assert client.post_form("/request-support/").status_code == 303
    for step in STEPS:
        data = about_me if step == "about-me" else {**STEP_DATA[step]("young_person")}
        if step == "contact":
            data["preferred_language"] = "Polish"
        response = client.post_form(f"/request-support/{step}", data)
        assert response.status_code == 303, (step, response.get_data(as_text=True)[:2000])
    page = client.get("/request-support/check")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    draft = DRAFT_FIELD.search(html).group(1)
    response = client.post_form("/request-support/check", {"draft": draft})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return html, db.session.query(SupportRequest).one()


def test_about_me_is_asked_of_a_young_person_and_reaches_the_front_door_record(client, make_user, login, app):
    check_page, request = _send(client, ABOUT_ME)
    assert "Text, don&#39;t call. Not during school." in check_page and "Waiting rooms make me anxious" in check_page
    assert request.answers["what_matters"] == HOSTILE_TEXT.strip()
    assert request.answers["appointment_needs"] == ["waiting_rooms", "interpreter"]
    bundle = json.loads(request.fhir_record)
    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}
    items = {item["linkId"]: item for item in resources["QuestionnaireResponse"]["item"]}
    assert items["contact_preferences"]["text"] == "How and when I like to be contacted (optional)"
    assert items["contact_preferences"]["answer"] == [{"valueString": "Text, don't call. Not during school."}]
    assert items["what_matters"]["answer"] == [{"valueString": HOSTILE_TEXT.strip()}]
    assert [a["valueString"] for a in items["appointment_needs"]["answer"]] == ["waiting_rooms", "interpreter"]
    patient = resources["Patient"]
    assert {"use": "usual", "text": "Kai 🌈"} in patient["name"]
    communication = patient["extension"][0]
    assert communication["url"].endswith("Extension-UKCore-NHSCommunication")
    assert {"url": "interpreterRequired", "valueBoolean": True} in communication["extension"]

    clinician = make_user(role="clinician")
    staff = app.test_client()
    login(staff, clinician)
    page = staff.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert "data-about-me" in page
    assert page.index("data-about-me") < page.index("risk-heading")
    assert "Kai 🌈" in page and "A quiet room please" in page and "I need an interpreter" in page


def test_about_me_is_optional(client):
    _check, request = _send(client, {})
    assert not request.answers.get("name_used") and not request.answers.get("appointment_needs")
    assert "data-about-me" not in client.get("/request-support/check").get_data(as_text=True)


def test_about_me_is_kept_up_to_date_while_waiting_and_sent_as_an_update(client, login, make_user):
    from sqlalchemy import select

    from webapp.support.models import FrontDoorDelivery

    young = make_user(role="young_person")
    login(client, young)
    _check, request = _send(client, ABOUT_ME)
    before = db.session.scalars(select(FrontDoorDelivery)).all()
    timeline = client.get(f"/request-support/my-requests/{request.reference}").get_data(as_text=True)
    assert "Change About me" in timeline
    url = f"/request-support/my-requests/{request.reference}/about-me"
    page = client.get(url).get_data(as_text=True)
    assert "Text, don&#39;t call. Not during school." in page
    changed = {**ABOUT_ME, "contact_preferences": "Email only please 📧", "appointment_needs": ["access"]}
    assert client.post_form(url, changed).status_code == 303
    db.session.expire_all()
    request = db.session.get(SupportRequest, request.id)
    assert request.answers["contact_preferences"] == "Email only please 📧"
    assert request.answers["appointment_needs"] == ["access"]
    deliveries = db.session.scalars(select(FrontDoorDelivery).order_by(FrontDoorDelivery.id)).all()
    assert len(deliveries) == len(before) + 1
    items = {i["linkId"]: i for e in json.loads(request.fhir_record)["entry"]
             if e["resource"]["resourceType"] == "QuestionnaireResponse" for i in e["resource"]["item"]}
    assert items["contact_preferences"]["answer"] == [{"valueString": "Email only please 📧"}]
    too_long = client.post_form(url, {**changed, "what_matters": "x" * 3001})
    assert too_long.status_code == 400 and 'id="what_matters-error"' in too_long.get_data(as_text=True)
    assert "x" * 3001 in too_long.get_data(as_text=True)  # nothing typed is lost
    other = make_user(role="young_person")
    login(client, other)
    assert client.get(url).status_code == 404
