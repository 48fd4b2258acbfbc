"""Self-help in a real Chromium: tools with and without motion, offline, the mood check-in's
privacy, the signed-in history, and "what would help right now?"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import first_visit, sign_in
from tests.helpers.axe import assert_accessible
from webapp.selfhelp.content import TOPIC_SLUGS

TOOL_PAGES = ["/self-help/tools/breathing", "/self-help/tools/grounding", "/self-help/tools/distraction",
              "/self-help/tools/sleep", "/self-help/tools/worry-time", "/self-help/mood"]
PAGES = ["/self-help/", "/self-help/what-would-help", "/self-help/services", *TOOL_PAGES,
         *(f"/self-help/topics/{slug}" for slug in TOPIC_SLUGS)]


def test_every_self_help_page_passes_axe(page):
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_translated_pages_pass_axe(page):
    for path in ("/self-help/?lang=pl", "/self-help/topics/worry?lang=lt", "/self-help/mood?lang=pt"):
        page.goto(path)
        assert_accessible(page)


def test_breathing_pacer_follows_the_rhythm(page):
    page.goto("/self-help/tools/breathing")
    pacer = page.locator("[data-pacer]")
    expect(pacer).to_be_visible()
    expect(page.get_by_role("button", name="Use this rhythm")).to_be_hidden()
    page.get_by_label("Shorter: in for 3, out for 4").check()
    expect(page.locator('[data-rhythm-steps="3-4"]')).to_be_visible()
    expect(page.locator('[data-rhythm-steps="5-5"]')).to_be_hidden()
    page.get_by_role("button", name="Start").click()
    expect(pacer).to_have_class(re.compile(r"pacer--in pacer--d3"))
    expect(page.locator("[data-pacer-word]")).to_have_text("Breathe in")
    expect(page.locator("[data-pacer-word]")).to_have_text("Breathe out", timeout=5000)
    expect(pacer).to_have_class(re.compile(r"pacer--out pacer--d4"))
    assert_accessible(page)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("[data-pacer-word]")).to_have_text("Press start when you are ready")


def test_breathing_respects_reduced_motion(page):
    page.emulate_media(reduced_motion="reduce")
    page.goto("/self-help/tools/breathing")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("[data-pacer]")).to_have_class(re.compile("pacer--in"))
    circle = page.locator("[data-pacer-circle]")
    assert circle.evaluate("el => getComputedStyle(el).transform") == "none"
    expect(page.locator("[data-pacer-word]")).to_have_text("Breathe in")


def test_tools_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/self-help/tools/grounding")
    expect(page.get_by_role("heading", name="5 things you can see")).to_be_visible()
    expect(page.get_by_role("heading", name="1 thing you can taste")).to_be_visible()
    page.goto("/self-help/tools/distraction")
    first = page.locator("[data-idea-text]").inner_text()
    page.get_by_role("link", name="Try another").click()
    page.wait_for_url(re.compile(r"[?&]n=1\b"))
    expect(page.locator("[data-idea-text]")).not_to_have_text(first)
    page.goto("/self-help/tools/breathing")
    expect(page.locator("[data-pacer]")).to_be_hidden()
    page.get_by_label("Box: in for 4, hold for 4, out for 4, rest for 4").check()
    page.get_by_role("button", name="Use this rhythm").click()
    expect(page.get_by_text("Hold your breath gently while you count to 4.")).to_be_visible()
    page.goto("/self-help/mood")
    expect(page.get_by_text("this page needs JavaScript")).to_be_visible()
    expect(page.locator("[data-mood-device-form]")).to_be_hidden()
    context.close()


def test_grounding_goes_step_by_step(page):
    page.goto("/self-help/tools/grounding")
    expect(page.get_by_role("heading", name="5 things you can see")).to_be_visible()
    expect(page.get_by_role("heading", name="4 things you can touch")).to_be_hidden()
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="4 things you can touch")).to_be_visible()
    expect(page.get_by_role("heading", name="5 things you can see")).to_be_hidden()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", name="5 things you can see")).to_be_visible()
    assert_accessible(page)


def test_try_another_changes_the_idea_in_place(page):
    page.goto("/self-help/tools/distraction")
    text = page.locator("[data-idea-text]")
    first = text.inner_text()
    page.get_by_role("link", name="Try another").click()
    expect(text).not_to_have_text(first)
    assert page.url.endswith("/self-help/tools/distraction")


def _check_in(page, score_label: str, tags: list[str], words: str, button: str):
    page.locator("fieldset", has_text="How are you feeling").get_by_label(score_label, exact=True).check()
    for tag in tags:
        page.get_by_label(tag, exact=True).check()
    page.get_by_label("Anything you want to add? (optional)").fill(words)
    page.get_by_role("button", name=button).click()


def test_anonymous_check_in_stays_on_the_device(page):
    page.goto("/self-help/mood")
    page.wait_for_load_state("networkidle")
    sent = []
    page.on("request", lambda request: sent.append(request))
    page.context.on("request", lambda request: sent.append(request))
    _check_in(page, "Low", ["Tired", "Worried"], "a secret about my week", "Save on this device")
    expect(page.get_by_text("Saved on this device.")).to_be_visible()
    history = page.locator("[data-mood-device-history]")
    expect(history.get_by_text("a secret about my week")).to_be_visible()
    expect(history.get_by_text("Tired, Worried")).to_be_visible()
    page.wait_for_timeout(300)
    assert [r.method for r in sent if r.method != "GET"] == []
    assert not [r.url for r in sent if "secret" in r.url or "secret" in (r.post_data or "")]
    assert not [r.url for r in sent if "/self-help/mood" in r.url]
    page.reload()
    expect(history.get_by_text("a secret about my week")).to_be_visible()
    history.get_by_role("button", name=re.compile("^Delete")).first.click()
    expect(history).to_be_hidden()
    assert page.evaluate("localStorage.getItem('flourish.mood.v1')") is None


def test_anonymous_check_in_needs_a_score(page):
    page.goto("/self-help/mood")
    page.get_by_role("button", name="Save on this device").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Choose how you are feeling, from 1 to 5.")
    expect(page.locator("fieldset").filter(has=page.locator("#score-0"))).to_have_accessible_description(
        "Choose how you are feeling, from 1 to 5.")
    assert page.evaluate("localStorage.getItem('flourish.mood.v1')") is None
    assert_accessible(page)
    link.click()
    expect(page.locator("#score-0")).to_be_focused()


def test_signed_in_check_in_persists_and_can_be_deleted(page, make_user):
    user = make_user()
    sign_in(page, user.email)
    page.goto("/self-help/mood")
    _check_in(page, "Good", ["Calm"], "walked the dog", "Save my check-in")
    expect(page.get_by_text("Your check-in is saved.")).to_be_visible()
    row = page.locator("tbody tr", has_text="walked the dog")
    expect(row).to_contain_text("4 – Good")
    expect(page.locator("svg circle")).to_have_count(1)
    assert_accessible(page)
    page.reload()
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.get_by_text("That check-in is deleted.")).to_be_visible()
    expect(page.get_by_text("walked the dog")).to_have_count(0)


def test_device_check_ins_move_to_the_account(page, make_user):
    page.goto("/self-help/mood")
    _check_in(page, "Very good", [], "before I signed in", "Save on this device")
    expect(page.get_by_text("Saved on this device.")).to_be_visible()
    user = make_user()
    sign_in(page, user.email)
    page.goto("/self-help/mood")
    expect(page.get_by_text("There are 1 check-ins kept on this device only.")).to_be_visible()
    page.get_by_role("button", name="Move them to my account").click()
    expect(page.get_by_text("Your check-ins from this device are now in your account.")).to_be_visible()
    expect(page.locator("tbody tr", has_text="before I signed in")).to_contain_text("5 – Very good")
    assert page.evaluate("localStorage.getItem('flourish.mood.v1')") is None


def test_danger_answer_goes_to_help_now(page):
    page.goto("/self-help/what-would-help")
    page.get_by_label("I am in danger, or I might hurt myself or someone else soon").check()
    page.get_by_role("button", name="Show what might help").click()
    page.wait_for_url(re.compile(r"/help-now$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")


def test_what_would_help_suggests_and_explains_missing_answers(page):
    page.goto("/self-help/what-would-help")
    page.get_by_label("Not sleeping well").check()
    page.get_by_role("button", name="Show what might help").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("Not sleeping well")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("It has been hard for a while").check()
    page.get_by_label("18 to 25").check()
    page.get_by_label("Waveney (Lowestoft, Beccles, Bungay and around)").check()
    page.get_by_role("button", name="Show what might help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What might help")
    expect(page.get_by_role("link", name="Wind down for sleep")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for support")).to_be_visible()
    assert_accessible(page)
    # Sent by POST: no answer is in the address, so none is in the browser's history.
    assert page.url.endswith("/self-help/what-would-help")
    history = page.evaluate("performance.getEntriesByType('navigation').map((e) => e.name)")
    assert not any("sleep" in url or "situation" in url for url in history)


KEPT_LANGUAGES = """async () => {
    const names = [];
    for (const key of await caches.keys()) {
        for (const request of await (await caches.open(key)).keys()) {
            const url = new URL(request.url);
            const lang = url.searchParams.get("lang");
            if (url.pathname === "/offline-pack.json" && lang) names.push(lang);
        }
    }
    return names.sort();
}"""


@pytest.mark.slow
def test_tools_open_offline_once_the_service_worker_is_in_control(persistent_context):
    page, packs = first_visit(persistent_context)
    assert len(packs) == 1, packs  # one pack, in the visitor's own language: a first visit stays light
    assert page.evaluate(KEPT_LANGUAGES) == ["en"]
    persistent_context.set_offline(True)
    try:
        for path in TOOL_PAGES:
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            assert page.locator("html").get_attribute("lang") == "en", path
        page.goto("/self-help/topics/self-harm?lang=pt")  # not kept: the same page in the language kept
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Urges to self-harm")
        page.goto("/help-now")
        expect(page.get_by_role("link", name=re.compile("Call 999"))).to_be_visible()
        page.goto("/self-help/tools/breathing")
        page.get_by_role("button", name="Start").click()
        expect(page.locator("[data-pacer-word]")).to_have_text("Breathe in")
        page.goto("/self-help/tools/grounding")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name="4 things you can touch")).to_be_visible()
        page.goto("/self-help/mood")
        _check_in(page, "Okay", [], "offline note", "Save on this device")
        expect(page.get_by_text("Saved on this device.")).to_be_visible()
    finally:
        persistent_context.set_offline(False)


@pytest.mark.slow
def test_every_language_can_be_kept_for_offline_at_a_tap(persistent_context):
    page, _ = first_visit(persistent_context)
    card = page.locator("[data-offline-languages]")
    expect(card.get_by_role("status")).to_have_text("Kept on this phone, to open with no signal: English.")
    card.get_by_role("button", name="Keep self-help in every language").click()
    expect(card.get_by_role("status")).to_have_text(
        "Kept on this phone, to open with no signal: English, Polski, Português, Lietuvių.")
    expect(card.get_by_role("button")).to_be_hidden()
    assert_accessible(page)
    persistent_context.set_offline(True)
    try:
        for path in TOOL_PAGES:
            for lang in ("pl", "pt", "lt"):
                page.goto(f"{path}?lang={lang}")
                expect(page.locator("h1")).to_be_visible()
                assert page.locator("html").get_attribute("lang") == lang, (path, lang)
        page.goto("/self-help/topics/self-harm?lang=pt")
        expect(page.locator("html")).to_have_attribute("lang", "pt")
    finally:
        persistent_context.set_offline(False)


def test_a_first_visit_to_a_page_in_another_language_keeps_that_language(persistent_context):
    page, packs = first_visit(persistent_context, "/self-help/topics/worry?lang=lt")
    assert page.evaluate(KEPT_LANGUAGES) == ["lt"]
    assert len(packs) == 1, packs


@pytest.mark.slow
def test_the_language_chosen_is_kept_for_offline(persistent_context):
    page, _ = first_visit(persistent_context)
    page.locator(".language-switcher").get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    page.wait_for_function(f"({KEPT_LANGUAGES})().then((kept) => kept.includes('pl'))")
    persistent_context.set_offline(True)
    try:
        page.goto("/self-help/tools/grounding")  # the address as linked, no ?lang=: the language last read
        expect(page.locator("html")).to_have_attribute("lang", "pl")
        page.goto("/a-page-never-visited")
        expect(page.locator("html")).to_have_attribute("lang", "pl")  # the offline page, in Polish too
    finally:
        persistent_context.set_offline(False)


@pytest.mark.slow
def test_a_page_opened_offline_can_switch_language_once_the_signal_is_back(persistent_context):
    page, _ = first_visit(persistent_context)
    persistent_context.set_offline(True)
    page.goto("/self-help/tools/grounding")  # the kept copy: its form token belongs to no one's session
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    persistent_context.set_offline(False)
    page.locator(".language-switcher").get_by_role("button", name="Lietuvių").click()
    expect(page.locator("html")).to_have_attribute("lang", "lt")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("This page was open for too long")
    assert "/self-help/tools/grounding" in page.url
