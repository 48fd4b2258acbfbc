"""The request form through the test client: every kind of requester, ages, risk, the draft, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.helpers import DRAFT_FIELD, fill_form, send
from webapp.extensions import db
from webapp.support.ages import age_outcome
from webapp.support.forms import nhs_number_is_valid, normalise_phone, normalise_postcode
from webapp.support.models import FrontDoorDelivery, RequestStatusEvent, SupportRequest


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", ["young_person", "parent", "professional"])
def test_each_kind_of_requester_sends_one_request_with_its_record_and_delivery(client, services, frozen_clock, kind):
    overrides = {"young-person": {"date_of_birth": "2010-03-27"}} if kind == "young_person" else None
    reference, _draft = send(client, kind, overrides)
    req = db.session.scalar(select(SupportRequest))
    assert req.reference == reference and req.requester_type == kind
    assert req.status == "received" and req.priority == "routine"
    assert req.answers["goals"] == ["Go to school every day", "Sleep better"]
    assert req.answers["postcode"] == "NR1 3SR" and req.answers["nhs_number"] == "9434765919"
    assert req.answers["phone"] == "07700900123"
    assert _count(RequestStatusEvent) == 1 and _count(FrontDoorDelivery) == 1
    page = client.get(f"/request-support/sent/{reference}").get_data(as_text=True)
    assert reference in page and "What happens next" in page
    assert "/self-help/topics/worry" in page  # self-help matched to what they said


def test_reference_is_easy_to_read_aloud(client, services):
    reference, _ = send(client, "parent")
    code = reference.removeprefix("FL-").replace("-", "")
    assert len(code) == 8 and not set(code) & set("01OI")


def test_signed_in_young_person_finds_it_under_my_requests(client, services, make_user, login):
    user = make_user(role="young_person", date_of_birth=date(2010, 3, 27))
    login(client, user)
    reference, _ = send(client, "young_person", {"young-person": {"date_of_birth": "2010-03-27"}})
    req = db.session.scalar(select(SupportRequest))
    assert req.requester_user_id == user.id  # the goals capability relies on this
    assert reference in client.get("/request-support/my-requests").get_data(as_text=True)
    assert client.get(f"/request-support/my-requests/{reference}").status_code == 200


def test_staff_asking_on_the_form_are_not_recorded_as_the_requester(client, services, make_user, login):
    login(client, make_user(role="clinician"))
    send(client, "professional")
    assert db.session.scalar(select(SupportRequest)).requester_user_id is None


def test_ages_to_the_day(frozen_clock):
    today = date(2026, 6, 15)
    assert age_outcome(date(2000, 6, 16), "other", today) is None  # 25, the day before the 26th birthday
    assert age_outcome(date(2000, 6, 15), "other", today) == "too_old"  # the 26th birthday
    assert age_outcome(date(2013, 6, 15), "self", today) is None  # the 13th birthday
    assert age_outcome(date(2013, 6, 16), "self", today) == "too_young"  # the day before
    assert age_outcome(date(2013, 6, 16), "other", today) is None  # a parent may ask for a 12-year-old
    assert age_outcome(date(2026, 6, 15), "other", today) is None  # born today
    assert age_outcome(date(2026, 6, 16), "other", today) == "future"


@pytest.mark.parametrize(("kind", "dob", "message"), [
    ("young_person", "2013-06-16", "You need to be 13 or older to ask for support yourself"),
    ("parent", "2000-06-15", "Flourish is for people up to their 26th birthday"),
    ("parent", "2026-06-16", "The date of birth is in the future"),
])
def test_out_of_age_requests_get_a_kind_clear_answer_and_where_to_go(client, services, frozen_clock, kind, dob,
                                                                     message):
    client.post_form("/request-support/")
    client.post_form("/request-support/who", {"requester_type": kind})
    if kind == "parent":
        client.post_form("/request-support/about-you", {"requester_name": "A", "relationship": "Mum"})
    data = {"given_name": "J", "family_name": "M", "date_of_birth": dob, "postcode": "NR1 3SR"}
    response = client.post_form("/request-support/young-person", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'value="J"' in page  # nothing typed is lost
    if "26th" in message:
        assert "NHS Talking Therapies" in page
    if "13 or older" in message:
        assert "Childline" in page


def test_a_risk_answer_shows_urgent_help_at_once_and_marks_the_request_urgent(client, services):
    page = fill_form(client, "parent", stop_before_check=True)
    response = client.post_form("/request-support/safety", {"risk_ending_life": "no", "risk_self_harm": "no",
                                                            "risk_unsafe_tonight": "no", "risk_being_hurt": "yes"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/request-support/urgent-help")
    help_page = client.get(response.headers["Location"]).get_data(as_text=True)
    for words in ("Call 999", "0800 1111", "0808 800 5000"):  # someone hurting them: 999, Childline, NSPCC
        assert words in help_page, words
    assert "Carry on with the request" in help_page
    check = client.get("/request-support/check")
    draft = DRAFT_FIELD.search(check.get_data(as_text=True)).group(1)
    sent = client.post_form("/request-support/check", {"draft": draft})
    req = db.session.scalar(select(SupportRequest))
    assert req.priority == "urgent"
    assert "Get help now" in client.get(sent.headers["Location"]).get_data(as_text=True)
    del page


def test_bad_input_is_explained_by_each_field_and_kept(client, services):
    fill_form(client, "parent", stop_before_check=True)
    response = client.post_form("/request-support/young-person", {
        "given_name": "Jamie", "family_name": "x" * 61, "date_of_birth": "2012-02-30", "postcode": "NOT A CODE",
        "nhs_number": "9434765918"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use 60 characters or fewer." in page
    assert "Enter a real date" in page
    assert "Enter a UK postcode, like NR1 3SR." in page
    assert "This is not a valid NHS number." in page
    assert 'value="NOT A CODE"' in page and 'value="9434765918"' in page
    response = client.post_form("/request-support/contact", {"phone": "12345", "email": "not-an-email",
                                                             "can_call": "y"})
    page = response.get_data(as_text=True)
    assert "Enter a UK phone number" in page and "Enter an email address like name@example.com." in page
    response = client.post_form("/request-support/your-story", {"whats_happening": "x" * 3001})
    page = response.get_data(as_text=True)
    assert "Use 3000 characters or fewer." in page and "Write at least one thing" in page
    assert "Choose how long it has been going on." in page


def test_the_draft_survives_a_failed_step_a_reload_and_going_back(client, services):
    fill_form(client, "parent", stop_before_check=True)
    client.post_form("/request-support/young-person", {"given_name": "Kept name", "postcode": "BAD"})
    assert 'value="Kept name"' in client.get("/request-support/young-person").get_data(as_text=True)  # reload
    client.post_form("/request-support/young-person", {"given_name": "Jamie", "family_name": "Morgan",
                                                       "date_of_birth": "2012-03-27", "postcode": "NR1 3SR"})
    back = client.get("/request-support/about-you").get_data(as_text=True)
    assert 'value="Alex Morgan"' in back


def test_a_failed_submit_keeps_everything_and_sends_nothing(client, services):
    page = fill_form(client, "parent")
    draft = DRAFT_FIELD.search(page.get_data(as_text=True)).group(1)
    client.post_form("/request-support/young-person", {"given_name": "Jamie", "postcode": "BAD"})
    response = client.post_form("/request-support/check", {"draft": draft})
    assert response.status_code == 303 and "/request-support/young-person" in response.headers["Location"]
    assert _count(SupportRequest) == 0
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enter a UK postcode" in shown and 'value="BAD"' in shown and 'value="Jamie"' in shown


def test_a_replayed_or_doubled_submit_makes_one_request(client, services):
    reference, draft = send(client, "parent")
    again = client.post_form("/request-support/check", {"draft": draft})
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/sent/{reference}")
    assert _count(SupportRequest) == 1 and _count(FrontDoorDelivery) == 1


def test_a_tampered_draft_id_cannot_send(client, services):
    fill_form(client, "parent")
    response = client.post_form("/request-support/check", {"draft": "someone-elses-draft-id"})
    assert response.status_code == 303 and _count(SupportRequest) == 0


def test_a_draft_cannot_skip_steps_or_send_made_up_choices(client, services):
    client.post_form("/request-support/")
    client.post_form("/request-support/who", {"requester_type": "parent"})
    assert client.get("/request-support/check").status_code == 302  # unfinished: sent to the missing step
    response = client.post_form("/request-support/who", {"requester_type": "administrator"})
    assert response.status_code == 400
    response = client.post_form("/request-support/your-story", {"topics": ["not-a-topic"], "whats_happening": "x",
                                                                "goal_1": "x", "how_long": "1_to_6_months"})
    assert response.status_code == 400 and _count(SupportRequest) == 0


def test_thirteen_to_fifteen_year_olds_are_asked_about_parents_and_can_say_no(client, services, frozen_clock):
    overrides = {"young-person": {"date_of_birth": "2012-01-10"}, "contact": {"involve_parent": "no",
                                                                              "parent_may_track": "no"}}
    reference, _ = send(client, "young_person", overrides)
    req = db.session.scalar(select(SupportRequest))
    assert req.answers["involve_parent"] == "no" and req.trackable is False
    other = client.application.test_client()
    response = other.post_form("/track", {"reference": reference, "date_of_birth": "2012-01-10"})
    assert response.status_code == 400


def test_checks_of_nhs_numbers_phones_and_postcodes():
    assert nhs_number_is_valid("943 476 5919") and not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("123") and not nhs_number_is_valid("abcdefghij")
    assert normalise_phone("+44 7700 900123") == "07700900123" and normalise_phone("999") is None
    assert normalise_postcode("nr13sr") == "NR1 3SR" and normalise_postcode("12345") is None


def test_two_submits_racing_on_one_draft_make_one_request(client, services):
    """The loser of a race (it read the draft before the winner marked it sent) is refused by the
    unique submission key and gets the winner's request back: the database itself allows one."""
    from flask_login import AnonymousUserMixin

    from webapp.support import drafts, service

    fill_form(client, "parent")
    draft = db.session.scalar(select(drafts.RequestDraft))
    as_read_by_both = dict(draft.answers)
    with client.application.test_request_context():
        first = service.submit(draft, AnonymousUserMixin())
        db.session.commit()
        draft.submitted_request_id, draft.answers = None, as_read_by_both  # the loser's view of the draft
        second = service.submit(draft, AnonymousUserMixin())
        db.session.commit()
    assert second.id == first.id and _count(SupportRequest) == 1 and _count(FrontDoorDelivery) == 1


def test_letters_need_an_address(client, services):
    fill_form(client, "parent", stop_before_check=True)
    response = client.post_form("/request-support/contact", {"can_letter": "y"})
    assert response.status_code == 400
    assert "Give the address for letters, or untick letters." in response.get_data(as_text=True)
    response = client.post_form("/request-support/contact", {"can_letter": "y", "address": "1 Market Place, Norwich"})
    assert response.status_code == 303


@pytest.mark.parametrize(("kind", "title"), [("young_person", "About you"), ("parent", "About the young person")])
def test_the_young_person_step_has_one_title_on_its_page_and_on_the_check_page(client, services, kind, title):
    """A young person asking for themselves reads "About you" on the step, in its browser title and
    on the check page (the check page said "About the young person" to them)."""
    check = fill_form(client, kind).get_data(as_text=True)
    assert f"<h2>{title}</h2>" in check
    step = client.get("/request-support/young-person").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in step and f"<title>{title} – " in step
