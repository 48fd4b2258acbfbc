"""The journey of a young person at risk, read as they read it, on the smallest phone (320 px).

A 15-year-old answers yes to thoughts of ending their life and to not being safe tonight. Every page
they see after that gives one truth about time: who will look at the request and by when, and what to
do until then. Never a queue place or a span of weeks, not even after a clinician puts them in
Getting Risk Support with a community team that has a long waiting list.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import journeys
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from webapp.extensions import db

PHONE = {"width": 320, "height": 640}
# Frozen on Monday 15 June 2026, 12:00 in London: the promise is the end of the next working day.
PROMISE = "17:00 on Tuesday, 16 June 2026 (UK time)"
ROUTINE_WORDS = re.compile(r"in the queue|number \d+|\bweeks?\b|working days|hear back|between \d+ and \d+ days"
                           r"|on (its|the) waiting list", re.IGNORECASE)
NOTE = "They will phone you after 4pm this week."


def _main_text(page) -> str:
    return page.locator("main").inner_text()


def _assert_one_truth_about_time(page, promise_words: str) -> None:
    text = _main_text(page).replace(NOTE, "")  # the clinician's own words are theirs
    assert promise_words in text, text
    assert not ROUTINE_WORDS.search(text), ROUTINE_WORDS.search(text)
    expect(page.get_by_role("link", name="Call NHS 111, option 2").first).to_be_visible()


def _ask_as_a_young_person_at_risk(page) -> str:
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/request-support/[a-z-]+$"))
    who = page.get_by_label("I am the young person, asking for myself")
    if who.count():  # signed in, who is asking is known from the account and not asked again
        who.check()
        journeys.save_and_continue(page, check=False)
    expect(page.get_by_label(re.compile("first name", re.I))).to_be_visible()
    asked = page.get_by_role("group", name=re.compile("date of birth", re.I)).count() > 0
    journeys.fill_young_person(page, dob="2011-02-01" if asked else None, first="Sam")
    journeys.save_and_continue(page, check=False)
    journeys.answer_safety(page, "ending your life", "not be safe tonight")
    journeys.save_and_continue(page, check=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Please get help now")
    assert_accessible(page)
    page.get_by_role("link", name="Carry on with the request").click()
    journeys.fill_story(page)
    journeys.save_and_continue(page, check=False)
    journeys.fill_contact(page, self_asking=True)
    journeys.save_and_continue(page, check=False)
    page.get_by_label(re.compile("I agree that this request is shared")).check()
    journeys.save_and_continue(page, check=False)
    return journeys.check_and_send(page)


def test_an_urgent_self_referral_hears_one_promise_from_sending_to_getting_risk_support(
        browser, live_server, context, page, make_user, frozen_clock):
    journeys.load_services()
    page.set_viewport_size(PHONE)
    young_person = make_user(role="young_person", date_of_birth=date(2011, 2, 1))
    journeys.sign_in(page, young_person.email)
    reference = _ask_as_a_young_person_at_risk(page)

    # The sent page: the urgent promise, nothing routine.
    _assert_one_truth_about_time(page, f"will look at this request by {PROMISE}")

    # The front door: first in the risk band, with the promise the person was given.
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800}).new_page()
    journeys.sign_in(staff, make_user(role="clinician").email)
    staff.goto("/staff/requests/")
    first_row = staff.locator("table.support-queue tbody tr").first
    expect(first_row).to_contain_text(reference)
    expect(first_row).to_contain_text("Risk answers")
    expect(first_row).to_contain_text("promised by")
    assert_accessible(staff)
    first_row.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", name="1 risk signal to review")).to_be_visible()
    staff.get_by_role("button", name="I have reviewed these risk signals").click()
    expect(staff.get_by_text("Risk signals marked as reviewed.")).to_be_visible()
    staff.get_by_label("Status").select_option("allocated")
    staff.get_by_label("Needs-based grouping").select_option("getting_risk_support")
    staff.get_by_label("Service or offer").select_option("camhs-community")
    staff.get_by_label("Note the requester will see (optional)").fill(NOTE)
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("Saved. The requester can see the change.")).to_be_visible()
    assert_accessible(staff)

    # The young person's own page: told the team will contact them directly, never a queue place.
    page.goto(f"/request-support/my-requests/{reference}")
    expect(page.get_by_text(NOTE)).to_be_visible()
    _assert_one_truth_about_time(page, "you will not join a waiting list: the team will contact you directly")
    assert_accessible(page)

    # The same through /track, in a browser with no account.
    tracker = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    tracker.goto("/track")
    tracker.get_by_label("Reference").fill(reference)
    fill_date(tracker, "The young person's date of birth", "2011-02-01")
    tracker.get_by_role("button", name="Find the request").click()
    expect(tracker.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    _assert_one_truth_about_time(tracker, "you will not join a waiting list: the team will contact you directly")

    # The push it was sent says nothing of queues or weeks.
    from webapp.notifications.models import ScheduledNotification

    db.session.expire_all()
    pushes = db.session.scalars(select(ScheduledNotification).where(
        ScheduledNotification.user_id == young_person.id)).all()
    assert pushes and all(not ROUTINE_WORDS.search(f"{p.title} {p.body}") for p in pushes)


def test_things_got_worse_at_night_gets_a_kind_answer_and_a_dated_promise(page, make_user, frozen_clock):
    """Sent on a Friday at 23:30: the promise is Monday 17:00, said plainly, with help for the weekend."""
    from datetime import UTC, datetime

    from webapp import clock

    journeys.load_services()
    page.set_viewport_size(PHONE)
    clock.freeze(datetime(2026, 6, 19, 22, 30, tzinfo=UTC))  # Friday 23:30 in London
    user = make_user(role="young_person", date_of_birth=date(2011, 2, 1))
    journeys.sign_in(page, user.email)
    reference = _ask_as_a_young_person_at_risk(page)
    _assert_one_truth_about_time(page, "will look at this request by 17:00 on Monday, 22 June 2026 (UK time)")
    page.goto(f"/request-support/my-requests/{reference}")
    page.get_by_label("What has changed?").fill("I can't stop thinking about it tonight.")
    page.get_by_role("button", name="Tell the front door").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    text = _main_text(page)
    assert "It took courage to say things are harder." in text
    assert "will look at what you wrote by 17:00 on Monday, 22 June 2026 (UK time)" in text
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    assert_accessible(page)
