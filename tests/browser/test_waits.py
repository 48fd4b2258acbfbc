"""/waits and /staff/waits in a real Chromium at phone size, checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.journeys import sign_in
from tests.helpers.axe import assert_accessible
from tests.waits.helpers import make_journey, make_service
from webapp import clock

DAY = timedelta(days=1)


def _flow():
    now = clock.now()
    make_service("talk", name="Talking service", thrive_group="getting_help", min_age=5, max_age=17,
                 wait_note="Extra evening clinics this month")
    make_service("adult", name="Young adults service", thrive_group="getting_more_help", min_age=18, max_age=25,
                 paused=True, paused_reason="Not taking new people until September")
    for week in range(1, 14):
        allocated = now - (week * 7 + 20) * DAY
        make_journey("talk", allocated - 4 * DAY, triaged=allocated - 2 * DAY, allocated=allocated,
                     first_appointment=allocated + (14 + week) * DAY)
    make_journey("talk", now - 9 * DAY, triaged=now - 8 * DAY, allocated=now - 7 * DAY)


def test_waits_page_is_accessible_and_filters_without_javascript(browser, live_server):
    _flow()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/waits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting times")
    expect(page.get_by_role("heading", name="Talking service")).to_be_visible()
    expect(page.get_by_text("Extra evening clinics this month")).to_be_visible()
    expect(page.get_by_text("Not taking new people until September")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("First appointments each week")).first).to_be_visible()
    page.get_by_label("Kind of help").select_option("getting_more_help")
    page.get_by_role("button", name="Show services").click()
    expect(page.get_by_role("heading", name="Young adults service")).to_be_visible()
    expect(page.get_by_role("heading", name="Talking service")).to_have_count(0)
    assert "?" not in page.url  # sent by POST: the kind of help and an age never sit in the URL (#21)
    context.close()


def test_waits_page_has_no_axe_violations(page):
    _flow()
    page.goto("/waits")
    page.locator("details.waits-table summary").first.click()
    expect(page.get_by_role("table").first).to_be_visible()
    assert_accessible(page)
    page.goto("/waits?age=40")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


def test_leaders_view_has_no_axe_violations(page, make_user):
    _flow()
    user = make_user(role="clinician")
    sign_in(page, user.email)
    page.goto("/staff/waits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting lists")
    assert_accessible(page)
