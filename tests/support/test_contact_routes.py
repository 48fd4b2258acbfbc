"""A way to reach every requester: at least one contact route they said is safe, or "there is no safe
way" (explained); a professional gives the young person's (under 16: a parent or carer's) details,
their own work contact, and whether the young person and family know and agree. The answers reach
the check page, the sent page, the FHIR record and the clinician's card; contact_summary reads them."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from fhir.resources.R4B.bundle import Bundle
from flask import render_template
from sqlalchemy import func, select

from tests.support.helpers import DRAFT_FIELD, fill_form, send
from webapp.extensions import db
from webapp.support import record
from webapp.support.contact import (
    PARENT_CARER,
    PROFESSIONAL,
    YOUNG_PERSON,
    Route,
    contact_summary,
    display_phone,
)
from webapp.support.models import FrontDoorDelivery, SupportRequest

NO_CONTACT = {"phone": "", "email": "", "can_call": "", "can_text": "", "can_voicemail": "", "can_letter": "",
              "address": ""}
PHONE_NOT_ALLOWED = "You gave a phone number but did not say how we may use it. Tick call, text or voicemail, " \
                    "or give another way."


def _page(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def _bundle() -> dict:
    return json.loads(db.session.scalar(select(FrontDoorDelivery)).body)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _items(bundle: dict) -> dict[str, dict]:
    return {i["linkId"]: i for i in _resources(bundle, "QuestionnaireResponse")[0]["item"]}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(SupportRequest))


def _render(app, template: str, answers: dict, trackable: bool = True, requester_user_id: int | None = None) -> str:
    req = SimpleNamespace(answers=answers, trackable=trackable, requester_user_id=requester_user_id)
    with app.test_request_context():
        return render_template(template, req=req).replace("&#39;", "'")


# -- the contact step --------------------------------------------------------------------------------

def test_a_phone_with_no_way_to_use_it_is_refused_by_the_field_and_the_number_kept(client, services):
    fill_form(client, "parent", stop_before_check=True)
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "phone": "07700 900123",
                                                             "best_times": "Evenings"})
    page = _page(response)
    assert response.status_code == 400
    assert f'<p class="error-message" id="can_call-error"><span class="visually-hidden">Error:</span> ' \
           f'{PHONE_NOT_ALLOWED}</p>' in page  # by the boxes to tick
    # and in the summary at the top, with the question the ticks answer
    assert f'<a href="#can_call">Which of these are OK? – {PHONE_NOT_ALLOWED}</a>' in page
    assert 'value="07700 900123"' in page and 'value="Evenings"' in page  # nothing typed is lost
    # The check page will not let it through either, and nothing is sent.
    check = client.get("/request-support/check")
    assert check.status_code == 302 and "/request-support/contact" in check.headers["Location"]
    assert PHONE_NOT_ALLOWED in _page(client.get(check.headers["Location"]))
    assert _count() == 0


def test_nothing_at_all_is_refused_and_says_what_would_do(client, services):
    fill_form(client, "young_person", stop_before_check=True)
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "parent_may_track": "yes",
                                                             "involve_parent": "yes"})
    assert response.status_code == 400
    assert "Give a safe way to contact: a phone number with calls, texts or voicemail ticked" in _page(response)


def test_ticking_a_way_for_the_phone_lets_it_through(client, services, frozen_clock):
    send(client, "parent", {"contact": {**NO_CONTACT, "phone": "07700 900123", "can_text": "y"}})
    summary = contact_summary(db.session.scalar(select(SupportRequest)).answers)
    assert summary.allowed == ("text",) and summary.routes == (Route("text", PARENT_CARER, "07700900123"),)


def test_an_email_alone_is_enough(client, services, frozen_clock):
    send(client, "parent", {"contact": {**NO_CONTACT, "email": "alex@example.org"}})
    req = db.session.scalar(select(SupportRequest))
    assert contact_summary(req.answers).allowed == ("email",)
    parent = _resources(_bundle(), "RelatedPerson")[0]
    assert parent["telecom"] == [{"system": "email", "value": "alex@example.org"}]


def test_letters_with_an_address_are_enough(client, services, frozen_clock):
    send(client, "parent", {"contact": {**NO_CONTACT, "can_letter": "y", "address": "1 Market Place, Norwich"}})
    summary = contact_summary(db.session.scalar(select(SupportRequest)).answers)
    assert summary.allowed == ("letter",) and summary.letter_address(PARENT_CARER) == "1 Market Place, Norwich"


def test_a_number_no_one_may_use_never_becomes_a_way_to_reach_them(app, client, services, frozen_clock):
    send(client, "young_person", {"contact": {**NO_CONTACT, "phone": "07700 900123", "email": "sam@example.org"}})
    req = db.session.scalar(select(SupportRequest))
    summary = contact_summary(req.answers)
    assert summary.allowed == ("email",) and summary.unused_phone == "07700 900123"
    patient = _resources(_bundle(), "Patient")[0]
    assert patient["telecom"] == [{"system": "email", "value": "sam@example.org"}]  # no phone to dial
    card = _render(app, "support/staff/_contact.html", req.answers)
    assert "Do not use" in card and "Phone 07700 900123: no calls, texts or voicemail" in card


def test_no_safe_way_is_explained_accepted_and_carried_everywhere(app, client, services, frozen_clock):
    fill_form(client, "young_person", stop_before_check=True)
    step = _page(client.get("/request-support/contact"))
    assert "There is no safe way to contact me" in step
    assert "The front door will then not contact you: check the request's page instead" in step
    assert "If you are not safe right now, do not wait for the front door." in step
    reference, _ = send(client, "young_person", {"contact": {**NO_CONTACT, "no_safe_contact": "y"}})
    req = db.session.scalar(select(SupportRequest))
    assert req.answers["no_safe_contact"] is True
    summary = contact_summary(req.answers)
    assert summary.no_safe_contact and not summary.reachable and summary.routes == ()
    sent = _page(client.get(f"/request-support/sent/{reference}"))
    assert "There is no safe way to contact me" in sent  # "What you told us"
    next_step = _render(app, "support/_contact_next.html", req.answers)
    assert "They cannot contact you: you said there is no safe way." in next_step
    assert "they may ask you a question there" in next_step
    bundle = _bundle()
    Bundle.model_validate(bundle)
    record.check_record(bundle)
    assert "telecom" not in _resources(bundle, "Patient")[0]
    notes = [n["text"] for n in record.service_request_of(bundle)["note"]]
    assert "NO SAFE WAY TO CONTACT the young person: do not call, text, email or write." in notes
    assert _items(bundle)["no_safe_contact"]["answer"] == [{"valueBoolean": True}]
    card = _render(app, "support/staff/_contact.html", req.answers)
    assert "No safe way to contact them" in card and 'class="tag tag--red"' in card


def test_an_urgent_request_with_no_safe_way_is_still_sent_and_says_so(client, services, frozen_clock):
    send(client, "young_person", {"safety": {"risk_ending_life": "yes"},
                                  "contact": {**NO_CONTACT, "no_safe_contact": "y"}})
    notes = [n["text"] for n in record.service_request_of(_bundle())["note"]]
    assert notes[0].startswith("RISK: ") and any(n.startswith("NO SAFE WAY TO CONTACT") for n in notes)


def test_no_safe_way_and_a_way_at_once_is_refused(client, services):
    fill_form(client, "parent", stop_before_check=True)
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "no_safe_contact": "y",
                                                             "email": "alex@example.org"})
    page = _page(response)
    assert response.status_code == 400
    assert "You said there is no safe way to contact, but also gave a way." in page
    assert 'value="alex@example.org"' in page


# -- a professional's referral -------------------------------------------------------------------------

def test_a_professional_gives_a_work_contact_and_says_whether_the_young_person_knows(client, services):
    fill_form(client, "professional", stop_before_check=True)
    base = {"requester_name": "Dr Patel", "professional_role": "GP", "organisation": "Lowestoft Medical Practice"}
    response = client.post_form("/request-support/about-you-professional", base)
    page = _page(response)
    assert response.status_code == 400
    assert "Give a work phone number or a work email address, so the front door can reach you." in page
    assert "Say whether the young person knows about this request and agrees to it." in page
    response = client.post_form("/request-support/about-you-professional", {
        **base, "requester_email": "not-an-email", "requester_phone": "123", "young_person_knows": "no"})
    page = _page(response)
    assert "Enter a UK phone number" in page and "Enter an email address like name@example.com." in page
    assert "Say why the young person does not know or agree." in page
    assert "Talk to them first if it is safe to." in page  # the guidance, by the answer
    response = client.post_form("/request-support/about-you-professional", {
        **base, "requester_email": "dr.patel@nhs.example", "young_person_knows": "no",
        "young_person_knows_why_not": "Telling them now could put them at risk."})
    assert response.status_code == 303
    check = _page(client.get("/request-support/check"))
    assert "Your work email address" in check and "dr.patel@nhs.example" in check
    assert "Does the young person know about this request, and agree to it?" in check


def test_a_referral_for_an_under_16_needs_the_family_contact_and_whether_they_know(app, client, services,
                                                                                    frozen_clock):
    fill_form(client, "professional", stop_before_check=True)  # the young person is 14
    step = _page(client.get("/request-support/contact"))
    for words in ("The parent or carer's name", "The parent or carer's phone number (optional)",
                  "Does a parent or carer know about this request, and agree to it?",
                  "If telling the family could put the young person at risk, say so here"):
        assert words in step, words
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "phone": "07700 900123",
                                                             "can_call": "y"})
    page = _page(response)
    assert response.status_code == 400
    assert "Enter the name of a parent or carer." in page
    assert "Say whether a parent or carer knows about this request and agrees to it." in page
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "phone": "07700 900123",
                                                             "can_call": "y", "parent_carer_name": "Sam Evans",
                                                             "family_knows": "no"})
    assert response.status_code == 400 and "Say why a parent or carer does not know or agree." in _page(response)
    assert 'value="Sam Evans"' in _page(response)
    response = client.post_form("/request-support/contact", {
        **NO_CONTACT, "phone": "07700 900123", "can_call": "y", "can_voicemail": "y", "parent_carer_name": "Sam Evans",
        "parent_carer_relationship": "Dad", "family_knows": "no",
        "family_knows_why_not": "Riley is frightened of how he will react."})
    assert response.status_code == 303
    page = fill_form(client, "professional", {
        "contact": {**NO_CONTACT, "phone": "07700 900123", "can_call": "y", "can_voicemail": "y",
                    "parent_carer_name": "Sam Evans", "parent_carer_relationship": "Dad", "family_knows": "no",
                    "family_knows_why_not": "Riley is frightened of how he will react."}})
    check = _page(page)
    assert "The parent or carer's phone number (optional)" in check and "Sam Evans" in check
    assert "If a parent or carer does not know or agree, why not?" in check
    sent = client.post_form("/request-support/check", {"draft": DRAFT_FIELD.search(check).group(1)})
    req = db.session.scalar(select(SupportRequest))
    assert req.answers["family_knows"] == "no" and req.answers["parent_carer_name"] == "Sam Evans"
    assert req.answers["requester_phone"] == "01502589151" and req.answers["young_person_knows"] == "yes"
    told = _page(client.get(sent.headers["Location"]))
    assert "The parent or carer's phone number (optional)" in told  # whose number, on the sent page too

    bundle = _bundle()
    Bundle.model_validate(bundle)
    record.check_record(bundle)
    family = [r for r in _resources(bundle, "RelatedPerson") if r["name"][0]["text"] == "Sam Evans"][0]
    assert family["relationship"] == [{"text": "Dad"}]
    assert family["telecom"] == [{"system": "phone", "value": "07700900123"}]
    assert family["patient"]["reference"] == record.service_request_of(bundle)["subject"]["reference"]
    practitioner = _resources(bundle, "Practitioner")[0]
    assert practitioner["telecom"] == [{"system": "phone", "value": "01502589151"}]
    assert "address" not in practitioner
    assert "telecom" not in _resources(bundle, "Patient")[0]  # the family's number is not the young person's
    items = _items(bundle)
    assert items["young_person_knows"]["answer"] == [{"valueString": "yes"}]
    assert items["family_knows"]["answer"] == [{"valueString": "no"}]
    assert items["family_knows"]["text"] == "Does a parent or carer know about this request, and agree to it?"
    assert items["family_knows_why_not"]["answer"] == [{"valueString": "Riley is frightened of how he will react."}]
    assert items["phone"]["text"] == "The parent or carer's phone number (optional)"
    notes = [n["text"] for n in record.service_request_of(bundle)["note"]]
    assert "CONSENT: Parent or carer knows and agrees: no (Riley is frightened of how he will react.)" in notes

    card = _render(app, "support/staff/_contact.html", req.answers)
    for words in ("How to reach them safely", "Parent or carer", "Sam Evans (Dad)", "07700 900123: calls, voicemail",
                  "Dr Patel, GP, Lowestoft Medical Practice", "01502 589151", "Young person knows and agrees?",
                  "Parent or carer knows and agrees?", "Riley is frightened of how he will react."):
        assert words in card, words
    next_step = _render(app, "support/_contact_next.html", req.answers)
    assert "They may contact the young person's parent or carer, Sam Evans, only in the ways" in next_step
    assert "Phone 07700 900123: calls, voicemail" in next_step and "They may contact you at work:" in next_step


def test_a_referral_for_a_16_year_old_gives_the_young_persons_own_contact(client, services, frozen_clock):
    overrides = {"young-person": {"date_of_birth": "2008-01-10"},
                 "contact": {**NO_CONTACT, "phone": "07700 900123", "can_text": "y", "email": "riley@example.org",
                             "parent_carer_name": "Not asked", "family_knows": "no"}}
    fill_form(client, "professional", overrides, stop_before_check=True)
    step = _page(client.get("/request-support/contact"))
    assert "The young person's phone number (optional)" in step and "parent_carer_name" not in step
    send(client, "professional", overrides)
    req = db.session.scalar(select(SupportRequest))
    assert "family_knows" not in req.answers and "parent_carer_name" not in req.answers  # not asked, not kept
    summary = contact_summary(req.answers)
    assert summary.contact.role == YOUNG_PERSON
    assert [route.kind for route in summary.routes_to(YOUNG_PERSON)] == ["text", "email"]
    bundle = _bundle()
    Bundle.model_validate(bundle)
    assert _resources(bundle, "Patient")[0]["telecom"] == [{"system": "sms", "value": "07700900123"},
                                                          {"system": "email", "value": "riley@example.org"}]
    assert len(_resources(bundle, "RelatedPerson")) == 0
    assert _items(bundle)["email"]["text"] == "The young person's email address (optional)"


# -- contact_summary -----------------------------------------------------------------------------------

def test_contact_summary_of_a_young_persons_own_request():
    summary = contact_summary({"requester_type": "young_person", "given_name": "Sam", "family_name": "Taylor",
                               "phone": "07700900123", "can_call": True, "can_text": True, "can_voicemail": False,
                               "email": "", "can_letter": False, "address": "", "best_times": "After 4pm",
                               "no_safe_contact": False})
    assert summary.contact.role == YOUNG_PERSON and summary.contact.name == "Sam Taylor"
    assert summary.allowed == ("call", "text") and summary.phone(YOUNG_PERSON) == "07700 900123"
    assert summary.phone_kinds(YOUNG_PERSON) == ("call", "text") and summary.best_times == "After 4pm"
    assert summary.reachable and summary.contact_reachable and not summary.no_safe_contact
    assert summary.professional is None and not summary.consent_asked and summary.unused_phone is None


def test_contact_summary_of_a_parents_request_reaches_the_parent():
    summary = contact_summary({"requester_type": "parent", "requester_name": "Alex Morgan", "relationship": "Mum",
                               "email": "alex@example.org", "can_letter": True, "address": "1 Market Place"})
    assert summary.contact.role == PARENT_CARER and summary.contact.name == "Alex Morgan"
    assert summary.contact.detail == "Mum" and summary.allowed == ("email", "letter")
    assert summary.routes_to(PARENT_CARER) == (Route("email", PARENT_CARER, "alex@example.org"),
                                               Route("letter", PARENT_CARER, "1 Market Place"))


def test_contact_summary_of_a_professionals_referral_for_an_under_16():
    summary = contact_summary({
        "requester_type": "professional", "requester_name": "Dr Patel", "professional_role": "GP",
        "organisation": "Lowestoft Medical Practice", "requester_phone": "01502589151",
        "requester_email": "dr.patel@nhs.example", "young_person_knows": "yes", "young_person_knows_why_not": "",
        "parent_carer_name": "Sam Evans", "parent_carer_relationship": "Dad", "family_knows": "not_sure",
        "family_knows_why_not": "", "phone": "07700900123", "can_voicemail": True, "no_safe_contact": False})
    assert summary.contact.role == PARENT_CARER and summary.contact.name == "Sam Evans"
    assert summary.routes_to(PARENT_CARER) == (Route("voicemail", PARENT_CARER, "07700900123"),)
    assert summary.routes_to(PROFESSIONAL) == (Route("call", PROFESSIONAL, "01502589151"),
                                               Route("email", PROFESSIONAL, "dr.patel@nhs.example"))
    assert summary.allowed == ("call", "voicemail", "email") and summary.allows("call", PROFESSIONAL)
    assert not summary.allows("call", PARENT_CARER)
    assert summary.professional.detail == "GP, Lowestoft Medical Practice" and summary.consent_asked
    assert (summary.young_person_knows, summary.family_knows) == ("yes", "not_sure")


def test_contact_summary_with_no_safe_way_has_no_route_to_them_but_keeps_the_professional():
    summary = contact_summary({"requester_type": "professional", "requester_name": "Ms Okafor",
                               "requester_email": "okafor@school.example", "young_person_knows": "no",
                               "young_person_knows_why_not": "Risk at home", "no_safe_contact": True,
                               "given_name": "Riley", "family_name": "Evans"})
    assert summary.no_safe_contact and not summary.contact_reachable and summary.reachable
    assert summary.allowed == ("email",) and summary.routes[0].to == PROFESSIONAL
    assert summary.contact.role == YOUNG_PERSON and summary.young_person_knows_why_not == "Risk at home"


@pytest.mark.parametrize("answers", [{}, {"requester_type": "parent", "phone": "07700900123"},
                                     {"requester_type": "professional", "consent_confirmed": True,
                                      "young_person_knows": "maybe"}])
def test_contact_summary_of_older_or_partial_answers_claims_nothing(answers):
    summary = contact_summary(answers)
    assert summary.routes == () and not summary.no_safe_contact
    assert summary.young_person_knows is None and summary.family_knows is None


def test_phone_numbers_are_shown_as_people_write_them():
    assert display_phone("07700900123") == "07700 900123" and display_phone("01603123456") == "01603 123456"
    assert display_phone("02079460000") == "020 7946 0000"


# -- the partials ----------------------------------------------------------------------------------------

def test_the_sent_page_line_says_truthfully_how_they_may_be_contacted(app):
    answers = {"requester_type": "young_person", "phone": "07700900123", "can_call": True, "can_text": True,
               "email": "sam@example.org", "best_times": "After 4pm"}
    html = _render(app, "support/_contact_next.html", answers)
    assert html.count("<li") == 4 and html.strip().startswith("<li")  # one item, its own list of ways inside
    for words in ("They may contact you only in the ways you said are safe", "Phone 07700 900123: calls, texts",
                  "Email sam@example.org", "Best times: After 4pm"):
        assert words in html, words
    assert "voicemail" not in html and "Letters" not in html
    no_way = {"requester_type": "young_person", "no_safe_contact": True, "parent_may_track": "no"}
    assert "Check the request's page or track the request often" in _render(
        app, "support/_contact_next.html", no_way, trackable=False, requester_user_id=7)  # signed in: they can
    html = _render(app, "support/_contact_next.html", no_way, trackable=False)  # no account, no tracking
    assert "this request cannot be tracked, so they have no way to ask you anything" in html
    card = _render(app, "support/staff/_contact.html", no_way, trackable=False)
    assert "They cannot see a question either: the request cannot be tracked" in card
    html = _render(app, "support/_contact_next.html", {"requester_type": "professional", "no_safe_contact": True,
                                                       "requester_email": "okafor@school.example"})
    assert "They will not contact the young person: you said there is no safe way." in html
    assert "Email okafor@school.example" in html


def test_the_clinician_card_shows_a_routine_request_plainly(app):
    html = _render(app, "support/staff/_contact.html", {
        "requester_type": "parent", "requester_name": "Alex Morgan", "relationship": "Mum",
        "can_letter": True, "address": "1 Market Place, Norwich", "communication_needs": "Easy read"})
    assert "How to reach them safely" in html and "card--urgent" not in html
    assert "Alex Morgan (Mum)" in html and "1 Market Place, Norwich" in html and "Easy read" in html
    assert "No safe way" not in html and "knows and agrees" not in html


def test_a_13_to_15_year_old_is_asked_whether_to_involve_a_parent_and_must_answer(client, services, frozen_clock):
    """The question was Optional(), which skipped its own check: a 14-year-old could leave it out."""
    fill_form(client, "young_person", stop_before_check=True)
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "email": "sam@example.org",
                                                             "parent_may_track": "yes"})
    assert response.status_code == 400 and "Choose whether to involve a parent or carer." in _page(response)
    response = client.post_form("/request-support/contact", {**NO_CONTACT, "email": "sam@example.org",
                                                             "parent_may_track": "maybe", "involve_parent": "no"})
    assert response.status_code == 400 and "Choose whether a parent or carer may follow this request." in \
        _page(response)


def test_the_demo_requests_carry_a_safe_way_to_reach_them(app, frozen_clock):
    from webapp.support.demo import DEMO_REQUESTS

    for _email, kind, _dob, _days, answers, _steps in DEMO_REQUESTS:
        summary = contact_summary(answers)
        assert summary.contact_reachable and not summary.no_safe_contact, kind
        assert "consent_confirmed" not in answers, kind
        if kind == "professional":
            assert summary.young_person_knows == "yes" and summary.routes_to(PROFESSIONAL), kind


def test_an_older_professional_request_still_reads_its_consent_answer(app):
    from webapp.support import drafts

    with app.test_request_context():
        rows = drafts.answer_rows({"requester_type": "professional", "consent_confirmed": True},
                                  drafts.question_texts("other", english=False))
    assert ("The young person agreed to this request (or, if they cannot decide for themselves, their parent or "
            "carer did)", "Yes") in [(str(q), str(a)) for q, a in rows]
