"""Choosing how to be contacted (texts, emails, letters in order) in a real Chromium at 320 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp.extensions import db
from webapp.messaging.models import ChannelPreferences


def test_choosing_channels_in_settings_at_320px(page, make_user):
    user = make_user()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in_page(page, user)
    page.goto("/settings/contact")
    assert_accessible(page)
    page.get_by_label("First, try").select_option("sms")
    page.get_by_label("If that does not reach me, try").select_option("email")
    page.get_by_label("Mobile number for texts").fill("07700 90012")  # a digit short
    page.get_by_role("button", name="Save how we contact you").click()
    expect(page.locator("#phone-error")).to_contain_text("11 digits")
    expect(page.get_by_label("Mobile number for texts")).to_have_value("07700 90012")  # nothing typed is lost
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nothing scrolls sideways
    page.get_by_label("Mobile number for texts").fill("07700 900123")
    page.get_by_role("button", name="Save how we contact you").click()
    expect(page.get_by_text("How we contact you is saved.")).to_be_visible()
    db.session.remove()
    prefs = db.session.get(ChannelPreferences, user.id)
    assert prefs.order == ["sms", "email"] and prefs.phone == "+447700900123"
