"""Sign-in throttling in Chromium at phone size: the "wait" answer and a refused password say what
to do, and the admin's health page lists repeated failures; every page on the way passes axe-core."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page


def try_password(page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_too_many_tries_says_how_long_to_wait_and_the_admin_sees_it(page, make_user, browser, live_server,
                                                                     frozen_clock):
    nurse = make_user(role="clinician", email="nurse.on.shift@example.org")
    page.goto("/login")
    for number in range(5):
        if number:
            frozen_clock.advance(timedelta(minutes=2))  # each a real try, after any wait
        try_password(page, nurse.email, "not the password at all")
    try_password(page, nurse.email, DEFAULT_PASSWORD)  # straight after: too soon, even with the right one
    expect(page.locator("#password-error")).to_contain_text("Too many tries. Wait")
    expect(page.get_by_label("Email address")).to_have_value(nurse.email)  # nothing typed is lost
    assert_accessible(page)

    admin_context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740},
                                        locale="en-GB", timezone_id="Europe/London")
    admin = admin_context.new_page()
    make_user(role="admin", email="lead@example.org")
    sign_in_page(admin, "lead@example.org")
    admin.goto("/staff/admin/health")
    expect(admin.get_by_role("heading", name="Failed sign-ins")).to_be_visible()
    expect(admin.get_by_role("link", name=nurse.email)).to_be_visible()
    assert_accessible(admin)
    admin_context.close()


def test_a_guessable_password_is_refused_with_what_to_do_instead(page, frozen_clock):
    page.goto("/register")
    page.get_by_label("I'm a parent or carer").check()
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Create a password").fill("abcabcabc")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my account").click()
    error = page.locator("#password-error")
    expect(error).to_contain_text("This password is too easy to guess.")
    expect(error).to_contain_text("Try a passphrase instead")
    assert_accessible(page)
