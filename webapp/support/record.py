"""The front-door record: a FHIR R4 Bundle built and validated with fhir.resources (R4B module).

One `ServiceRequest` (identifier = the reference, status active, intent order, priority routine or
urgent, subject the Patient in this bundle, requester who asked, reason in their words, category
the THRIVE grouping once triaged), a UK Core `Patient`, a `RelatedPerson` (parent or carer) or
`Practitioner` (professional) when someone asked on the young person's behalf, and a
`QuestionnaireResponse` with every answer. Risk answers come first wherever a reader looks.

fhir.resources checks structure, not code values, so `check_record` checks the codes we rely on.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from flask import current_app

from webapp import clock
from webapp.support import checks
from webapp.support.contact import (
    CALL,
    EMAIL,
    PARENT_CARER,
    PROFESSIONAL,
    TEXT,
    VOICEMAIL,
    YOUNG_PERSON,
    ContactSummary,
    contact_summary,
)
from webapp.support.models import UPDATE_CAME_BACK, UPDATE_WORSE, URGENT, SupportRequest

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/"
PROFILES = {name: UKCORE + f"UKCore-{name}" for name in
            ("Patient", "ServiceRequest", "RelatedPerson", "Practitioner", "QuestionnaireResponse")}
THRIVE_DISPLAY = {"getting_advice": "Getting Advice", "getting_help": "Getting Help",
                  "getting_more_help": "Getting More Help", "getting_risk_support": "Getting Risk Support"}
BUNDLE_TYPES = {"collection", "searchset"}
PRIORITIES = {"routine", "urgent"}
_NAMESPACE = uuid.UUID("1f0e8a52-5d0c-4c61-9d1e-7a5bb2c6f0a1")

RISK_LABELS = {
    "risk_ending_life": "Thoughts of ending their life now",
    "risk_self_harm": "Has hurt themselves in a way that may need medical help",
    "risk_unsafe_tonight": "May not be safe tonight",
    "risk_being_hurt": "Someone is hurting them or making them feel unsafe",
}


class RecordError(ValueError):
    """A record that must not be sent: a code we rely on is wrong."""


def _urn(reference: str, kind: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{reference}/{kind}')}"


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


TELECOM_SYSTEMS = {CALL: "phone", VOICEMAIL: "phone", TEXT: "sms", EMAIL: "email"}


def _telecom(summary: ContactSummary, role: str) -> list[dict[str, Any]]:
    """Only the ways the requester said are safe to reach `role` (none when there is no safe way)."""
    telecom: list[dict[str, Any]] = []
    for route in summary.routes_to(role):
        if route.kind not in TELECOM_SYSTEMS:
            continue
        point = {"system": TELECOM_SYSTEMS[route.kind], "value": route.value}
        if point not in telecom:
            telecom.append(point)
    return telecom


def _family_contact(answers: dict[str, Any], patient_ref: str) -> dict[str, Any] | None:
    """A professional's request for an under-16: the parent or carer whose contact details they gave."""
    summary = contact_summary(answers)
    if summary.requester_type != "professional" or summary.contact.role != PARENT_CARER:
        return None
    resource: dict[str, Any] = {"resourceType": "RelatedPerson", "meta": {"profile": [PROFILES["RelatedPerson"]]},
                                "patient": {"reference": patient_ref},
                                "relationship": [{"text": summary.contact.detail or "Parent or carer"}]}
    if summary.contact.name:
        resource["name"] = [{"text": summary.contact.name}]
    telecom = _telecom(summary, PARENT_CARER)
    if telecom:
        resource["telecom"] = telecom
    if summary.letter_address(PARENT_CARER):
        resource["address"] = [{"text": summary.letter_address(PARENT_CARER)}]
    return resource


KNOWS_WORDS = {"yes": "yes", "no": "no", "not_sure": "not sure"}


def _contact_notes(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """No safe way to contact them, and a professional's "does the young person (and family) know?"."""
    summary = contact_summary(answers)
    notes = []
    if summary.no_safe_contact:
        whom = {YOUNG_PERSON: "the young person", PARENT_CARER: "the parent or carer"}[summary.contact.role]
        then = " Talk to the professional who asked first." if summary.professional else ""
        notes.append({"text": f"NO SAFE WAY TO CONTACT {whom}: do not call, text, email or write.{then}"})
    answers_given = (("Young person", summary.young_person_knows, summary.young_person_knows_why_not),
                     ("Parent or carer", summary.family_knows, summary.family_knows_why_not))
    consent = [f"{who} knows and agrees: {KNOWS_WORDS[answer]}" + (f" ({why})" if why else "")
               for who, answer, why in answers_given if answer in ("no", "not_sure")]
    if consent:
        notes.append({"text": "CONSENT: " + "; ".join(consent)})
    return notes


UKCORE_NHS_COMMUNICATION = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication"


def _patient(req: SupportRequest, answers: dict[str, Any]) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [PROFILES["Patient"]]},
        "name": [{"use": "official", "given": [answers.get("given_name", "")],
                  "family": answers.get("family_name", "")}],
        "birthDate": req.young_person_date_of_birth.isoformat(),
    }
    if answers.get("nhs_number"):
        patient["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": answers["nhs_number"]}]
    if answers.get("postcode"):
        patient["address"] = [{"use": "home", "postalCode": answers["postcode"]}]
        if contact_summary(answers).letter_address(YOUNG_PERSON):
            patient["address"][0]["text"] = contact_summary(answers).letter_address(YOUNG_PERSON)
    if answers.get("gp_practice"):
        patient["generalPractitioner"] = [{"display": answers["gp_practice"]}]
    if answers.get("school"):
        patient["contact"] = [{"relationship": [{"text": "School or college"}],
                               "organization": {"display": answers["school"]}}]
    if _telecom(contact_summary(answers), YOUNG_PERSON):
        patient["telecom"] = _telecom(contact_summary(answers), YOUNG_PERSON)
    if answers.get("preferred_language"):
        patient["communication"] = [{"language": {"text": answers["preferred_language"]}, "preferred": True}]
    if answers.get("name_used"):  # "About me": the name they use
        patient["name"].append({"use": "usual", "text": answers["name_used"]})
    if "interpreter" in (answers.get("appointment_needs") or []) and answers.get("preferred_language"):
        patient["extension"] = [{"url": UKCORE_NHS_COMMUNICATION, "extension": [
            {"url": "language", "valueCodeableConcept": {"text": answers["preferred_language"]}},
            {"url": "interpreterRequired", "valueBoolean": True}]}]
    return patient


def _requester(req: SupportRequest, answers: dict[str, Any], patient_ref: str) -> dict[str, Any] | None:
    kind = answers.get("requester_type")
    name = [{"text": answers.get("requester_name", "")}]
    if kind == "parent":
        resource = {"resourceType": "RelatedPerson", "meta": {"profile": [PROFILES["RelatedPerson"]]},
                    "patient": {"reference": patient_ref},
                    "relationship": [{"text": answers.get("relationship", "Parent or carer")}], "name": name}
    elif kind == "professional":
        resource = {"resourceType": "Practitioner", "meta": {"profile": [PROFILES["Practitioner"]]}, "name": name,
                    "qualification": [{"code": {"text": answers.get("professional_role", "")},
                                       "issuer": {"display": answers.get("organisation", "")}}]}
    else:
        return None
    summary, role = contact_summary(answers), PARENT_CARER if kind == "parent" else PROFESSIONAL
    telecom = _telecom(summary, role)
    if telecom:
        resource["telecom"] = telecom
    if summary.letter_address(role):
        resource["address"] = [{"text": summary.letter_address(role)}]
    return resource


def _answer_value(value: Any) -> list[dict[str, Any]]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, list):
        return [{"valueString": str(v)} for v in value]
    return [{"valueString": str(value)}]


def _items(req: SupportRequest, answers: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    """Every answer as an item; the risk answers first, then the rest in the order they were asked."""
    names = [n for n in checks.RISK_FIELDS if n in answers]
    names += [n for n in answers if n not in names]
    items = []
    for name in names:
        item: dict[str, Any] = {"linkId": name, "text": texts.get(name, name)}
        answer = _answer_value(answers[name])
        if answer:
            item["answer"] = answer
        items.append(item)
    from webapp.checkins import offers
    from webapp.checkins.service import record_items

    items.extend(record_items(req))
    items.extend(offers.record_items(req))
    for number, update in enumerate(req.updates, start=1):
        label = {UPDATE_WORSE: "Things have got worse", UPDATE_CAME_BACK: "Came back after it was closed"}.get(
            update.kind, f"Answer to: {update.question or ''}")
        items.append({"linkId": f"update-{number}", "text": f"{label} ({update.created_at.isoformat()})",
                      "answer": [{"valueString": update.text}]})
    return items


def _notes(req: SupportRequest, answers: dict[str, Any]) -> list[dict[str, Any]]:
    notes = []
    risks = [RISK_LABELS[name] for name in checks.RISK_FIELDS if answers.get(name) == "yes"]
    if risks:
        notes.append({"text": "RISK: " + "; ".join(risks)})
    possible = [RISK_LABELS[name] for name in checks.RISK_FIELDS if answers.get(name) == checks.NOT_SURE]
    if possible:
        notes.append({"text": "POSSIBLE RISK (not sure): " + "; ".join(possible)})
    worse = [u for u in req.updates if u.kind == UPDATE_WORSE]
    if worse:
        notes.append({"text": f"THINGS HAVE GOT WORSE ({worse[-1].created_at.isoformat()}): {worse[-1].text}"})
    return notes + _contact_notes(answers)


def build_record(req: SupportRequest, texts: dict[str, str], identifier: str | None = None) -> dict[str, Any]:
    """The validated record as a JSON-able dict. `identifier` (default the reference) is Bundle.identifier."""
    from webapp.support.drafts import contact_texts  # whose phone and email they are, in the item texts

    answers = req.answers or {}
    ref = req.reference
    patient_ref, requester_ref = _urn(ref, "patient"), _urn(ref, "requester")
    qr_ref, sr_ref = _urn(ref, "questionnaire-response"), _urn(ref, "service-request")
    requester = _requester(req, answers, patient_ref)
    service_request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "meta": {"profile": [PROFILES["ServiceRequest"]]},
        "identifier": [{"system": own_system("support-request"), "value": ref}],
        "status": "active", "intent": "order", "priority": req.priority,
        "code": {"text": "Request for emotional wellbeing and mental health support"},
        "subject": {"reference": patient_ref},
        "requester": {"reference": requester_ref if requester else patient_ref},
        "authoredOn": _instant(req.received_at),
        "reasonCode": [{"text": answers.get("whats_happening", "")}],
        "supportingInfo": [{"reference": qr_ref}],
    }
    if req.thrive_group in THRIVE_DISPLAY:
        service_request["category"] = [{"coding": [{"system": own_system("thrive-grouping"), "code": req.thrive_group,
                                                    "display": THRIVE_DISPLAY[req.thrive_group]}]}]
    if req.status:
        service_request["extension"] = [{"url": own_system("StructureDefinition/request-status"),
                                         "valueCode": req.status}]
    notes = _notes(req, answers)
    if notes:
        service_request["note"] = notes
    questionnaire_response = {
        "resourceType": "QuestionnaireResponse",
        "meta": {"profile": [PROFILES["QuestionnaireResponse"]]},
        "status": "completed", "subject": {"reference": patient_ref},
        "authored": _instant(req.received_at),
        "author": {"reference": requester_ref if requester else patient_ref},
        "item": _items(req, answers, {**texts, **contact_texts(answers)}),
    }
    entries = [{"fullUrl": sr_ref, "resource": service_request},
               {"fullUrl": patient_ref, "resource": _patient(req, answers)}]
    if requester:
        entries.append({"fullUrl": requester_ref, "resource": requester})
    family = _family_contact(answers, patient_ref)
    if family:
        entries.append({"fullUrl": _urn(ref, "family-contact"), "resource": family})
    entries.append({"fullUrl": qr_ref, "resource": questionnaire_response})
    bundle = {"resourceType": "Bundle",
              "identifier": {"system": own_system("front-door-record"), "value": identifier or ref},
              "type": "collection", "timestamp": _instant(clock.now()), "entry": entries}
    validated = json.loads(Bundle.model_validate(bundle).model_dump_json())
    check_record(validated)
    return validated


def check_record(bundle: dict[str, Any]) -> None:
    """The code values fhir.resources does not check, and the contract's shape. Raises RecordError."""
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in BUNDLE_TYPES:
        raise RecordError("bundle type")
    if not (bundle.get("identifier") or {}).get("value"):
        raise RecordError("bundle identifier")
    by_url = {e["fullUrl"]: e["resource"] for e in bundle.get("entry", [])}
    requests = [r for r in by_url.values() if r["resourceType"] == "ServiceRequest"]
    if len(requests) != 1:
        raise RecordError("exactly one ServiceRequest")
    sr = requests[0]
    if sr.get("status") != "active" or sr.get("intent") != "order" or sr.get("priority") not in PRIORITIES:
        raise RecordError("ServiceRequest status, intent or priority")
    subject = by_url.get(sr["subject"]["reference"])
    if subject is None or subject["resourceType"] != "Patient":
        raise RecordError("subject must be the Patient in this bundle")
    if PROFILES["Patient"] not in subject.get("meta", {}).get("profile", []):
        raise RecordError("Patient profile")
    for identifier in subject.get("identifier", []):
        if identifier.get("system") == NHS_NUMBER_SYSTEM and not checks.nhs_number_is_valid(identifier["value"]):
            raise RecordError("NHS number")
    for category in sr.get("category", []):
        for coding in category.get("coding", []):
            if coding.get("system") == own_system("thrive-grouping") and coding.get("code") not in THRIVE_DISPLAY:
                raise RecordError("THRIVE grouping")
    if sr["requester"]["reference"] not in by_url:
        raise RecordError("requester must be in this bundle")


def own_system(name: str) -> str:
    """An identifier system in this site's own namespace (`FHIR_IDENTIFIER_BASE`), so two THRIVE sites
    running Flourish never issue identifiers in the same system."""
    return f"{current_app.config['FHIR_IDENTIFIER_BASE'].rstrip('/')}/{name}"


def service_request_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest")


def is_urgent(req: SupportRequest) -> bool:
    return req.priority == URGENT
