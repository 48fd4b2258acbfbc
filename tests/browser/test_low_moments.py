"""Low moments on a small phone (320 px wide): "not sure" on a risk question leads to the urgent help for
that situation, and the lowest mood check-in gets a kind reply, in English and in Polish. axe-core on each."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_TIMEOUT_MS, PHONE
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from tests.helpers.two_factor import sign_in_page

SMALL_PHONE = {**PHONE, "viewport": {"width": 320, "height": 640}}
LINKS = {
    "emergency": "Call 999",
    "nhs111": "Call NHS 111, option 2",
    "shout": "Text SHOUT to 85258",
    "childline": "Call Childline on 0800 1111",
    "samaritans": "Call Samaritans on 116 123",
    "papyrus": "Call Papyrus on 0800 068 4141",
    "nspcc": "Call the NSPCC helpline on 0808 800 5000",
}
REPLY_HEADING = "Thank you for checking in"


@pytest.fixture
def small_page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, **SMALL_PHONE)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways at 320 px"


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


@pytest.mark.parametrize(("question", "shown", "not_shown"), [
    ("thoughts of ending your life", ["emergency", "nhs111", "shout", "childline", "samaritans", "papyrus"],
     ["nspcc"]),
    ("hurt yourself in a way that may need medical help", ["emergency", "nhs111"], ["nspcc", "papyrus"]),
    ("may not be safe tonight", ["emergency", "nhs111", "shout", "childline", "samaritans"], ["nspcc"]),
    ("someone hurting you", ["emergency", "childline"], ["nspcc", "papyrus"]),
])
def test_not_sure_on_a_risk_question_shows_the_help_for_that_situation(small_page, question, shown, not_shown):
    page = small_page
    page.goto("/request-support/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I am the young person, asking for myself").check()
    _continue(page)
    page.get_by_label(re.compile("first name", re.I)).fill("Sam")
    page.get_by_label(re.compile("last name", re.I)).fill("Morgan")
    fill_date(page, re.compile("date of birth", re.I), "2011-02-01")
    page.get_by_label(re.compile("home postcode", re.I)).fill("NR1 3SR")
    _continue(page)
    page.wait_for_url(re.compile(r"/request-support/safety$"))
    fieldsets = page.locator(".support-form fieldset")
    expect(fieldsets).to_have_count(4)
    for fieldset in fieldsets.all():
        answer = "I'm not sure" if question in fieldset.locator("legend").inner_text() else "No"
        fieldset.get_by_label(answer, exact=True).check()
    _fits_the_screen(page)
    assert_accessible(page)
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Please get help now")
    card = page.locator(".support-urgent")
    links = card.locator(".support-urgent__list a")
    expect(links.first).to_have_text(LINKS["emergency"])  # 999 first, always
    for line in shown:
        expect(card.get_by_role("link", name=LINKS[line], exact=True)).to_be_visible()
    for line in not_shown:
        expect(card.get_by_role("link", name=LINKS[line], exact=True)).to_have_count(0)
    expect(links).to_have_count(len(shown))
    _fits_the_screen(page)
    assert_accessible(page)
    expect(page.get_by_role("link", name="Carry on with the request")).to_be_visible()


def _check_in_very_low(page: Page, words: str) -> None:
    page.locator('input[name="score"][value="1"]').check()
    page.locator('textarea[name="words"]').fill(words)
    page.locator(".mood-form button[type=submit]").click()


def test_the_lowest_check_in_gets_a_kind_reply_on_the_device_even_offline(small_page):
    page = small_page
    page.goto("/self-help/mood")
    page.wait_for_load_state("networkidle")
    reply = page.locator("[data-mood-low-reply]")
    expect(reply).to_be_hidden()
    page.context.set_offline(True)  # the reply is in the page already: no signal needed
    _check_in_very_low(page, "everything is too much today")
    expect(page.get_by_text("Saved on this device.")).to_be_visible()
    expect(reply).to_be_visible()
    expect(reply).to_be_focused()
    expect(reply.get_by_role("heading", name=REPLY_HEADING)).to_be_visible()
    expect(reply.get_by_text("It sounds like things are really hard right now.")).to_be_visible()
    for name, href in ((LINKS["nhs111"], "tel:111"), (LINKS["shout"], "sms:85258?body=SHOUT"),
                       (LINKS["childline"], "tel:08001111")):
        expect(reply.get_by_role("link", name=name)).to_have_attribute("href", href)
    expect(reply.get_by_role("link", name="More ways to get help now")).to_have_attribute("href", "/help-now")
    expect(reply.get_by_role("link", name="Slow breathing")).to_be_visible()
    expect(reply.get_by_role("link", name="Ask for support")).to_have_attribute("href", "/request-support/")
    expect(reply.get_by_text(re.compile("someone you trust"))).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
    page.context.set_offline(False)
    # a better moment later gets no such reply
    page.locator('input[name="score"][value="4"]').check()
    page.locator(".mood-form button[type=submit]").click()
    expect(reply).to_be_hidden()


def test_the_lowest_check_in_gets_the_kind_reply_in_polish(small_page):
    page = small_page
    page.goto("/self-help/mood?lang=pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    _check_in_very_low(page, "wszystko jest za trudne")
    reply = page.locator("[data-mood-low-reply]")
    expect(reply).to_be_visible()
    expect(reply.locator("a[href='tel:111']")).to_be_visible()
    expect(reply.locator("a[href^='/help-now']")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
    # Depends on the translations: the reply is translated on the server, so once translations/pl has
    # its strings this is Polish. Until the translator has run, it is still English.
    heading = reply.locator("h2").inner_text()
    assert heading != REPLY_HEADING, "the kind reply is not translated into Polish yet (translations/pl)"


def test_a_signed_in_lowest_check_in_gets_the_kind_reply_after_saving(small_page, make_user):
    page = small_page
    user = make_user()
    sign_in_page(page, user.email)
    page.goto("/self-help/mood")
    _check_in_very_low(page, "rough day")
    expect(page.get_by_text("Your check-in is saved.")).to_be_visible()
    reply = page.locator("[data-mood-low-reply]")
    expect(reply.get_by_role("heading", name=REPLY_HEADING)).to_be_visible()
    expect(reply.get_by_role("link", name=LINKS["nhs111"])).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)


def test_a_danger_answer_lands_on_help_now_opening_with_a_kind_word(small_page):
    page = small_page
    page.goto("/self-help/what-would-help")
    page.get_by_label("I am in danger, or I might hurt myself or someone else soon").check()
    page.get_by_role("button", name="Show what might help").click()
    page.wait_for_url(re.compile(r"/help-now$"))
    first = page.locator("main h1 + p")
    expect(first).to_contain_text("You don't have to face this on your own.")
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
