"""An administrator in Chromium at phone size: adding a staff account (errors, then the password
shown once), deactivating it, and a service with a mistake. Every page on the way passes axe-core,
the pages that only a form's answer shows included."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp.accounts.service import find_by_email
from webapp.directory.service import sync_services_from_data
from webapp.extensions import db


def test_an_admin_adds_a_staff_account_then_deactivates_it(page, make_user):
    make_user(role="admin", email="lead@example.org")
    sign_in_page(page, "lead@example.org")
    page.goto("/staff/")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Staff accounts").first.click()
    page.get_by_role("link", name="Add a staff account").click()

    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Add the account").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("not-an-email")  # nothing typed is lost
    assert_accessible(page)

    page.get_by_label("Email address").fill("new.nurse@example.org")
    page.get_by_label("Front door clinician").check()
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff account added")
    password = page.locator("code").inner_text()
    assert re.fullmatch(r"[a-z0-9]{5}(-[a-z0-9]{5}){3}", password)
    assert_accessible(page)

    page.get_by_role("link", name="I have noted the password").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("new.nurse@example.org")
    expect(page.locator("main")).not_to_contain_text(password)
    page.get_by_role("button", name="Deactivate the account").click()
    expect(page.get_by_text("Account deactivated.")).to_be_visible()
    assert_accessible(page)
    assert find_by_email("new.nurse@example.org").deactivated_at is not None


def test_a_paused_service_needs_its_reason_by_the_field(page, make_user):
    sync_services_from_data()
    db.session.commit()
    make_user(role="admin", email="lead@example.org")
    sign_in_page(page, "lead@example.org")
    page.goto("/staff/admin/services")
    page.locator("table a").first.click()
    page.get_by_label(re.compile("^Paused")).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".error-summary")).to_contain_text("Say why the service is paused")
    expect(page.get_by_label(re.compile("^Paused"))).to_be_checked()
    assert_accessible(page)
