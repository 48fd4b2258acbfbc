"""Every page each role can reach, crawled in Chromium (tests/helpers/crawl.py) and checked by
axe-core (WCAG 2.2 A/AA): in English at 320 CSS px and at 200% zoom, and in Polish, Portuguese and
Lithuanian at 320 CSS px, where the same visit also checks the page is in that language and that it
neither scrolls sideways nor hides anything under Quick exit at 320 and 180 CSS px (words run longer
than in English). New pages are covered as soon as they are linked."""

from __future__ import annotations

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.axe import axe_violations, describe
from tests.helpers.crawl import crawl
from tests.helpers.reflow import sideways_problems

pytestmark = pytest.mark.database_independent

PHONE = {"width": 320, "height": 640}
ZOOMED = {"width": 180, "height": 640}  # 200% zoom of a 360 px phone, as in test_reflow.py
# The shipped languages besides English (config LANGUAGES), each crawled on its own so xdist can
# spread them across workers.
OTHER_LANGUAGES = ("pl", "pt", "lt")


def check(page, label: str, problems: list[str]) -> None:
    violations = axe_violations(page)
    if violations:
        problems.append(f"{label} {page.url}\n{describe(violations)}")


def test_every_reachable_page_passes_axe_for_every_role(browser, live_server, make_user):
    problems: list[str] = []
    pages = 0
    for role, page in crawl(browser, live_server, make_user, PHONE, problems=problems):
        pages += 1
        check(page, f"[{role} 320px]", problems)
        page.evaluate("document.documentElement.style.zoom = '2'")
        check(page, f"[{role} 200%]", problems)
    assert pages > 10, f"crawl reached too few pages: {pages}"
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_reachable_page_passes_axe_in_each_language(browser, live_server, make_user, language):
    """One visit per page: the page is in `language` (the browser's Accept-Language), axe finds
    nothing at 320 px (200% zoom is axe-checked in English), and at 320 and 180 px it neither scrolls
    sideways nor hides anything under Quick exit. Each problem names the role, language and page."""
    problems: list[str] = []
    pages = 0
    for role, page in crawl(browser, live_server, make_user, PHONE, locale=language, problems=problems):
        pages += 1
        label = f"[{role} {language} 320px]"
        shown = page.evaluate("document.documentElement.lang")
        if shown != language:
            problems.append(f"{label} {page.url}: <html lang={shown!r}>, not {language!r}")
        check(page, label, problems)
        problems += sideways_problems(page, label)
        page.set_viewport_size(ZOOMED)
        problems += sideways_problems(page, f"[{role} {language} 180px]")
        page.set_viewport_size(PHONE)
    assert pages > 10, f"crawl reached too few pages in {language}: {pages}"
    assert not problems, "\n\n".join(problems)


def test_sign_in_form_works_by_keyboard_alone(page, make_user):
    user = make_user()
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.get_by_role("link", name="Settings").is_visible()
