"""Wait well in Chromium, on the smallest phone: "How are things now?" answered in two taps by a young
person signed in and by a parent through /track, and a clinician confirming an "I'm OK now"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import load_services, sign_in
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from tests.support.helpers import send
from webapp import clock
from webapp.checkins import service
from webapp.extensions import db

PHONE = {"width": 320, "height": 640}


def _four_weeks_on() -> None:
    clock.advance(timedelta(weeks=4, minutes=1))
    service.ask_due()
    db.session.commit()


def test_a_young_person_says_things_are_worse_in_two_taps(app, page, make_user, login, frozen_clock):
    load_services()
    page.set_viewport_size(PHONE)
    young_person = make_user(role="young_person", date_of_birth=date(2011, 2, 1))
    browser_client = app.test_client()
    login(browser_client, young_person)
    reference, _ = send(browser_client, "young_person")
    _four_weeks_on()  # Monday 13 July 2026, 12:01
    sign_in(page, young_person.email)
    page.goto(f"/request-support/my-requests/{reference}#check-in")
    card = page.locator("#check-in")
    expect(card.get_by_role("heading", name="Checking in while you wait")).to_be_visible()
    assert_accessible(page)
    card.get_by_label("Things are worse").check()  # tap one
    card.get_by_role("button", name="Send").click()  # tap two
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(page.get_by_text("will look at what you wrote by 17:00 on Tuesday, 14 July 2026 (UK time).")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/request-support/my-requests/{reference}")
    expect(page.locator("#check-in")).to_have_count(0)  # answered: no longer asked
    expect(page.get_by_text("You told us how things are: Things are worse")).to_be_visible()


def test_a_parent_by_track_says_ok_now_and_a_clinician_confirms(app, browser, live_server, page, make_user,
                                                                frozen_clock):
    load_services()
    page.set_viewport_size(PHONE)
    reference, _ = send(app.test_client(), "parent")
    _four_weeks_on()
    page.goto("/track")
    page.get_by_label("Reference").fill(reference)
    fill_date(page, "The young person's date of birth", "2012-03-27")
    page.get_by_role("button", name="Find the request").click()
    card = page.locator("#check-in")
    card.get_by_label("I'm OK now").check()
    card.get_by_label("Anything you want to add? (optional)").fill("Much calmer since half term")
    card.get_by_role("button", name="Send").click()
    expect(page.get_by_text("We are glad things feel better.")).to_be_visible()
    assert_accessible(page)

    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800}).new_page()
    sign_in(staff, make_user(role="clinician").email)
    staff.goto("/staff/requests/check-ins")
    expect(staff.get_by_text("Much calmer since half term")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Close the request").click()
    expect(staff.get_by_text("Closed. They have been told, with how to ask again.")).to_be_visible()
    staff.get_by_role("link", name="Wait well: is it working? (figures by service and age)").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Wait well: is it working?")
    expect(staff.locator("table").first).to_contain_text("1 / 0 / 0")  # OK now: one closed
    assert_accessible(staff)

    page.get_by_role("link", name="Back to the request").click()
    expect(page.get_by_text("Now: Closed")).to_be_visible()
    expect(page.get_by_text("You told us you are OK now, so we have closed this request.")).to_be_visible()


@pytest.mark.parametrize(("answer", "told"), [
    ("I still need help", "Your request stays where it is."),
    ("Not sure", "We have asked the front door to offer you a call to talk it through"),
])
def test_the_other_answers_in_two_taps_say_what_happens_next(app, page, make_user, login, frozen_clock,
                                                             answer, told):
    load_services()
    page.set_viewport_size(PHONE)
    young_person = make_user(role="young_person", date_of_birth=date(2011, 2, 1))
    browser_client = app.test_client()
    login(browser_client, young_person)
    reference, _ = send(browser_client, "young_person")
    _four_weeks_on()
    sign_in(page, young_person.email)
    page.goto(f"/request-support/my-requests/{reference}#check-in")
    card = page.locator("#check-in")
    card.get_by_label(answer, exact=True).check()
    card.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for letting us know")
    expect(page.get_by_text(told)).to_be_visible()
    assert_accessible(page)
