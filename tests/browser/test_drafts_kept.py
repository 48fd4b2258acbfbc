"""Nothing typed on the request form is lost by leaving in a hurry (#21 item 1): the page keeps it in
the server-side draft as it is typed and as the page goes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import neutral_site, on_your_story

STORY = re.compile("What is happening, in your own words")


def test_a_story_typed_then_quick_exit_is_there_on_coming_back(context):
    neutral_site(context)
    page = context.new_page()
    on_your_story(page)
    with page.expect_response(lambda r: r.url.endswith("/your-story/autosave") and r.status == 204):
        page.get_by_label(STORY).press_sequentially("Panicky before school most days.")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    page.goto("/request-support/your-story")
    expect(page.get_by_label(STORY)).to_have_value("Panicky before school most days.")


def test_leaving_at_once_after_typing_still_keeps_it(context):
    """No pause for the typing to settle: leaving the field, or the page going, sends it."""
    neutral_site(context)
    page = context.new_page()
    on_your_story(page)
    page.get_by_label(STORY).fill("Cannot sleep")
    with page.expect_request(lambda r: r.url.endswith("/your-story/autosave")):
        page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    assert _story_on_coming_back(page) == "Cannot sleep"


def _story_on_coming_back(page, tries: int = 20) -> str:
    """The save sent as the page went travels on its own (keepalive) and may reach the server just
    after an immediate return, so come back until it shows, for a few seconds at most."""
    story = ""
    for _ in range(tries):
        page.goto("/request-support/your-story")
        story = page.get_by_label(STORY).input_value()
        if story:
            return story
        page.wait_for_timeout(250)
    return story
