"""The whole-app crawl through Flask's test client: every page a role can reach, as the server sends it.

Shared by the tests that read each page's HTML or headers without a browser: the language crawl
(tests/core/test_language_crawl.py), the language of parts (tests/test_language_of_parts.py), URL
privacy (tests/test_url_privacy.py) and the passive scan (tests/test_passive_scan.py). It crawls as
the browser crawl does (tests/helpers/crawl.py): the role's start pages, the same-site links on
each page breadth first, pages that differ only by an id are one page (`pattern`). What a test
needs beyond that is a parameter: more start pages, a bigger page budget, a narrower skip rule, its
own idea of one page, how a page is fetched (in English, say) and which answers' links to follow.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from werkzeug.test import TestResponse

from tests.helpers.crawl import MAX_PAGES_PER_ROLE, SKIP, links_in, pattern, start_pages

BASE = "http://localhost"


def page_key(url: str) -> str:
    """One page for the crawl: the path with its ids folded (`pattern`), whatever the query."""
    return pattern(url.split("?")[0])


def is_page(response: TestResponse) -> bool:
    """An answer whose links are followed unless a test says otherwise: an HTML page, 200."""
    return response.status_code == 200 and response.mimetype == "text/html"


def client_crawl(client, role: str, *, also: Iterable[str] = (), max_pages: int = MAX_PAGES_PER_ROLE,
                 skip: re.Pattern = SKIP, key: Callable[[str], str] = page_key,
                 fetch: Callable[[str], TestResponse] | None = None,
                 follow: Callable[[TestResponse], bool] = is_page,
                 base: str = BASE) -> Iterator[tuple[str, TestResponse]]:
    """Every page `role` reaches through `client` (signed in as that role already): breadth first
    from `start_pages(role)` then `also`, yielding (url, response) once per `key`, every answer
    (the caller picks what it checks), until `max_pages` pages. A path matching `skip` is never
    fetched; links are read from the answers `follow` accepts. `fetch(url)` asks for a page
    (`client.get` unless given). The caller may use `client` between pages: the next page is
    fetched only when it asks for it."""
    get = fetch or client.get
    queue = deque(url for url in [*start_pages(role), *also] if not skip.search(urlsplit(url).path))
    seen: set[str] = set()
    while queue and len(seen) < max_pages:
        url = queue.popleft()
        page = key(url)
        if page in seen:
            continue
        seen.add(page)
        response = get(url)
        if follow(response):
            queue.extend(links_in(response.get_data(as_text=True), f"{base}{url}", base, skip))
        yield url, response
