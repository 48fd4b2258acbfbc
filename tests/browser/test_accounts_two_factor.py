"""Staff two-step sign-in in Chromium at phone size: set-up, code step, recovery codes, time-outs.
Every new page is checked with axe-core (WCAG 2.2 A/AA)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import code_at_step, current_code, enrol, sign_in_staff, two_factor_required
from webapp import clock
from webapp.accounts import two_factor


@pytest.fixture(autouse=True)
def staff_two_factor(app):
    with two_factor_required(app):
        yield


def step_now() -> int:
    return int(clock.now().timestamp()) // two_factor.STEP_SECONDS


def password_step(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_a_new_staff_member_sets_up_an_app_and_saves_recovery_codes(page, make_user):
    user = make_user(role="clinician")
    password_step(page, user.email)
    expect(page).to_have_url(re.compile(r"/login/two-factor/set-up$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    qr = page.get_by_role("img", name=re.compile("QR code for adding Flourish"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.evaluate("document.documentElement.style.zoom = '2'")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.evaluate("document.documentElement.style.zoom = '1'")

    page.get_by_label("Code from your app").fill("123456")
    with page.expect_navigation():
        page.get_by_role("button", name="Switch on two-step sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page)

    secret = page.locator(".two-factor-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(code_at_step(secret, step_now()))
    with page.expect_navigation():
        page.get_by_role("button", name="Switch on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.goto("/staff/").status == 200
    page.reload()
    assert "Save your recovery codes" not in page.content()


def test_an_enrolled_staff_member_signs_in_with_a_code_and_manages_recovery_codes(page, make_user):
    user = make_user(role="admin")
    enrol(user)
    password_step(page, user.email)
    expect(page).to_have_url(re.compile(r"/login/two-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-message")).to_contain_text("The code is not right")
    assert_accessible(page)

    sign_in_staff(page, user)  # the shared helper: password then code
    assert page.goto("/staff/").status == 200
    page.goto("/settings/")
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    assert_accessible(page)


def test_the_code_form_works_by_keyboard_alone(page, make_user):
    user = make_user(role="base_staff")
    enrol(user)
    password_step(page, user.email)
    page.get_by_label("Code", exact=True).focus()
    page.keyboard.type(current_code(user))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.goto("/staff/").status == 200


def test_an_idle_staff_session_ends_with_a_clear_message(page, make_user):
    clock.freeze(datetime(2026, 10, 25, 0, 40, tzinfo=UTC))  # across the October clock change
    try:
        user = make_user(role="base_staff")
        sign_in_staff(page, user)
        assert page.goto("/staff/").status == 200
        clock.advance(timedelta(minutes=31))
        page.goto("/staff/")
        expect(page).to_have_url(re.compile(r"/login\?next=/staff/$"))
        expect(page.get_by_role("status")).to_contain_text("signed out after 30 minutes without activity")
        assert_accessible(page)
    finally:
        clock.freeze(None)
