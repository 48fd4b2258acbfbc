"""Risk questions that fit real answers: yes, no and "not sure", and urgent help that fits what was said."""

from __future__ import annotations

import json
import re

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from tests.support.helpers import fill_form, send
from webapp.core.service import crisis_lines, lines_for
from webapp.extensions import db
from webapp.support import drafts, record
from webapp.support.models import FrontDoorDelivery, SupportRequest

NO_RISK = {"risk_ending_life": "no", "risk_self_harm": "no", "risk_unsafe_tonight": "no", "risk_being_hurt": "no"}
GENERAL = ["emergency", "nhs111", "shout", "childline", "samaritans", "papyrus"]
TEL = {"emergency": "tel:999", "nhs111": "tel:111", "shout": "sms:85258?body=SHOUT", "childline": "tel:08001111",
       "samaritans": "tel:116123", "papyrus": "tel:08000684141", "nspcc": "tel:08088005000"}


def _ids(lines) -> list[str]:
    return [line.id for line in lines]


# -- which answers are a risk, and which situations they point to -----------------------------------

def test_yes_and_not_sure_are_both_a_possible_risk():
    assert not drafts.any_risk(NO_RISK)
    assert not drafts.any_risk({})
    assert drafts.any_risk({**NO_RISK, "risk_self_harm": "yes"})
    assert drafts.any_risk({**NO_RISK, "risk_unsafe_tonight": "not_sure"})
    assert not drafts.any_risk({**NO_RISK, "risk_being_hurt": "maybe"})  # only the answers the form offers


def test_risk_situations_name_each_question_answered_yes_or_not_sure_in_order():
    assert drafts.risk_situations(NO_RISK) == []
    assert drafts.risk_situations({"risk_ending_life": "not_sure"}) == ["suicidal_thoughts"]
    assert drafts.risk_situations({"risk_being_hurt": "yes", "risk_ending_life": "yes", "risk_self_harm": "no",
                                   "risk_unsafe_tonight": "not_sure"}) == ["suicidal_thoughts", "unsafe_tonight",
                                                                           "being_hurt"]
    assert drafts.risk_situations({"risk_self_harm": "yes"}) == ["self_harm"]


# -- which crisis lines fit ----------------------------------------------------------------------------

def test_every_line_says_what_it_is_for():
    for line in crisis_lines():
        assert line.situations, line.id
        assert set(line.audiences) <= {"self", "other"}


def test_without_a_situation_the_general_lines_with_999_first():
    assert _ids(lines_for()) == GENERAL
    assert _ids(lines_for([])) == GENERAL
    assert _ids(lines_for(["nonsense"])) == GENERAL


def test_thoughts_of_suicide_lead_to_111_shout_samaritans_papyrus_and_childline():
    ids = _ids(lines_for(["suicidal_thoughts"], "self", 15))
    assert ids[0] == "emergency"
    assert set(ids) == {"emergency", "nhs111", "shout", "samaritans", "papyrus", "childline"}
    assert "nspcc" not in _ids(lines_for(["suicidal_thoughts"], "other", 15))


def test_childline_only_under_19():
    assert "childline" in _ids(lines_for(["suicidal_thoughts"], "self", 18))
    assert "childline" not in _ids(lines_for(["suicidal_thoughts"], "self", 19))
    assert "childline" not in _ids(lines_for(None, "self", 22))
    assert "childline" in _ids(lines_for(["suicidal_thoughts"], "self", None))  # age not known: shown


def test_being_hurt_nspcc_for_an_adult_worried_about_a_child_never_for_the_young_person():
    assert _ids(lines_for(["being_hurt"], "other", 12)) == ["emergency", "childline", "nspcc"]
    assert _ids(lines_for(["being_hurt"], "self", 15)) == ["emergency", "childline"]
    assert _ids(lines_for(["being_hurt"], "other", 20)) == ["emergency"]  # neither is for a 20-year-old


def test_self_harm_needing_medical_help_999_then_111():
    assert _ids(lines_for(["self_harm"], "self", 16))[:2] == ["emergency", "nhs111"]


def test_lines_fitting_more_of_what_was_said_come_first():
    ids = _ids(lines_for(["suicidal_thoughts", "being_hurt"], "other", 14))
    assert ids[:2] == ["emergency", "childline"]  # Childline is for both
    assert "nspcc" in ids and "papyrus" in ids


# -- the form -----------------------------------------------------------------------------------------

def _urgent_help_after(client, kind: str, answers: dict, dob: str = "2012-03-27") -> str:
    fill_form(client, kind, {"young-person": {"date_of_birth": dob}}, stop_before_check=True)
    response = client.post_form("/request-support/safety", {**NO_RISK, **answers})
    assert response.status_code == 303 and response.headers["Location"].endswith("/request-support/urgent-help")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _card(page: str) -> str:
    return re.search(r'<section class="card card--urgent support-urgent".*?</section>', page, re.S).group(0)


def test_each_risk_question_offers_not_sure(client, services):
    fill_form(client, "young_person", stop_before_check=True)
    page = client.get("/request-support/safety").get_data(as_text=True)
    for name in NO_RISK:
        assert f'name="{name}" type="radio" value="not_sure"' in page or re.search(
            rf'<input[^>]*name="{name}"[^>]*value="not_sure"', page), name
    assert page.count("I&#39;m not sure") == 4 or page.count("I'm not sure") == 4


def test_not_sure_about_suicide_shows_papyrus_samaritans_and_111_not_the_nspcc(client, services):
    card = _card(_urgent_help_after(client, "young_person", {"risk_ending_life": "not_sure"}))
    for line in ("emergency", "nhs111", "shout", "samaritans", "papyrus", "childline"):
        assert f'href="{TEL[line]}"' in card, line
    assert TEL["nspcc"] not in card
    assert card.index(TEL["emergency"]) < card.index(TEL["nhs111"])  # 999 first
    assert "Call Samaritans on 116 123" in card and "Call Papyrus on 0800 068 4141" in card


def test_a_young_person_of_20_is_not_sent_to_childline(client, services):
    card = _card(_urgent_help_after(client, "young_person", {"risk_ending_life": "not_sure"}, dob="2006-01-01"))
    assert TEL["papyrus"] in card and TEL["childline"] not in card


def test_someone_hurting_them_shows_a_parent_the_nspcc_childline_and_999(client, services):
    card = _card(_urgent_help_after(client, "parent", {"risk_being_hurt": "yes"}))
    for line in ("emergency", "childline", "nspcc"):
        assert f'href="{TEL[line]}"' in card, line
    assert TEL["papyrus"] not in card
    assert card.index(TEL["emergency"]) < card.index(TEL["childline"])


def test_not_sure_marks_the_request_urgent_and_the_record_says_possible_risk(client, services):
    reference, _ = send(client, "parent", {"safety": {"risk_self_harm": "not_sure", "risk_being_hurt": "yes"}})
    req = db.session.scalar(select(SupportRequest))
    assert req.priority == "urgent" and req.answers["risk_self_harm"] == "not_sure"
    bundle = json.loads(db.session.scalar(select(FrontDoorDelivery)).body)
    Bundle.model_validate(bundle)
    record.check_record(bundle)
    service_request = next(e["resource"] for e in bundle["entry"]
                           if e["resource"]["resourceType"] == "ServiceRequest")
    notes = [note["text"] for note in service_request["note"]]
    assert notes[0] == "RISK: Someone is hurting them or making them feel unsafe"
    assert notes[1] == "POSSIBLE RISK (not sure): Has hurt themselves in a way that may need medical help"
    # the sent page's urgent help fits what was said too
    sent = _card(client.get(f"/request-support/sent/{reference}").get_data(as_text=True))
    assert TEL["nspcc"] in sent and TEL["nhs111"] in sent


def test_the_card_without_situations_shows_the_general_lines(app):
    from flask import render_template_string

    with app.test_request_context("/"):
        card = render_template_string('{% include "support/_urgent_help.html" %}')
    found = re.findall(r'data-line="(\w+)"', card)
    assert found == GENERAL
    assert TEL["nspcc"] not in card


def test_only_not_sure_puts_the_request_in_the_risk_band_as_not_sure(client, services):
    from webapp.support import service

    reference, _ = send(client, "parent", {"safety": {"risk_unsafe_tonight": "not_sure"}})
    req = db.session.scalar(select(SupportRequest))
    assert req.priority == "urgent"
    assert [(s.kind, s.reviewed_at) for s in req.risk_signals] == [("not_sure", None)]
    rows, _ = service.queue()
    assert rows[0].request.reference == reference and rows[0].signal_kinds == ("not_sure",)
