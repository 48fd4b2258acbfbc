"""A few realistic requests for the demo accounts, made through the same code as the form.

The synthetic year of flow behind /waits is webapp.waits.demo's; these are the requests a person
signing in as a demo account sees on "My requests" and a clinician sees in the queue.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from webapp import clock
from webapp.accounts.service import find_by_email
from webapp.extensions import db
from webapp.support import service
from webapp.support.models import SupportRequest

MARK = "demo-seed"


def _answers(**extra) -> dict:
    base = {
        "risk_ending_life": "no", "risk_self_harm": "no", "risk_unsafe_tonight": "no", "risk_being_hurt": "no",
        "topics": [], "what_helped": "", "others_involved": "", "phone": "07700900123", "email": "",
        "can_call": True, "can_text": True, "can_voicemail": False, "can_letter": False,
        "address": "", "no_safe_contact": False, "best_times": "After 4pm on weekdays", "communication_needs": "",
        "preferred_language": "English",
        "consent_share": True, "school": "", "gp_practice": "", "nhs_number": "",
    }
    return {**base, **extra}


DEMO_REQUESTS = (
    ("young.person@demo.flourish", "young_person", date(2010, 5, 14), 20, _answers(
        requester_type="young_person", given_name="Sam", family_name="Taylor", postcode="NR2 4SQ",
        school="City of Norwich School", gp_practice="Bowthorpe Health Centre", topics=["worry", "stress-exams"],
        whats_happening="I get panicky before school most days and sometimes I can't go in. It's been worse "
                        "since my mocks started.",
        goals=["Go to school every day", "Feel calmer in the mornings", "Sleep before midnight"],
        how_long="6_to_12_months", what_helped="Breathing exercises a bit, and talking to my form tutor.",
        involve_parent="yes", parent_may_track="yes"), ("triaged", "allocated")),
    ("parent@demo.flourish", "parent", date(2014, 9, 2), 6, _answers(
        requester_type="parent", requester_name="Alex Morgan", relationship="Mum", given_name="Jamie",
        family_name="Morgan", postcode="NR30 1HJ", school="Great Yarmouth Primary Academy", topics=["anger", "sleep"],
        whats_happening="Jamie has big outbursts at home most evenings and is struggling to sleep. School say he "
                        "is quiet there.",
        goals=["Fewer outbursts at home", "Fall asleep by 9pm"], how_long="1_to_6_months",
        others_involved="The school SENCo knows."), ("more_information_needed",)),
    ("professional@demo.flourish", "professional", date(2009, 1, 23), 1, _answers(
        requester_type="professional", requester_name="Dr Patel", professional_role="GP",
        organisation="Lowestoft Medical Practice", requester_phone="01502589151", requester_email="",
        young_person_knows="yes", young_person_knows_why_not="", given_name="Riley", family_name="Evans",
        postcode="NR32 1PL", nhs_number="9434765919", topics=["self-harm", "low-mood"], risk_self_harm="yes",
        whats_happening="Riley told me she has been cutting and recently needed a wound dressed. Low mood for "
                        "some months.",
        goals=["Feel safer", "Have someone to talk to each week"], how_long="6_to_12_months"), ()),
)


def seed_requests() -> None:
    """Once: a request for each demo requester, moved on as far as the story says."""
    if db.session.scalar(select(SupportRequest.id).where(SupportRequest.submission_key.like(f"{MARK}%")).limit(1)):
        return
    real_now = clock.now()
    for email, requester_type, dob, days_ago, answers, steps in DEMO_REQUESTS:
        user = find_by_email(email)
        clock.freeze(real_now - timedelta(days=days_ago))
        try:
            req = _make(user, requester_type, dob, answers)
            for number, status in enumerate(steps, start=1):
                clock.freeze(real_now - timedelta(days=days_ago) + timedelta(days=2 * number))
                _move(req, status)
        finally:
            clock.freeze(None)
    db.session.flush()


def _make(user, requester_type: str, dob: date, answers: dict) -> SupportRequest:
    now = clock.now()
    urgent = any(answers.get(k) == "yes" for k in ("risk_ending_life", "risk_self_harm", "risk_unsafe_tonight",
                                                    "risk_being_hurt"))
    req = SupportRequest(reference=service.make_reference(), requester_type=requester_type,
                         requester_user_id=user.id if user else None, priority="urgent" if urgent else "routine",
                         status="received", received_at=now, updated_at=now, young_person_date_of_birth=dob,
                         answers={**answers, "date_of_birth": dob.isoformat()},
                         submission_key=f"{MARK}-{requester_type}", trackable=True)
    db.session.add(req)
    db.session.flush()
    from webapp.support import delivery

    service.record_status(req, "received", now, actor="requester")
    if urgent:
        service.add_risk_signal(req, "risk_answers", now)
    db.session.flush()
    db.session.refresh(req)
    delivery.enqueue(req, service.refresh_record(req))
    return req


def _move(req: SupportRequest, status: str) -> None:
    if status == "more_information_needed":
        service.move(req, status, actor="ifd_api", question="Does Jamie have any support at school for this?",
                     deliver=False)
    elif status == "allocated":
        service.move(req, status, actor="ifd_api", thrive_group="getting_help", service_id="school-mental-health-teams",
                     note="You are on the waiting list for the mental health support team at your school.",
                     deliver=False)
    else:
        service.move(req, status, actor="ifd_api", thrive_group="getting_help", deliver=False)
