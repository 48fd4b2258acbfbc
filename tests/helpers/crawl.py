"""The whole-app browser crawl: every page each role can reach, in Chromium, in one language.

Shared by the axe-core crawls (tests/browser/test_accessibility_crawl.py) and the reflow and focus
checks (tests/browser/test_reflow.py): the demo data seeded, each role signed in from its start
pages, links followed breadth first, and each page yielded once (pages that differ only by an id
are one page; a public page reached by several roles is one page too, a role's own `/staff` and
`/settings` pages are one per role). New pages are covered as soon as they are linked.

The same crawl through Flask's test client, for the tests that read pages as the server sends them,
is tests/helpers/client_crawl.py (it uses `pattern`, `start_pages` and `links_in` from here).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from tests.helpers.two_factor import sign_in_page
from webapp.i18n import LOCALE_COOKIE

if TYPE_CHECKING:  # the test-client crawl imports this module without a browser
    from playwright.sync_api import Page

ROLES = ("anonymous", "young_person", "parent", "professional", "base_staff", "clinician", "admin")
STAFF_ROLES = ("base_staff", "clinician", "admin")
SKIP = re.compile(r"^/(logout|static/|service-worker\.js|manifest\.webmanifest|api/)|\.(json|csv|ics|png|svg)$")
MAX_PAGES_PER_ROLE = 60

# The admin's pages, crawled first for that role so they are checked whatever the page budget.
ADMIN_START = ["/staff/admin/", "/staff/admin/staff", "/staff/admin/staff/new", "/staff/admin/services",
               "/staff/admin/services/new", "/staff/admin/bases", "/staff/admin/bases/new", "/staff/admin/health"]


def pattern(path: str) -> str:
    """Pages that differ only by an id or reference are one page for this purpose."""
    path = re.sub(r"^/staff/admin/services/(?!new$)[^/]+/edit$", "/staff/admin/services/N/edit", path)
    return fold_ids(path)


def fold_ids(path: str) -> str:
    """A path's ids and references (`/12`, `/FL-ABCD-1234`) as `/N`."""
    return re.sub(r"/[A-Z0-9]{2,}-[A-Z0-9-]+|/\d+", "/N", path)


def links_on(page, base: str) -> list[str]:
    """The same-site links on the page to follow (a `?lang=` query dropped: the crawl's language holds)."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return _to_follow(hrefs, page.url, base)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href is not None:
            self.hrefs.append(href)


def links_in(html: str, url: str, base: str, skip: re.Pattern = SKIP) -> list[str]:
    """`links_on` for a page's HTML as the server sent it (pages work without JavaScript); paths
    matching `skip` are left out."""
    parser = _Hrefs()
    parser.feed(html)
    return _to_follow(parser.hrefs, url, base, skip)


def _to_follow(hrefs: Iterable[str], page_url: str, base: str, skip: re.Pattern = SKIP) -> list[str]:
    found = []
    for href in hrefs:
        url = urlsplit(urljoin(page_url, href))
        if url.netloc != urlsplit(base).netloc or skip.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query and "lang=" not in url.query else ""))
    return found


def start_pages(role: str) -> list[str]:
    """Where a role's crawl begins. The admin's pages come first, so they are checked whatever the
    page budget, after another person's account page (the one with every form on it)."""
    if role == "anonymous":
        return ["/"]
    start = ["/", "/staff/"] if role in STAFF_ROLES else ["/", "/settings/"]
    if role == "admin":
        from webapp.accounts.service import find_by_email

        start = [f"/staff/admin/staff/{find_by_email('base.staff@demo.flourish').id}", *ADMIN_START, *start]
    return start


def sign_in(context, page, email: str, base_url: str) -> None:
    """Sign in through /login in English (the sign-in helper reads English labels), then forget
    that choice so the pages after it are in the context's own language (its Accept-Language)."""
    context.add_cookies([{"name": LOCALE_COOKIE, "value": "en", "url": base_url}])
    sign_in_page(page, email)
    context.clear_cookies(name=LOCALE_COOKIE)


def crawl(browser, live_server, make_user, viewport: dict, roles=ROLES, locale: str = "en-GB",
          problems: list[str] | None = None, **context_options) -> Iterator[tuple[str, Page]]:
    """Every page each role reaches, yielding (role, page) once per page, the page loaded in a
    context of `viewport` and `locale` (sent as Accept-Language). A page answering 5xx (or nothing)
    is not yielded; it is added to `problems` when given, with the role, language and URL."""
    from webapp.demo import seed

    seed()
    checked: set[tuple[str, str]] = set()
    for role in roles:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale,
                                      timezone_id="Europe/London", **context_options)
        page = context.new_page()
        if role != "anonymous":
            sign_in(context, page, make_user(role=role).email, live_server.url)
        queue, seen = deque(start_pages(role)), set()
        while queue and len(seen) < MAX_PAGES_PER_ROLE:
            path = queue.popleft()
            key = pattern(path.split("?")[0])
            if key in seen:
                continue
            seen.add(key)
            signature = (role if role != "anonymous" and key.startswith(("/staff", "/settings")) else "any", key)
            if signature in checked:
                # Checked already (another role's visit): only its links are wanted, read from the
                # HTML in this role's session and language, without the cost of a browser render.
                fetched = context.request.get(path, headers={"Accept-Language": locale})
                status = fetched.status
                if status < 500 and "html" in fetched.headers.get("content-type", ""):
                    queue.extend(links_in(fetched.text(), fetched.url, live_server.url))
            else:
                response = page.goto(path)
                status = response.status if response else None
                if status is not None and status < 500:
                    queue.extend(links_on(page, live_server.url))
                    checked.add(signature)
                    yield role, page
            if (status is None or status >= 500) and problems is not None:
                problems.append(f"[{role} {locale}] {live_server.url}{path}: {status or 'no response'}")
        context.close()
