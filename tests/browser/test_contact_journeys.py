"""A way to reach every requester, in Chromium at 320 px, axe-core on every page: a phone with no way
to use it is refused by the field and fixed; "there is no safe way" on an urgent request and what
the sent page says; a professional's referral for a 14-year-old with the family's contact details
and consent answers, through to the clinician's "How to reach them safely" card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_TIMEOUT_MS, PHONE
from tests.browser.journeys import answer_safety, fill_story, fill_young_person, load_services, past_about_me
from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page

NARROW = {**PHONE, "viewport": {"width": 320, "height": 640}}


@pytest.fixture
def narrow(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **NARROW)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield context
    context.close()


def _save(page):
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()


def _start(page, who: str):
    page.goto("/request-support/")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label(who).check()
    _save(page)


def _fits(page):
    """Nothing is wider than the 320 px screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _consent_check_and_send(page) -> str:
    page.get_by_label(re.compile("I agree that this request is shared")).check()
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request has been sent")
    assert_accessible(page)
    _fits(page)
    return page.locator(".support-reference").inner_text()


def test_a_phone_with_nothing_ticked_is_refused_by_the_field_then_sent_with_texts(narrow, frozen_clock):
    load_services()
    page = narrow.new_page()
    _start(page, "I am the young person, asking for myself")
    fill_young_person(page, dob="2011-02-01", first="Sam")
    _save(page)
    answer_safety(page)
    _save(page)
    fill_story(page)
    _save(page)
    past_about_me(page)
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("Yes, please involve a parent or carer").check()
    page.locator("fieldset", has_text="May a parent or carer follow").get_by_label("Yes", exact=True).check()
    _save(page)
    message = "You gave a phone number but did not say how we may use it. Tick call, text or voicemail, or give " \
              "another way."
    expect(page.locator("#can_call-error")).to_contain_text(message)  # by the boxes to tick
    expect(page.locator(".error-summary")).to_contain_text(message)
    expect(page.get_by_label("Phone number (optional)")).to_have_value("07700 900123")  # nothing typed is lost
    assert_accessible(page)
    _fits(page)
    page.get_by_label("You can send a text message").check()
    _save(page)
    _consent_check_and_send(page)
    next_steps = page.locator(".support-contact-next")
    expect(next_steps).to_contain_text("They may contact you only in the ways you said are safe")
    expect(next_steps).to_contain_text("Phone 07700 900123: texts")
    expect(next_steps).not_to_contain_text("calls")


def test_no_safe_way_is_explained_and_the_urgent_sent_page_says_they_cannot_contact_you(narrow, frozen_clock):
    load_services()
    page = narrow.new_page()
    _start(page, "I am the young person, asking for myself")
    fill_young_person(page, dob="2009-01-10", first="Kit")
    _save(page)
    answer_safety(page, "not be safe tonight")
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Please get help now")
    assert_accessible(page)
    page.get_by_role("link", name="Carry on with the request").click()
    fill_story(page)
    _save(page)
    past_about_me(page)
    page.get_by_label("There is no safe way to contact me").check()
    expect(page.get_by_text(re.compile("The front door will then not contact you: check the request's page "
                                       "instead"))).to_be_visible()
    expect(page.get_by_role("link", name="Get help now").first).to_be_visible()
    page.get_by_label("You can send a text message").check()  # and a way after all: which is it?
    page.locator("fieldset", has_text="May a parent or carer follow").get_by_label("Yes", exact=True).check()
    _save(page)
    expect(page.locator("#no_safe_contact-error")).to_contain_text("You said there is no safe way to contact, "
                                                                   "but also gave a way.")
    assert_accessible(page)
    page.get_by_label("You can send a text message").uncheck()
    _save(page)
    _consent_check_and_send(page)
    next_steps = page.locator(".support-contact-next")
    expect(next_steps).to_contain_text("They cannot contact you: you said there is no safe way.")
    expect(next_steps).to_contain_text("they may ask you a question there")
    expect(page.get_by_role("link", name=re.compile("Call 999")).first).to_be_visible()


def test_a_professionals_referral_for_a_14_year_old_reaches_the_family_and_the_clinician_sees_how(
        browser, live_server, narrow, make_user, frozen_clock):
    load_services()
    page = narrow.new_page()
    _start(page, re.compile("I am a professional"))
    page.get_by_label("Your name").fill("Dr Patel")
    page.get_by_label("Your role").fill("GP")
    page.get_by_label("Your organisation").fill("Lowestoft Medical Practice")
    page.get_by_label("Your work email address").fill("dr.patel@nhs.example")
    knows = page.locator("fieldset", has_text="Does the young person know")
    guidance = page.get_by_text("If telling them could put them at risk, say so here")
    expect(guidance).to_be_hidden()  # shown only when they do not know
    knows.get_by_label("Not sure").check()
    expect(guidance).to_be_visible()
    knows.get_by_label("Yes", exact=True).check()
    expect(guidance).to_be_hidden()
    _save(page)
    fill_young_person(page, dob="2012-03-27", first="Riley")
    _save(page)
    answer_safety(page)
    _save(page)
    fill_story(page)
    _save(page)
    past_about_me(page)

    expect(page.get_by_text("The young person is under 16, so give a parent or carer's contact")).to_be_visible()
    family = page.locator("fieldset", has_text="Does a parent or carer know")
    family.get_by_label("No", exact=True).check()
    expect(page.get_by_text("If telling the family could put the young person at risk")).to_be_visible()
    page.get_by_label("The parent or carer's name").fill("Sam Evans")
    page.get_by_label("Their relationship to the young person (optional)").fill("Dad")
    page.get_by_label("The parent or carer's phone number (optional)").fill("07700 900456")
    page.get_by_label("You can call this number").check()
    _save(page)
    expect(page.locator("#family_knows_why_not-error")).to_contain_text(
        "Say why a parent or carer does not know or agree.")
    expect(page.get_by_label("The parent or carer's name")).to_have_value("Sam Evans")
    assert_accessible(page)
    _fits(page)
    page.get_by_label("If a parent or carer does not know or agree, why not?").fill(
        "Riley is frightened of how he will react.")
    _save(page)
    reference = _consent_check_and_send(page)
    next_steps = page.locator(".support-contact-next")
    expect(next_steps).to_contain_text("They may contact the young person's parent or carer, Sam Evans, only in "
                                       "the ways you said are safe")
    expect(next_steps).to_contain_text("Phone 07700 900456: calls")
    expect(next_steps).to_contain_text("They may contact you at work:")
    expect(next_steps).to_contain_text("Email dr.patel@nhs.example")

    staff = browser.new_context(base_url=live_server.url, **NARROW).new_page()
    staff.context.set_default_timeout(BROWSER_TIMEOUT_MS)
    sign_in_page(staff, make_user(role="clinician"))
    staff.goto(f"/staff/requests/{reference}")
    card = staff.locator("[data-contact-card]")
    expect(card.get_by_role("heading", name="How to reach them safely")).to_be_visible()
    for words in ("Sam Evans (Dad)", "07700 900456: calls", "Dr Patel, GP, Lowestoft Medical Practice",
                  "dr.patel@nhs.example", "Young person knows and agrees?", "Parent or carer knows and agrees?",
                  "Riley is frightened of how he will react."):
        expect(card).to_contain_text(words)
    expect(card.locator(".tag--red")).to_have_text("No")
    assert_accessible(staff)
    staff.context.close()
