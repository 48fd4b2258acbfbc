"""Asking for support in a real Chromium at phone size: each kind of requester end to end, the
risk path, the timeline, /track, triage, and axe-core on every page of it."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.journeys import (
    answer_safety,
    check_and_send,
    fill_contact,
    fill_story,
    fill_young_person,
    load_services,
    save_and_continue,
    sign_in,
)
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date


def test_a_signed_in_young_person_asks_and_follows_their_timeline(page, make_user, frozen_clock):
    load_services()
    user = make_user(role="young_person", date_of_birth=date(2011, 2, 1))
    sign_in(page, user.email)
    page.goto("/request-support/")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_text("Step 2 of 8")).to_be_visible()  # who is asking: known from the account
    expect(page.get_by_text("1 February 2011")).to_be_visible()  # asked once: shown, not asked again
    fill_young_person(page, dob=None, first="Sam")
    save_and_continue(page)
    answer_safety(page)
    save_and_continue(page)
    fill_story(page)
    save_and_continue(page)
    fill_contact(page, self_asking=True)
    save_and_continue(page)
    page.get_by_label(re.compile("I agree that this request is shared")).check()
    save_and_continue(page)
    reference = check_and_send(page)
    page.get_by_role("link", name="See your request's progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    expect(page.get_by_text("Your request has been sent to the Integrated Front Door.")).to_be_visible()
    assert_accessible(page)
    page.goto("/request-support/my-requests")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)


def test_a_parent_asks_without_an_account_then_tracks_it_and_says_things_got_worse(page, frozen_clock):
    load_services()
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I am a parent or carer, asking for my child").check()
    save_and_continue(page, check=False)
    page.get_by_role("button", name="Save and continue").click()  # nothing filled in: errors by the fields
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your name").fill("Alex Morgan")
    page.get_by_label("Your relationship to the young person").fill("Mum")
    save_and_continue(page, check=False)
    fill_young_person(page)
    page.get_by_label(re.compile("home postcode", re.I)).fill("not a postcode")
    save_and_continue(page, check=False)
    expect(page.get_by_text("Enter a UK postcode, like NR1 3SR.").first).to_be_visible()
    assert_accessible(page)
    page.reload()  # nothing typed is lost
    expect(page.get_by_label(re.compile("first name", re.I))).to_have_value("Jamie")
    page.get_by_label(re.compile("home postcode", re.I)).fill("NR1 3SR")
    save_and_continue(page, check=False)
    answer_safety(page)
    save_and_continue(page)
    fill_story(page)
    save_and_continue(page)
    fill_contact(page)
    save_and_continue(page)
    page.get_by_label(re.compile("I agree that this request is shared")).check()
    save_and_continue(page)
    reference = check_and_send(page)
    page.goto("/track")
    assert_accessible(page)
    page.get_by_label("Reference").fill(reference)
    fill_date(page, "The young person's date of birth", "2012-03-27")
    page.get_by_role("button", name="Find the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    assert_accessible(page)
    page.get_by_label("What has changed?").fill("He has stopped going out at all.")
    page.get_by_role("button", name="Tell the front door").click()
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    expect(page.get_by_text(re.compile("will look at what you wrote by"))).to_be_visible()
    assert_accessible(page)


def test_a_professional_reports_risk_sees_urgent_help_and_a_clinician_triages(browser, live_server, page,
                                                                              make_user, frozen_clock):
    load_services()
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label(re.compile("I am a professional")).check()
    save_and_continue(page, check=False)
    page.get_by_label("Your name").fill("Dr Patel")
    page.get_by_label("Your role").fill("GP")
    page.get_by_label("Your organisation").fill("Lowestoft Medical Practice")
    page.get_by_label("Your work phone number").fill("01502 589151")
    page.locator("fieldset", has_text="Does the young person know").get_by_label("Yes", exact=True).check()
    save_and_continue(page)
    fill_young_person(page)
    save_and_continue(page, check=False)
    answer_safety(page, "ending their life")
    save_and_continue(page, check=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Please get help now")
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    expect(page.get_by_role("link", name="Text SHOUT to 85258")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Carry on with the request").click()
    fill_story(page)
    save_and_continue(page, check=False)
    fill_contact(page, family=True)
    save_and_continue(page, check=False)
    page.get_by_label(re.compile("I agree that this request is shared")).check()
    save_and_continue(page, check=False)
    reference = check_and_send(page)
    expect(page.get_by_text(re.compile("Because of what you told us, a clinician")).first).to_be_visible()

    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800}).new_page()
    sign_in(staff, make_user(role="clinician").email)
    staff.goto("/staff/requests/")
    expect(staff.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", name="Urgent: risk answers")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label("Status").select_option("allocated")
    staff.get_by_label("Needs-based grouping").select_option("getting_risk_support")
    staff.get_by_label("Service or offer").select_option("crisis-home-treatment")
    staff.get_by_label("Note the requester will see (optional)").fill("The crisis team will call today.")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("Saved. The requester can see the change.")).to_be_visible()
    staff.goto("/staff/requests/undelivered")
    expect(staff.get_by_role("link", name=reference).first).to_be_visible()
    assert_accessible(staff)


def test_the_form_works_without_javascript(browser, live_server, frozen_clock):
    load_services()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I am a parent or carer, asking for my child").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("I am a parent or carer, asking for my child")).to_be_checked()  # back keeps answers
    context.close()


def test_no_signal_keeps_what_was_typed_on_the_page(context, page, frozen_clock):
    load_services()
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I am a parent or carer, asking for my child").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Your name").fill("Alex Morgan")
    context.set_offline(True)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text(re.compile("You have no signal right now"))).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Alex Morgan")
    assert_accessible(page)
    context.set_offline(False)
    page.get_by_label("Your relationship to the young person").fill("Mum")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About the young person")


def test_too_young_to_ask_alone_is_told_kindly_what_to_do(page, frozen_clock):
    load_services()
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I am the young person, asking for myself").check()
    page.get_by_role("button", name="Save and continue").click()
    fill_young_person(page, dob="2014-01-01", first="Kit")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text(re.compile("You need to be 13 or older to ask for support yourself")).first).to_be_visible()
    expect(page.get_by_role("heading", name="What you can do")).to_be_visible()
    assert_accessible(page)


def test_the_safety_step_names_each_unanswered_question_and_links_to_its_first_answer(page, frozen_clock):
    page.goto("/request-support/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    from tests.support.helpers import STEP_DATA

    page.request.post("/request-support/", form={"csrf_token": token}, max_redirects=0)
    for step in ("who", "young-person"):
        data = {k: v for k, v in STEP_DATA[step]("young_person").items() if not isinstance(v, list)}
        assert page.request.post(f"/request-support/{step}", form={"csrf_token": token, **data},
                                 max_redirects=0).status == 303
    page.goto("/request-support/safety")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    expect(links).to_have_count(4)
    texts = links.all_inner_texts()
    assert len(set(texts)) == 4 and "Answer whether you are having thoughts of ending your life." in texts
    for link in links.all():
        target = link.get_attribute("href")
        control = page.locator(target)
        assert control.get_attribute("type") == "radio", target
    links.first.click()
    expect(page.locator(links.first.get_attribute("href"))).to_be_focused()
    first_fieldset = page.locator("fieldset").first
    expect(first_fieldset).to_have_accessible_description(re.compile("thoughts of ending your life"))
    assert_accessible(page)
