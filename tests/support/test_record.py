"""The front-door record: a FHIR R4 Bundle that validates with fhir.resources (R4B) and holds every answer."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from tests.support.helpers import send
from webapp.extensions import db
from webapp.support import record
from webapp.support.models import FrontDoorDelivery, SupportRequest


def _bundle() -> dict:
    return json.loads(db.session.scalar(select(FrontDoorDelivery)).body)


def _by_type(bundle: dict) -> dict[str, dict]:
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


@pytest.mark.parametrize(("kind", "requester_type"), [("parent", "RelatedPerson"), ("professional", "Practitioner"),
                                                      ("young_person", "Patient")])
def test_the_record_validates_and_follows_the_contract(client, services, frozen_clock, kind, requester_type):
    overrides = {"young-person": {"date_of_birth": "2010-03-27"}} if kind == "young_person" else None
    reference, _ = send(client, kind, overrides)
    bundle = _bundle()
    Bundle.model_validate(bundle)  # fhir.resources, R4B
    record.check_record(bundle)
    assert bundle["identifier"]["value"] == reference
    resources = _by_type(bundle)
    sr, patient = resources["ServiceRequest"], resources["Patient"]
    assert sum(e["resource"]["resourceType"] == "ServiceRequest" for e in bundle["entry"]) == 1
    assert sr["identifier"][0]["value"] == reference
    assert (sr["status"], sr["intent"], sr["priority"]) == ("active", "order", "routine")
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    assert urls[sr["subject"]["reference"]] is patient
    assert urls[sr["requester"]["reference"]]["resourceType"] == requester_type
    assert patient["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
    assert patient["identifier"] == [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    assert patient["birthDate"] == ("2010-03-27" if kind == "young_person" else "2012-03-27")
    assert patient["address"][0]["postalCode"] == "NR1 3SR"
    assert sr["reasonCode"][0]["text"] == "Panicky before school."
    assert "category" not in sr  # not triaged yet


def test_the_questionnaire_response_holds_every_answer(client, services):
    send(client, "professional")
    req = db.session.scalar(select(SupportRequest))
    items = {i["linkId"]: i for i in _by_type(_bundle())["QuestionnaireResponse"]["item"]}
    for name, value in req.answers.items():
        assert name in items, name
        if value in ("", [], None):
            continue
        given = [next(iter(a.values())) for a in items[name]["answer"]]
        assert given == (value if isinstance(value, list) else [value]), name
    assert items["goals"]["answer"] == [{"valueString": "Go to school every day"}, {"valueString": "Sleep better"}]
    assert items["organisation"]["text"] == "Your organisation"


def test_an_urgent_record_puts_the_risk_first(client, services):
    send(client, "parent", {"safety": {"risk_ending_life": "yes"}})
    resources = _by_type(_bundle())
    assert resources["ServiceRequest"]["priority"] == "urgent"
    assert resources["ServiceRequest"]["note"][0]["text"].startswith("RISK: Thoughts of ending their life now")
    first = resources["QuestionnaireResponse"]["item"][0]
    assert first["linkId"] == "risk_ending_life" and first["answer"] == [{"valueString": "yes"}]


def test_wrong_codes_are_refused_even_though_fhir_resources_accepts_them(client, services):
    send(client, "parent")
    good = _bundle()
    for change in (lambda b: b.update(type="nonsense"),
                   lambda b: _by_type(b)["ServiceRequest"].update(priority="whenever"),
                   lambda b: _by_type(b)["ServiceRequest"].update(intent="plan"),
                   lambda b: _by_type(b)["ServiceRequest"]["subject"].update(reference="urn:uuid:elsewhere"),
                   lambda b: _by_type(b)["Patient"]["identifier"][0].update(value="9434765918")):
        bundle = json.loads(json.dumps(good))
        change(bundle)
        Bundle.model_validate(bundle)
        with pytest.raises(record.RecordError):
            record.check_record(bundle)


def test_triage_puts_the_thrive_grouping_in_the_record(client, services, api_token):
    reference, _ = send(client, "parent")
    client.post(f"/api/v1/front-door/requests/{reference}/status", json={"status": "triaged",
                "thrive_group": "getting_help"}, headers={"Authorization": f"Bearer {api_token}"})
    full = client.get(f"/api/v1/front-door/requests/{reference}", headers={"Authorization": f"Bearer {api_token}"})
    sr = _by_type(full.get_json())["ServiceRequest"]
    assert sr["category"][0]["coding"][0] == {"system": record.own_system("thrive-grouping"), "code": "getting_help",
                                              "display": "Getting Help"}


def test_the_pulled_record_keeps_the_reference_as_its_identifier_after_updates(client, services, api_token):
    reference, _ = send(client, "parent")
    client.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    client.post_form(f"/track/{reference}/worse", {"what_changed": "Worse at night"})
    rows = db.session.scalars(select(FrontDoorDelivery).order_by(FrontDoorDelivery.id)).all()
    assert [r.idempotency_key for r in rows] == [reference, f"{reference}-U1"]
    assert json.loads(rows[1].body)["identifier"]["value"] == f"{reference}-U1"
    pulled = client.get(f"/api/v1/front-door/requests/{reference}", headers={"Authorization": f"Bearer {api_token}"})
    assert pulled.get_json()["identifier"]["value"] == reference
    record.check_record(pulled.get_json())


def test_each_site_names_its_own_identifier_systems(app, client, services, monkeypatch):
    """Another THRIVE site running Flourish sets FHIR_IDENTIFIER_BASE; nothing says flourish.example."""
    monkeypatch.setitem(app.config, "FHIR_IDENTIFIER_BASE", "https://front-door.example.nhs.uk/Id/")
    reference, _ = send(client, "parent")
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    bundle = json.loads(req.fhir_record)
    assert bundle["identifier"] == {"system": "https://front-door.example.nhs.uk/Id/front-door-record",
                                    "value": reference}
    sr = record.service_request_of(bundle)
    assert sr["identifier"][0]["system"] == "https://front-door.example.nhs.uk/Id/support-request"
    assert "flourish.example" not in req.fhir_record
