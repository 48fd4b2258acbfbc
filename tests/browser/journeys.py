"""Steps of the journeys through Flourish in Chromium, shared by the browser tests (tests/browser).

- `sign_in(page, email)`: through the /login page (`sign_in_page` in tests/helpers/two_factor.py).
- `neutral_site(context)`: Quick exit's destination (BBC Weather) answered by a stand-in page.
- `on_your_story(page)`: a request for support begun as a young person, open at "Your story".
- `first_visit(context, path)`: Flourish opened for the first time, its service worker in control.
- `load_services()`: the directory's services, which a request for support is sent to.
- The request form a page at a time: `save_and_continue`, `fill_young_person`, `answer_safety`,
  `fill_story`, `past_about_me`, `fill_contact` and `check_and_send`.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from tests.helpers.two_factor import sign_in_page
from webapp.directory.service import sync_services_from_data
from webapp.extensions import db


def sign_in(page, email, password=DEFAULT_PASSWORD):
    """Sign in through the /login page."""
    sign_in_page(page, email, password)


def neutral_site(context):
    """Answer Quick exit's destination with a stand-in page (the tests never leave for the real site)."""
    context.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"))


def on_your_story(page):
    """Begin a request for support as a young person and open its "Your story" step."""
    from tests.support.helpers import STEP_DATA

    page.goto("/request-support/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.request.post("/request-support/", form={"csrf_token": token}, max_redirects=0)
    for step in ("who", "young-person", "safety"):
        data = {k: v for k, v in STEP_DATA[step]("young_person").items() if not isinstance(v, list)}
        response = page.request.post(f"/request-support/{step}", form={"csrf_token": token, **data},
                                     max_redirects=0)
        assert response.status == 303, (step, response.status)
    page.goto("/request-support/your-story")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def first_visit(context, path="/self-help/"):
    """Open Flourish for the first time and wait until the service worker is in control."""
    packs = []
    context.on("request", lambda request: packs.append(request.url) if "/offline-pack.json" in request.url else None)
    page = context.new_page()
    page.goto(path)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page, packs


def load_services():
    """Load the directory's services from the data files (a request for support is sent to them)."""
    sync_services_from_data()
    db.session.commit()


def save_and_continue(page, check=True):
    """Check the page with axe-core (unless `check` is false), then press "Save and continue"."""
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()


def fill_young_person(page, dob="2012-03-27", first="Jamie"):
    """Fill in the "About the young person" step (no date of birth when `dob` is None)."""
    page.get_by_label(re.compile("first name", re.I)).fill(first)
    page.get_by_label(re.compile("last name", re.I)).fill("Morgan")
    if dob:  # None: known from the account, shown not asked
        fill_date(page, re.compile("date of birth", re.I), dob)
    page.get_by_label(re.compile("home postcode", re.I)).fill("NR1 3SR")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")


def answer_safety(page, *yes: str):
    """Answer every safety question "No", except "Yes" to those whose legend contains one of `yes`."""
    # `.all()` does not wait: on a busy machine it could list the fieldsets of a page still loading
    # (none, so nothing was answered and the step came back with errors).
    page.wait_for_url(re.compile(r"/request-support/safety$"))
    expect(page.locator(".support-form fieldset").first).to_be_visible()
    for fieldset in page.locator(".support-form fieldset").all():
        legend = fieldset.locator("legend").inner_text()
        fieldset.get_by_label("Yes" if any(topic in legend for topic in yes) else "No", exact=True).check()


def fill_story(page):
    """Fill in the "Your story" step: worry, the story in a sentence, one goal, 1 to 6 months."""
    page.get_by_label("Worry, panic or feeling anxious").check()
    page.get_by_label(re.compile("What is happening, in your own words")).fill("Panicky before school most days.")
    page.get_by_label("First thing").fill("Go to school every day")
    page.get_by_label("1 to 6 months").check()


def past_about_me(page):
    """A young person asking for themselves is asked "About me" (optional) before contact: skip it."""
    page.wait_for_url(re.compile(r"/request-support/(about-me|contact)$"))
    if page.url.endswith("/about-me"):
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/request-support/contact$"))


def fill_contact(page, self_asking=False, family=False):
    """Fill in the contact step (after "About me", skipped): a phone to call and text."""
    past_about_me(page)
    if family:  # a professional's request for an under-16: a parent or carer's details, and do they know
        page.locator("fieldset", has_text="Does a parent or carer know").get_by_label("Yes", exact=True).check()
        page.get_by_label("The parent or carer's name").fill("Alex Morgan")
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("You can call this number").check()
    page.get_by_label("You can send a text message").check()
    if self_asking:
        page.get_by_label("Yes, please involve a parent or carer").check()
        page.locator("fieldset", has_text="May a parent or carer follow").get_by_label("Yes", exact=True).check()


def check_and_send(page):
    """Send the request from "Check your answers" (both pages checked with axe-core); its reference."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    assert_accessible(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request has been sent")
    assert_accessible(page)
    return page.locator(".support-reference").inner_text()
