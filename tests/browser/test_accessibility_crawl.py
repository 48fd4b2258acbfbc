"""Every page each role can reach, crawled in Chromium and checked by axe-core (WCAG 2.2 A/AA)
at 320 CSS px wide and at 200% zoom. New pages are covered as soon as they are linked."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.axe import axe_violations, describe
from tests.helpers.two_factor import sign_in_page

pytestmark = pytest.mark.database_independent

ROLES = ("anonymous", "young_person", "parent", "professional", "base_staff", "clinician", "admin")
SKIP = re.compile(r"^/(logout|static/|service-worker\.js|manifest\.webmanifest|api/)|\.(json|csv|ics|png|svg)$")
MAX_PAGES_PER_ROLE = 60


# The admin's pages, crawled first for that role so they are checked whatever the page budget.
ADMIN_START = ["/staff/admin/", "/staff/admin/staff", "/staff/admin/staff/new", "/staff/admin/services",
               "/staff/admin/services/new", "/staff/admin/bases", "/staff/admin/bases/new", "/staff/admin/health"]


def pattern(path: str) -> str:
    """Pages that differ only by an id or reference are one page for this purpose."""
    path = re.sub(r"^/staff/admin/services/(?!new$)[^/]+/edit$", "/staff/admin/services/N/edit", path)
    return re.sub(r"/[A-Z0-9]{2,}-[A-Z0-9-]+|/\d+", "/N", path)


def links_on(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if url.netloc != urlsplit(base).netloc or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query and "lang=" not in url.query else ""))
    return found


def sign_in(page, email: str) -> None:
    sign_in_page(page, email)


def check(page, label: str, problems: list[str]) -> None:
    violations = axe_violations(page)
    if violations:
        problems.append(f"{label} {page.url}\n{describe(violations)}")


def test_every_reachable_page_passes_axe_for_every_role(browser, live_server, make_user):
    from webapp.demo import seed

    seed()
    problems: list[str] = []
    checked: set[tuple[str, str]] = set()
    for role in ROLES:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640},
                                      locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, make_user(role=role).email)
        start = ["/", "/staff/"] if role in ("base_staff", "clinician", "admin") else ["/", "/settings/"]
        if role == "admin":  # another person's account page first: the one with every form on it
            from webapp.accounts.service import find_by_email

            start = [f"/staff/admin/staff/{find_by_email('base.staff@demo.flourish').id}", *ADMIN_START, *start]
        queue, seen = deque(start if role != "anonymous" else ["/"]), set()
        while queue and len(seen) < MAX_PAGES_PER_ROLE:
            path = queue.popleft()
            key = pattern(path.split("?")[0])
            if key in seen:
                continue
            seen.add(key)
            response = page.goto(path)
            if response is None or response.status >= 500:
                problems.append(f"{role} {path}: {response.status if response else 'no response'}")
                continue
            queue.extend(links_on(page, live_server.url))
            signature = (role if role != "anonymous" and key.startswith(("/staff", "/settings")) else "any", key)
            if signature in checked:
                continue
            checked.add(signature)
            check(page, f"[{role} 320px]", problems)
            page.evaluate("document.documentElement.style.zoom = '2'")
            check(page, f"[{role} 200%]", problems)
        context.close()
    assert len(checked) > 10, f"crawl reached too few pages: {sorted(checked)}"
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
