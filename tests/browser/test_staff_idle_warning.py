"""Staff are warned two minutes before an idle sign-out and can stay signed in (WCAG 2.2.1, #21 item 6).

The page's clock is Playwright's (installed before the page loads, then run forward); the server's is
the frozen clock, moved on by the same amount, so both agree on how long nothing has happened.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp.accounts.two_factor import IDLE_LIMIT


def _staff_page(page, make_user):
    sign_in_page(page, make_user(role="clinician").email)
    page.clock.install()
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff home")


def test_a_warning_two_minutes_before_and_staying_signed_in_keeps_the_session(page, make_user, frozen_clock):
    _staff_page(page, make_user)
    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_hidden()
    page.clock.run_for(int((IDLE_LIMIT - timedelta(minutes=2, seconds=5)).total_seconds() * 1000))
    expect(warning).to_be_hidden()
    page.clock.run_for(10_000)
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)

    frozen_clock.advance(IDLE_LIMIT - timedelta(minutes=1))  # the server agrees: 29 minutes idle
    with page.expect_response(lambda r: r.url.endswith("/staff/stay-signed-in") and r.status == 204):
        warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    frozen_clock.advance(timedelta(minutes=20))  # 20 minutes after staying: still signed in
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff home")


def test_with_no_answer_the_page_says_it_has_signed_out_and_keeps_what_was_typed(page, make_user, frozen_clock):
    _staff_page(page, make_user)
    page.clock.run_for(int(IDLE_LIMIT.total_seconds() * 1000) + 1000)
    warning = page.get_by_role("alertdialog")
    expect(warning).to_contain_text("You have been signed out because nothing happened for 30 minutes")
    expect(warning.get_by_role("link", name="Sign in again")).to_be_visible()
    assert re.search(r"/staff/$", page.url)  # not reloaded: nothing typed is thrown away


def test_the_keep_alive_works_without_javascript(app, make_user, login, frozen_clock):
    client = app.test_client()
    login(client, make_user(role="clinician"))
    frozen_clock.advance(IDLE_LIMIT - timedelta(minutes=1))
    response = client.post_form("/staff/stay-signed-in", {"next": "/staff/"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/")
    frozen_clock.advance(IDLE_LIMIT - timedelta(minutes=1))
    assert client.get("/staff/").status_code == 200


def test_young_people_get_no_idle_timer(page, make_user, frozen_clock):
    sign_in_page(page, make_user(role="young_person").email)
    page.goto("/settings/")
    assert page.locator("[data-idle-warning]").count() == 0
