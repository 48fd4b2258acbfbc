"""The privacy notice's layers, the accessibility statement, a privacy concern reaching an admin, and
"my data" as a page, in Chromium with axe-core (#21 items 8, 9)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page


@pytest.mark.parametrize("path", ["/privacy", "/privacy/13-to-15", "/privacy/16-to-25", "/privacy/parents-and-carers",
                                  "/privacy/full", "/accessibility", "/privacy/concern"])
def test_privacy_pages_pass_axe(page, path):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_a_concern_raised_by_anyone_reaches_the_admins_page(browser, live_server, page, make_user, frozen_clock):
    page.goto("/privacy")
    page.get_by_role("link", name="Raise a privacy concern").click()
    page.get_by_label("What is your concern?").fill("Please delete the request I started by mistake.")
    page.get_by_role("button", name="Send my concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concern has been sent")
    assert_accessible(page)

    admin = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800}).new_page()
    sign_in_page(admin, make_user(role="admin").email)
    admin.goto("/staff/")
    admin.get_by_role("link", name="Privacy concerns").click()
    expect(admin.get_by_text("Please delete the request I started by mistake.")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_role("button", name="Mark as handled").click()
    expect(admin.get_by_text("No open concerns.")).to_be_visible()


def test_my_data_reads_as_a_page(page, make_user, frozen_clock):
    sign_in_page(page, make_user(role="young_person", email="reads@example.org").email)
    page.goto("/settings/data")
    page.get_by_role("link", name="See my data on a page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we keep about you")
    expect(page.get_by_text("reads@example.org")).to_be_visible()
    assert_accessible(page)
