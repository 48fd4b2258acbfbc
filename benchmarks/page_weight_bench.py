"""Page weight of every public page: first visit and repeat visit (after the service worker), in Chromium.

Flourish runs under gunicorn (gunicorn.conf.py) on a temp SQLite database with the demo data. The public
pages are found by crawling links from `/` as an anonymous visitor. For each page, in a fresh browser
context at phone size:

- first visit: everything transferred while the page loads and the service worker installs (its
  precache included), until the network has been quiet for a second;
- repeat visit: the same page again once the service worker controls it.

Bytes are what crossed the wire (headers and body, compressed if the server compressed): the page's own
requests from CDP `Network.loadingFinished.encodedDataLength`, the service worker's fetches from the
worker's network events (Playwright's `Request.sizes()`, also CDP). Anything the server's access log shows
that neither saw (the service worker script itself) is added at its logged size. "gzip" is the same
visit with each body gzipped (level 6), so what compression would save is visible even while the server
sends bodies as they are. Budget: first visit ≤ 100 KB, repeat visit ≤ 10 KB.

    python -m benchmarks page_weight
"""

from __future__ import annotations

import gzip
import re
import time
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from benchmarks.results import write_section
from benchmarks.serving import demo_site, gunicorn

FIRST_VISIT_BUDGET = 100 * 1024
REPEAT_VISIT_BUDGET = 10 * 1024
MAX_PAGES = 50
QUIET_SECONDS = 1.0
VISIT_TIMEOUT = 30.0
SKIP = re.compile(r"^/(logout|static/|service-worker\.js|manifest\.webmanifest|api/|healthz)"
                  r"|\.(json|csv|ics|png|svg)$")
ACCESS_LOG_LINE = re.compile(r'"(?:GET|HEAD) (?P<path>\S+)" (?P<status>\d{3}) (?P<bytes>\d+|-)')


@dataclass
class Transfer:
    url: str
    bytes: int            # on the wire: headers + (possibly compressed) body
    headers: int          # response headers alone
    by_worker: bool
    status: int = 200


@dataclass
class Visit:
    transfers: list[Transfer] = field(default_factory=list)
    compressed: bool = False  # did any response arrive with Content-Encoding?

    @property
    def total(self) -> int:
        return sum(t.bytes for t in self.transfers)

    def page_only(self) -> int:
        return sum(t.bytes for t in self.transfers if not t.by_worker)


@dataclass
class PageWeight:
    path: str
    first: Visit
    repeat: Visit
    first_gzip: int = 0
    first_page_gzip: int = 0
    repeat_gzip: int = 0


def crawl(context, base_url: str) -> list[str]:
    """Every page an anonymous visitor can reach by following links from `/` (without ?lang= twins)."""
    page = context.new_page()
    queue, seen, found, seen_paths = deque(["/"]), set(), [], {"/"}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base_url + path)
        if response is None or response.status != 200 or urlsplit(page.url).path != urlsplit(path).path:
            continue  # redirected (e.g. to sign in): not a public page
        found.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlsplit(urljoin(page.url, href))
            if url.netloc != urlsplit(base_url).netloc or SKIP.search(url.path) or "lang=" in url.query:
                continue
            if url.path not in seen_paths:  # /login?next=... is /login again
                seen_paths.add(url.path)
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    page.close()
    return found


class Recorder:
    """Collects the transfers of one page and of its service worker, from CDP and Playwright events."""

    def __init__(self, context, page) -> None:
        self.transfers: list[Transfer] = []
        self.compressed = False
        self._responses: dict[str, dict] = {}
        self.last_activity = time.monotonic()
        self._cdp = context.new_cdp_session(page)
        self._cdp.on("Network.responseReceived", self._on_response)
        self._cdp.on("Network.loadingFinished", self._on_finished)
        self._cdp.on("Network.requestWillBeSent", lambda _event: self._touch())
        self._cdp.send("Network.enable")
        self._cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        context.on("request", self._on_worker_request)
        context.on("requestfinished", self._on_worker_finished)

    def _touch(self) -> None:
        self.last_activity = time.monotonic()

    def _on_response(self, event: dict) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        self._responses[event["requestId"]] = {
            "url": response["url"], "status": response["status"],
            "from_worker": response.get("fromServiceWorker", False),
            "headers": sum(len(k) + len(str(v)) + 4 for k, v in headers.items()) + 17,
            "encoded": "content-encoding" in headers,
        }

    def _on_finished(self, event: dict) -> None:
        self._touch()
        response = self._responses.pop(event["requestId"], None)
        if response is None or response["from_worker"] or response["url"].startswith("data:"):
            return  # served by the service worker: counted where it fetched, if it did
        self.compressed |= response["encoded"]
        self.transfers.append(Transfer(response["url"], int(event["encodedDataLength"]), response["headers"],
                                       by_worker=False, status=response["status"]))

    def _on_worker_request(self, request) -> None:
        if request.service_worker is not None:
            self._touch()

    def _on_worker_finished(self, request) -> None:
        if request.service_worker is None:
            return
        self._touch()
        sizes = request.sizes()
        response = request.response()
        status = response.status if response else 0
        if response and response.headers.get("content-encoding"):
            self.compressed = True
        self.transfers.append(Transfer(request.url, max(0, sizes["responseBodySize"]) + sizes["responseHeadersSize"],
                                       sizes["responseHeadersSize"], by_worker=True, status=status))

    def take(self) -> Visit:
        visit = Visit(self.transfers, self.compressed)
        self.transfers, self.compressed = [], False
        return visit


def _wait_for_quiet(recorder: Recorder, page, want_controller: bool) -> None:
    deadline = time.monotonic() + VISIT_TIMEOUT
    while time.monotonic() < deadline:
        page.wait_for_timeout(200)
        if want_controller and not page.evaluate("() => !!(navigator.serviceWorker && "
                                                 "navigator.serviceWorker.controller)"):
            continue
        if time.monotonic() - recorder.last_activity >= QUIET_SECONDS:
            return


def _access_log_extras(log_text: str, visit: Visit) -> list[Transfer]:
    """Responses in the server's log that the browser's events did not show (the service worker script)."""
    seen = Counter(urlsplit(t.url).path for t in visit.transfers)
    extras = []
    for match in ACCESS_LOG_LINE.finditer(log_text):
        path = match["path"]
        if seen[path]:
            seen[path] -= 1
            continue
        body = 0 if match["bytes"] == "-" else int(match["bytes"])
        extras.append(Transfer(path, body, 0, by_worker=False, status=int(match["status"])))
    return extras


def measure(browser, base_url: str, log, path: str) -> PageWeight:
    from tests.browser.conftest import PHONE

    context = browser.new_context(base_url=base_url, **PHONE)
    context.set_default_timeout(int(VISIT_TIMEOUT * 1000))
    try:
        page = context.new_page()
        recorder = Recorder(context, page)
        visits = []
        for want_controller in (True, False):
            log_at = log.stat().st_size
            page.goto(path)
            _wait_for_quiet(recorder, page, want_controller)
            visit = recorder.take()
            visit.transfers += _access_log_extras(log.read_text(errors="replace")[log_at:], visit)
            visits.append(visit)
        return PageWeight(path, *visits)
    finally:
        context.close()


class GzipSizes:
    """What each body would weigh gzipped (level 6), fetched once per URL."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._sizes: dict[str, tuple[int, int]] = {}

    def body_sizes(self, url: str) -> tuple[int, int]:
        url = urljoin(self.base_url, url)
        if url not in self._sizes:
            request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
            self._sizes[url] = (len(body), len(gzip.compress(body, 6)))
        return self._sizes[url]

    def visit(self, visit: Visit, page_only: bool = False) -> int:
        total = 0
        for transfer in visit.transfers:
            if page_only and transfer.by_worker:
                continue
            body_on_wire = transfer.bytes - transfer.headers
            if transfer.status != 200 or body_on_wire <= 0:
                total += transfer.bytes
                continue
            plain, gzipped = self.body_sizes(transfer.url)
            total += transfer.headers + min(body_on_wire, gzipped if body_on_wire >= plain else body_on_wire)
        return total


def run() -> tuple[list[PageWeight], list[str]]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    notes: list[str] = []
    with demo_site() as site, gunicorn("webapp:create_app()", env=site.env, log_dir=site.directory) as server:
        if site.note:
            notes.append(site.note)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                crawl_context = browser.new_context(base_url=server.url, service_workers="block")
                paths = crawl(crawl_context, server.url)
                crawl_context.close()
                sizes = GzipSizes(server.url)
                weights = []
                for path in paths:
                    weight = measure(browser, server.url, server.log, path)
                    weight.first_gzip, weight.repeat_gzip = sizes.visit(weight.first), sizes.visit(weight.repeat)
                    weight.first_page_gzip = sizes.visit(weight.first, page_only=True)
                    weights.append(weight)
                    print(f"{path}: first {weight.first.total / 1024:.1f} KB, repeat "
                          f"{weight.repeat.total / 1024:.1f} KB", flush=True)
            finally:
                browser.close()
    return weights, notes


def _kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def _verdict(n: int, budget: int) -> str:
    return "yes" if n <= budget else "**no**"


def report(weights: list[PageWeight], notes: list[str]) -> str:
    compressed = any(w.first.compressed or w.repeat.compressed for w in weights)
    lines = [
        "## Page weight",
        "",
        "Every public page (crawled from `/` as an anonymous visitor), in Chromium at phone size, through "
        "gunicorn on 127.0.0.1. KB = 1,024 bytes on the wire, headers included. **First visit**: a fresh "
        "profile, the page plus everything the service worker fetches as it installs (its offline precache), "
        "until the network is quiet; *page alone* leaves the precache out. **Repeat visit**: the same page "
        "again with the service worker in control. Budget: first visit ≤ 100 KB, repeat visit ≤ 10 KB.",
        "",
        ("The server compressed responses (`Content-Encoding` seen), so the figures are compressed sizes; "
         "the gzip columns show level-6 gzip of whatever was sent uncompressed."
         if compressed else
         "**gunicorn served every response uncompressed** (no `Content-Encoding`): the first columns are what "
         "the app actually sends; the gzip columns are the same visits with each body gzipped (level 6)."),
        "",
        "| page | first visit KB | gzip KB | ≤ 100 KB | page alone KB | gzip KB | ≤ 100 KB | repeat KB | gzip KB "
        "| ≤ 10 KB | requests (first / repeat) |",
        "| --- | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | --- | ---: |",
    ]
    for w in weights:
        lines.append(
            f"| `{w.path}` | {_kb(w.first.total)} | {_kb(w.first_gzip)} | "
            f"{_verdict(w.first.total, FIRST_VISIT_BUDGET)} | {_kb(w.first.page_only())} | {_kb(w.first_page_gzip)} | "
            f"{_verdict(w.first.page_only(), FIRST_VISIT_BUDGET)} | {_kb(w.repeat.total)} | {_kb(w.repeat_gzip)} | "
            f"{_verdict(w.repeat.total, REPEAT_VISIT_BUDGET)} | {len(w.first.transfers)} / "
            f"{len(w.repeat.transfers)} |")
    over_first = [w for w in weights if w.first.total > FIRST_VISIT_BUDGET]
    over_repeat = [w for w in weights if w.repeat.total > REPEAT_VISIT_BUDGET]
    over_page = [w for w in weights if w.first.page_only() > FIRST_VISIT_BUDGET]
    lines += ["", f"Within budget: first visit {len(weights) - len(over_first)} of {len(weights)} pages "
                  f"({len(weights) - len(over_page)} of {len(weights)} counting the page alone), "
                  f"repeat visit {len(weights) - len(over_repeat)} of {len(weights)}."]
    if weights:
        lines += ["", *_heaviest(weights)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _heaviest(weights: list[PageWeight]) -> list[str]:
    """Where the bytes go on the first visit of the first page, and on the heaviest repeat visit."""
    first = weights[0]
    worker = sum(t.bytes for t in first.first.transfers if t.by_worker)
    count = sum(1 for t in first.first.transfers if t.by_worker)
    heaviest = max(weights, key=lambda w: w.repeat.total)
    parts = ", ".join(f"`{urlsplit(t.url).path}` {_kb(t.bytes)} KB"
                      for t in sorted(heaviest.repeat.transfers, key=lambda t: -t.bytes)[:4])
    packs = [t for t in first.first.transfers if t.by_worker and urlsplit(t.url).path == "/offline-pack.json"]
    return [f"On the first visit of `{first.path}` the service worker's install fetched {count} URLs, "
            f"{_kb(worker)} KB of the {_kb(first.first.total)} KB; of that, {len(packs)} offline pack"
            f"{'s' if len(packs) != 1 else ''} of pages ({_kb(sum(t.bytes for t in packs))} KB: every kept page in the "
            "visitor's language; other languages are fetched only when chosen). "
            f"The heaviest repeat visit, `{heaviest.path}` ({_kb(heaviest.repeat.total)} KB): {parts}."]


def main() -> None:
    weights, notes = run()
    markdown = report(weights, notes)
    print(markdown)
    print("written to", write_section("page-weight", markdown))


if __name__ == "__main__":
    main()
