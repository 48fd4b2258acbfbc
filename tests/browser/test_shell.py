"""The app shell in a real Chromium at phone size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.messages import last_to, link_path
from tests.browser.journeys import neutral_site, on_your_story, sign_in
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date

PUBLIC_PAGES = ["/", "/help-now", "/privacy", "/offline", "/login", "/register", "/no-such-page"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_axe_violations(page, path):
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


def test_signed_in_pages_have_no_axe_violations(page, make_user):
    user = make_user(role="young_person")
    sign_in(page, user.email)
    for path in ("/settings/", "/settings/password", "/settings/data", "/settings/delete", "/logout"):
        page.goto(path)
        assert_accessible(page)


def test_staff_home_has_no_axe_violations(page, make_user):
    user = make_user(role="clinician")
    sign_in(page, user.email)
    page.goto("/staff/")
    expect(page.locator("h1")).to_have_text("Staff home")
    assert_accessible(page)


def test_home_page_loads_with_help_now_and_quick_exit(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support for your mental health")
    expect(page.locator(".help-now-bar").get_by_role("link", name="Get help now")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Quick exit"))).to_be_visible()


def test_quick_exit_button_leaves_the_site_and_back_does_not_return(context):
    neutral_site(context)
    page = context.new_page()
    page.goto("/")
    page.goto("/help-now")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    expect(page.locator("h1")).to_have_text("Weather")
    page.go_back()
    assert "/help-now" not in page.url


def test_escape_twice_is_a_quick_exit(context):
    neutral_site(context)
    page = context.new_page()
    page.goto("/privacy")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.bbc.co.uk/weather")


def test_register_sign_in_and_sign_out(page, frozen_clock):
    page.goto("/register")
    page.get_by_label("I'm a young person (13 to 25)").check()
    page.get_by_label("Email address").fill("new.person@example.org")
    page.get_by_label("Create a password").fill("blue kettle running late")
    fill_date(page, "Date of birth", "2010-03-27")
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to finish signing up")
    page.goto(link_path(last_to("new.person@example.org", "sign_up_finish")))
    page.get_by_label("Your password").fill("blue kettle running late")
    page.get_by_role("button", name="Finish making my account").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    page.goto("/logout")
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    page.goto("/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # Logout's Clear-Site-Data removed the service worker; let its reinstall settle first.
    page.wait_for_load_state("networkidle")

    page.get_by_label("Email address").fill("new.person@example.org")
    page.get_by_label("Password").fill("blue kettle running late")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/settings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")


def test_registration_error_keeps_what_was_typed_but_not_the_password(page, frozen_clock):
    page.goto("/register")
    page.get_by_label("I'm a young person (13 to 25)").check()
    page.get_by_label("Email address").fill("kept@example.org")
    page.get_by_label("Create a password").fill("password")
    fill_date(page, "Date of birth", "2010-03-27")
    page.get_by_role("button", name="Make my account").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#password-error")).to_contain_text("too easy to guess")
    expect(page.get_by_label("Email address")).to_have_value("kept@example.org")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    for part, value in (("Day", "27"), ("Month", "3"), ("Year", "2010")):
        expect(date_of_birth.get_by_label(part)).to_have_value(value)
    expect(page.get_by_label("Create a password")).to_have_value("")


def test_escape_twice_never_throws_away_a_story_being_typed(context):
    neutral_site(context)
    page = context.new_page()
    on_your_story(page)
    story = page.get_by_label(re.compile("What is happening, in your own words"))
    story.fill("Panicky before school most days.")
    # In the text area: Escape belongs to the field.
    story.press("Escape")
    story.press("Escape")
    # Focus moved off the field, the story still on the page: still no exit.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.endswith("/request-support/your-story")
    expect(story).to_have_value("Panicky before school most days.")
    # The button still leaves at once.
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.bbc.co.uk/weather")


def test_escape_twice_in_a_select_does_not_exit_but_with_nothing_typed_it_does(context):
    neutral_site(context)
    page = context.new_page()
    page.goto("/request-support/")
    page.evaluate("""() => {
        const select = document.createElement('select');
        select.id = 'escape-test';
        select.innerHTML = '<option>One</option><option>Two</option>';
        document.querySelector('main').append(select);
    }""")
    page.locator("#escape-test").focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert "/request-support/" in page.url
    # Focus on nothing and nothing typed: Escape twice leaves.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.bbc.co.uk/weather")
