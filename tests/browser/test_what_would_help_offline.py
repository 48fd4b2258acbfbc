""""What would help right now?" with no signal (issue 15, item 6): the decision runs on the device and
gives the same answers as the server, for every combination of answers, and the kept page shows them
offline in Chromium."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import first_visit
from tests.helpers.axe import assert_accessible
from webapp.selfhelp import service

COMPARE = """async (cases) => {
    const src = document.querySelector('script[src*="what-would-help"]').src;
    const module = await import(src);
    const data = JSON.parse(document.querySelector("[data-wwh]").dataset.wwhDecision);
    return cases.map((answers) => module.decide(data, answers));
}"""


def test_the_device_decides_exactly_as_the_server_for_every_answer(app, page):
    cases, expected = [], []
    with app.test_request_context("/self-help/what-would-help"):
        for situation, urgency, age, area in itertools.product(
                [key for key, _l in service.SITUATIONS], [key for key, _l in service.URGENCIES],
                [key for key, *_rest in service.AGE_BANDS], [key for key, _l in service.AREAS]):
            answers = service.Answers(situation, urgency, age, area)
            if answers.in_danger:
                continue  # straight to help now, online and offline
            cases.append({"situation": situation, "urgency": urgency, "age": age, "area": area})
            expected.append(service.decision_summary(service.suggest(answers, "en")))
    page.goto("/self-help/what-would-help")
    got = page.evaluate(COMPARE, cases)
    mismatches = [(case, want, have) for case, want, have in zip(cases, expected, got, strict=True) if want != have]
    assert not mismatches, mismatches[:3]
    assert len(cases) > 1000


@pytest.mark.slow
def test_what_would_help_answers_offline_as_online(persistent_context):
    page, _packs = first_visit(persistent_context, "/self-help/what-would-help")
    persistent_context.set_offline(True)
    try:
        page.goto("/self-help/what-would-help")
        expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
        page.get_by_role("button", name="Show what might help").click()
        expect(page.get_by_text("Answer all four questions to see what might help.")).to_be_focused()
        page.get_by_label("Not sleeping well").check()
        page.get_by_label("It has been hard for a while").check()
        page.get_by_label("18 to 25").check()
        page.get_by_label("Waveney (Lowestoft, Beccles, Bungay and around)").check()
        page.get_by_role("button", name="Show what might help").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("What might help")
        expect(page.get_by_role("link", name="Wind down for sleep")).to_be_visible()
        expect(page.get_by_role("link", name="Ask for support")).to_be_visible()
        expect(page.get_by_text("You are offline")).to_have_count(0)
        assert_accessible(page)
        page.get_by_role("link", name="Answer the questions again").click()
        page.get_by_label("I am in danger, or I might hurt myself or someone else soon").check()
        page.get_by_role("button", name="Show what might help").click()
        page.wait_for_url(re.compile(r"/help-now"))
        expect(page.get_by_role("link", name=re.compile("Call 999"))).to_be_visible()
    finally:
        persistent_context.set_offline(False)
