"""Fill in the request form through the test client, a page at a time, as a browser without JavaScript would."""

from __future__ import annotations

import re

STEP_DATA = {
    "who": lambda kind: {"requester_type": kind},
    "about-you": lambda kind: {"requester_name": "Alex Morgan", "relationship": "Mum"},
    "about-you-professional": lambda kind: {"requester_name": "Dr Patel", "professional_role": "GP",
                                            "organisation": "Lowestoft Medical Practice",
                                            "requester_phone": "01502 589151", "requester_email": "",
                                            "young_person_knows": "yes"},
    "young-person": lambda kind: {"given_name": "Jamie", "family_name": "Morgan", "date_of_birth": "2012-03-27",
                                  "postcode": "nr1 3sr", "school": "Norwich School", "gp_practice": "Bowthorpe",
                                  "nhs_number": "943 476 5919"},
    "safety": lambda kind: {"risk_ending_life": "no", "risk_self_harm": "no", "risk_unsafe_tonight": "no",
                            "risk_being_hurt": "no"},
    "your-story": lambda kind: {"topics": ["worry", "sleep"], "whats_happening": "Panicky before school.",
                                "goal_1": "Go to school every day", "goal_2": "Sleep better", "goal_3": "",
                                "how_long": "1_to_6_months", "what_helped": "Breathing", "others_involved": ""},
    "contact": lambda kind: {"phone": "07700 900123", "can_call": "y", "can_text": "y", "best_times": "After 4pm",
                             "preferred_language": "English", "involve_parent": "yes", "parent_may_track": "yes",
                             # a professional's request for an under-16 gives a parent or carer's details (an
                             # older young person's request asks none of these, and ignores them)
                             **({"family_knows": "yes", "parent_carer_name": "Alex Morgan",
                                 "parent_carer_relationship": "Mum"} if kind == "professional" else {})},
    "consent": lambda kind: {"consent_share": "y"},
}
DRAFT_FIELD = re.compile(r'name="draft" value="([^"]+)"')


def steps_for(kind: str) -> list[str]:
    about = {"parent": ["about-you"], "professional": ["about-you-professional"]}.get(kind, [])
    return ["who", *about, "young-person", "safety", "your-story", "contact", "consent"]


def fill_form(client, kind: str = "parent", overrides: dict | None = None, stop_before_check: bool = False):
    """Start, answer every step, open the check page. Returns the check page response."""
    overrides = overrides or {}
    response = client.post_form("/request-support/")
    assert response.status_code == 303, response.status_code
    for step in steps_for(kind):
        data = {**STEP_DATA[step](kind), **overrides.get(step, {})}
        response = client.post_form(f"/request-support/{step}", data)
        assert response.status_code == 303, (step, response.get_data(as_text=True)[:3000])
    if stop_before_check:
        return response
    page = client.get("/request-support/check")
    assert page.status_code == 200, page.status_code
    return page


def send(client, kind: str = "parent", overrides: dict | None = None):
    page = fill_form(client, kind, overrides)
    draft = DRAFT_FIELD.search(page.get_data(as_text=True)).group(1)
    response = client.post_form("/request-support/check", {"draft": draft})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    reference = response.headers["Location"].rsplit("/", 1)[1]
    return reference, draft
