"""A forgotten password reset from the sign-in page in Chromium at 320 px, in English (with
JavaScript, axe-core on every page) and in Polish (without JavaScript: every form still works)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.messages import last_to, link_path
from tests.browser.conftest import BROWSER_TIMEOUT_MS, PHONE
from tests.helpers.axe import assert_accessible

NARROW = {**PHONE, "viewport": {"width": 320, "height": 640}}
NEW_PASSWORD = "lighthouse orange picnic"


def _check(page, javascript: bool, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= 320 if javascript else True
    if javascript:
        assert_accessible(page)


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


@pytest.mark.parametrize(("language", "javascript"), [("en", True), ("pl", False)])
def test_a_forgotten_password_is_reset_from_the_sign_in_page(browser, live_server, make_user, frozen_clock,
                                                             language, javascript):
    make_user(email="robin.fairweather@example.org", display_name="Robin")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, **NARROW)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.add_cookies([{"name": "flourish_lang", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto("/login")
        page.locator('main a[href="/password-reset"]').click()
        page.wait_for_url(re.compile(r"/password-reset$"))
        _check(page, javascript, language)
        page.locator("#email").fill("robin.fairweather@example.org")
        _submit(page)
        page.wait_for_url(re.compile(r"/password-reset/check-your-email$"))
        _check(page, javascript, language)

        page.goto(link_path(last_to("robin.fairweather@example.org", "password_reset")))
        page.wait_for_url(re.compile(r"/password-reset/new$"))  # the token is out of the address bar
        _check(page, javascript, language)
        page.locator("#new_password").fill("fairweather1")
        _submit(page)
        expect(page.locator("#new_password-error")).to_be_visible()
        expect(page.locator(".error-summary a[href='#new_password']")).to_be_visible()
        expect(page.locator("#new_password")).to_have_value("")  # a password is never sent back
        _check(page, javascript, language)
        page.locator("#new_password").fill(NEW_PASSWORD)
        _submit(page)
        page.wait_for_url(re.compile(r"/login$"))
        _check(page, javascript, language)

        page.locator("#email").fill("robin.fairweather@example.org")
        page.locator("#password").fill(NEW_PASSWORD)
        _submit(page)
        page.wait_for_url(re.compile(r"/$"))
    finally:
        context.close()


def test_sign_up_reset_and_prove_pages_pass_axe_at_320_px(browser, live_server, make_user, frozen_clock):
    """Every page of sign-up, reset and proving a number, in their plain and their error states."""
    from tests.helpers.two_factor import sign_in_page
    from webapp.accounts import verification

    context = browser.new_context(base_url=live_server.url, **NARROW)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        for path in ("/register/check-your-email", "/password-reset", "/password-reset/check-your-email",
                     "/register/finish", "/password-reset/link/not-a-real-token"):
            page.goto(path)
            _check(page, True, "en")
        page.goto("/register")
        page.get_by_label("I'm a parent or carer").check()
        page.get_by_label("Email address").fill("pat@example.org")
        page.get_by_label("Create a password").fill("blue kettle running late")
        page.get_by_role("button", name="Make my account").click()
        page.wait_for_url(re.compile(r"/register/check-your-email$"))
        page.goto(link_path(last_to("pat@example.org", "sign_up_finish")))
        page.wait_for_url(re.compile(r"/register/finish$"))
        _check(page, True, "en")
        page.get_by_label("Your password").fill("not what was chosen")
        page.get_by_role("button", name="Finish making my account").click()
        expect(page.locator("#password-error")).to_contain_text("This is not the password you chose")
        _check(page, True, "en")

        make_user(email="sam@example.org")
        sign_in_page(page, "sam@example.org")
        with live_server.server.app.test_request_context():
            url = verification.prove_url("sms", "07700 900123")
        page.goto(url)
        _check(page, True, "en")
        page.get_by_role("button", name="Send me a code").click()
        page.get_by_label("Code").fill("000000" if last_to("+447700900123").personalisation["code"] != "000000"
                                        else "111111")
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("#code-error")).to_contain_text("That is not the code we sent")
        expect(page.get_by_label("Code")).not_to_have_value("")  # what was typed is kept
        _check(page, True, "en")
        page.get_by_label("Code").fill(last_to("+447700900123").personalisation["code"])
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("is confirmed as yours")).to_be_visible()
    finally:
        context.close()
