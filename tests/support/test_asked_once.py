"""Asked once (WCAG 3.3.7, #21 item 7): a signed-in person's request starts with what their account
knows (who they are, a young person's date of birth, their email), shown for checking with a
change link, and not asked again."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.support.helpers import STEP_DATA
from webapp.extensions import db
from webapp.support.models import SupportRequest


def _signed_in(app, make_user, login, role="young_person", **fields):
    client = app.test_client()
    user = make_user(role=role, email=f"{role}.asks@example.org", **fields)
    login(client, user)
    return client


def test_a_young_person_starts_at_about_you_with_their_date_of_birth_shown_not_asked(app, make_user, login,
                                                                                    services, frozen_clock):
    client = _signed_in(app, make_user, login, date_of_birth=date(2010, 3, 27))
    start = client.post_form("/request-support/")
    assert start.headers["Location"].endswith("/request-support/young-person")  # who is asking: known
    page = client.get("/request-support/young-person").get_data(as_text=True)
    assert "27 March 2010" in page and "from your account" in page
    assert 'name="date_of_birth' not in page  # not asked again
    assert "/request-support/young-person?edit=date_of_birth" in page
    who = client.get("/request-support/who").get_data(as_text=True)
    # On Back: the answer, to check or change.
    assert re.search(r'checked[^>]*value="young_person"|value="young_person"[^>]*checked', who)

    # Sending the page without the date keeps the account's date.
    data = {k: v for k, v in STEP_DATA["young-person"]("young_person").items() if k != "date_of_birth"}
    assert client.post_form("/request-support/young-person", data).status_code == 303
    for step in ("safety", "your-story", "about-me"):
        assert client.post_form(f"/request-support/{step}", STEP_DATA.get(step, lambda k: {})("young_person")) \
            .status_code == 303, step
    contact = client.get("/request-support/contact").get_data(as_text=True)
    assert "young_person.asks@example.org" in contact and 'name="email"' not in contact
    assert client.post_form("/request-support/contact", {k: v for k, v in STEP_DATA["contact"]("young_person")
                                                         .items()}).status_code == 303
    assert client.post_form("/request-support/consent", STEP_DATA["consent"]("young_person")).status_code == 303
    check = client.get("/request-support/check").get_data(as_text=True)
    assert "27 March 2010" in check and "young_person.asks@example.org" in check


def test_change_shows_the_field_and_a_new_value_is_kept(app, make_user, login, frozen_clock):
    client = _signed_in(app, make_user, login, date_of_birth=date(2010, 3, 27))
    client.post_form("/request-support/")
    page = client.get("/request-support/young-person?edit=date_of_birth").get_data(as_text=True)
    assert 'name="date_of_birth' in page
    data = {**STEP_DATA["young-person"]("young_person"), "date_of_birth": "2011-04-01"}
    assert client.post_form("/request-support/young-person", data).status_code == 303
    again = client.get("/request-support/young-person").get_data(as_text=True)
    assert "from your account" not in again  # no longer the account's value: asked as typed


def test_a_parent_is_not_asked_their_email_and_a_professional_not_their_work_email(app, make_user, login,
                                                                                    frozen_clock):
    parent = _signed_in(app, make_user, login, role="parent")
    assert parent.post_form("/request-support/").headers["Location"].endswith("/request-support/about-you")
    professional = _signed_in(app, make_user, login, role="professional", organisation="Bowthorpe School")
    assert professional.post_form("/request-support/").headers["Location"].endswith(
        "/request-support/about-you-professional")
    page = professional.get("/request-support/about-you-professional").get_data(as_text=True)
    assert "Bowthorpe School" in page and "professional.asks@example.org" in page
    assert 'name="requester_email"' not in page and 'name="organisation"' not in page


def test_without_an_account_everything_is_asked(client, frozen_clock):
    assert client.post_form("/request-support/").headers["Location"].endswith("/request-support/who")
    client.post_form("/request-support/who", {"requester_type": "young_person"})
    assert 'name="date_of_birth' in client.get("/request-support/young-person").get_data(as_text=True)
    assert db.session.scalar(select(SupportRequest)) is None


@pytest.mark.parametrize(("role", "first_step", "known"), [
    ("young_person", "young-person", {"who", "young-person", "contact"}),
    ("parent", "about-you", {"who", "contact"}),
    ("professional", "about-you-professional", {"who", "about-you-professional"}),
    ("base_staff", "who", set()),  # staff asking for someone are asked who they are, like anyone signed out
    ("clinician", "who", set()),
    ("admin", "who", set()),
    (None, "who", set()),
])
def test_what_each_role_s_account_answers_and_where_its_form_starts(app, make_user, frozen_clock, role,
                                                                    first_step, known):
    """drafts.start_for / first_step / account_answers (the start page's decision, in the service): the
    roles that ask for support themselves start past "who is asking", with their account's answers."""
    from flask_login import AnonymousUserMixin

    from webapp.support import drafts

    person = AnonymousUserMixin() if role is None else make_user(role=role, organisation="Bowthorpe School")
    draft = drafts.start_for(person)
    assert draft.user_id == (None if role is None else person.id)
    assert drafts.first_step(draft, person).name == first_step
    answers = drafts.account_answers(person)
    assert set(answers) == known
    if role is not None and known:
        assert answers["who"] == {"requester_type": role}
    if role == "young_person":
        assert answers["young-person"] == {"date_of_birth": "2010-01-01"}
    if role == "professional":
        assert answers["about-you-professional"] == {"requester_email": person.email,
                                                     "organisation": "Bowthorpe School"}


def test_who_is_asking_changed_by_hand_starts_the_form_at_who_again(app, make_user, frozen_clock):
    from webapp.support import drafts

    parent = make_user(role="parent")
    draft = drafts.start_for(parent)
    draft.answers = {**draft.answers, "who": {"requester_type": ["professional"]}}
    assert drafts.first_step(draft, parent).name == "who"  # no longer the account's answer: asked again
