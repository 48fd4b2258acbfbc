"""Server throughput and latency under concurrent load, as a ratio to a minimal Flask "hello" app.

Both apps run under gunicorn with gunicorn.conf.py (as `make run` starts Flourish) on 127.0.0.1, in the
same run; Flourish on a temp SQLite database seeded with the demo data. Each URL gets a short warm-up,
then CONNECTIONS keep-alive connections for at most SECONDS seconds or MAX_REQUESTS requests. The load
comes from `wrk` when installed (`apt-get install wrk`), else from Python threads (http.client), which
cost more CPU on the same two cores and so understate both apps alike. Run alone:

    python -m benchmarks server
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import write_section
from benchmarks.serving import DEMO_EMAIL, booking_page, demo_site, gunicorn

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))  # gunicorn.conf.py: 2 workers x 4 threads
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
MAX_REQUESTS = 20_000
WARM_UP_REQUESTS = 40
SIGNED_IN_PATH = "/settings/"
ACCEPT_ENCODING = "gzip, deflate, br"  # what a browser sends: pages are measured as they travel

WRK_SCRIPT = """
local done_count, limit = 0, %(limit)d
function response(status, headers, body)
  done_count = done_count + 1
  if done_count >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, '
    .. '"errors": %%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


@dataclass
class Load:
    label: str
    path: str
    requests: int
    seconds: float
    median_ms: float
    p95_ms: float
    errors: int
    bytes: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _request(base_url: str, path: str, cookie: str = "") -> tuple[int, bytes, dict[str, str]]:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers=_headers(cookie))
        response = connection.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def _headers(cookie: str) -> dict[str, str]:
    return {"Accept-Encoding": ACCEPT_ENCODING, **({"Cookie": cookie} if cookie else {})}


def sign_in(base_url: str) -> str:
    """Sign in as the demo young person; returns the Cookie header that carries the session."""
    from webapp.demo import DEMO_PASSWORD

    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        html = response.read().decode()
        cookie = _cookies(response.getheader("Set-Cookie", ""))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]
        body = urllib.parse.urlencode({"csrf_token": token, "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
                                       "next": ""})
        connection.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status != 303:
            raise RuntimeError(f"demo sign-in failed: {response.status}")
        return _cookies(response.getheader("Set-Cookie", ""))
    finally:
        connection.close()


def _cookies(set_cookie: str) -> str:
    return "; ".join(part.split(";", 1)[0].strip() for part in re.split(r",(?=\s*\w+=)", set_cookie) if "=" in part)


def load(base_url: str, label: str, path: str, cookie: str = "") -> Load:
    status, body, headers = _request(base_url, path, cookie)
    if status != 200:
        raise RuntimeError(f"{label} {path} answered {status}, not 200")
    if cookie and "no-store" not in headers.get("cache-control", ""):
        raise RuntimeError(f"{label} {path} does not look signed in (no no-store)")
    _python_load(base_url, path, cookie, max_requests=WARM_UP_REQUESTS, seconds=5)
    wrk = shutil.which("wrk")
    result = (_wrk_load if wrk else _python_load)(base_url, path, cookie, max_requests=MAX_REQUESTS, seconds=SECONDS)
    requests, seconds, median_ms, p95_ms, errors = result
    return Load(label, path, requests, seconds, median_ms, p95_ms, errors, len(body))


def _wrk_load(base_url: str, path: str, cookie: str, max_requests: int, seconds: float):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # wrk counts per thread: two threads, half the limit each.
        script.write(WRK_SCRIPT % {"limit": max_requests // 2})
    try:
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", script.name, base_url + path]
        for name, value in _headers(cookie).items():
            command[1:1] = ["-H", f"{name}: {value}"]
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    summary = json.loads(output.strip().splitlines()[-1])
    return (summary["requests"], summary["duration_us"] / 1e6, summary["p50_us"] / 1000,
            summary["p95_us"] / 1000, summary["errors"])


def _python_load(base_url: str, path: str, cookie: str, max_requests: int, seconds: float):
    """CONNECTIONS threads, each with one keep-alive connection, until the time or the count runs out."""
    parts = urllib.parse.urlsplit(base_url)
    latencies: list[float] = []
    errors = [0]
    budget = [max_requests]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = _headers(cookie)

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return 0, elapsed, 0.0, 0.0, errors[0]
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    return len(latencies), elapsed, statistics.median(latencies), p95, errors[0]


def run() -> tuple[list[Load], list[Load], list[str]]:
    notes: list[str] = []
    baselines: list[Load] = []
    results: list[Load] = []
    with demo_site() as site:
        if site.note:
            notes.append(site.note)
        with gunicorn("benchmarks.serving:hello_app()", log_dir=site.directory) as hello:
            baselines.append(load(hello.url, "hello (before)", "/"))
        with gunicorn("webapp:create_app()", env=site.env, log_dir=site.directory) as flourish:
            pages = [("home", "/"), ("self-help", "/self-help/"), ("waits", "/waits")]
            booking = booking_page(flourish.url)
            if booking:
                pages.append(("a base's booking page", booking))
            else:
                notes.append("A base's booking page: skipped, /bookings/ does not exist yet (or links no base).")
            for label, path in pages:
                results.append(load(flourish.url, label, path))
            results.append(load(flourish.url, "signed in (young person)", SIGNED_IN_PATH, sign_in(flourish.url)))
        with gunicorn("benchmarks.serving:hello_app()", log_dir=site.directory) as hello:
            baselines.append(load(hello.url, "hello (after)", "/"))
    return baselines, results, notes


def report(baselines: list[Load], results: list[Load], notes: list[str]) -> str:
    rps = statistics.mean(b.per_second for b in baselines)
    median = statistics.mean(b.median_ms for b in baselines)
    generator = "wrk" if shutil.which("wrk") else "Python threads (http.client; wrk not installed)"
    lines = [
        "## Server throughput and latency",
        "",
        f"gunicorn with gunicorn.conf.py (as `make run`: {os.environ.get('WEB_CONCURRENCY', '2')} workers × "
        f"{os.environ.get('GUNICORN_THREADS', '4')} threads, gthread, access log to a file), on 127.0.0.1; "
        f"load from {generator}, {CONNECTIONS} keep-alive connections, {SECONDS:g} s or {MAX_REQUESTS:,} requests "
        "per URL after a short warm-up, each request with a browser's `Accept-Encoding`. Flourish on SQLite "
        "with the demo data. The baseline is a minimal Flask "
        "\"hello\" app served the same way, measured before and after Flourish (its mean is the ratio's base). "
        "The machine's 2 cores are shared with the load generator (and other work), so compare ratios "
        "rather than absolute figures.",
        "",
        "| page | path | bytes sent | requests/s | median ms | p95 ms | errors | throughput vs hello | "
        "median vs hello |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for b in baselines:
        lines.append(f"| {b.label} | `{b.path}` | {b.bytes:,} | {b.per_second:,.0f} | {b.median_ms:.1f} | "
                     f"{b.p95_ms:.1f} | {b.errors} | – | – |")
    for r in results:
        lines.append(f"| {r.label} | `{r.path}` | {r.bytes:,} | {r.per_second:,.0f} | {r.median_ms:.1f} | "
                     f"{r.p95_ms:.1f} | {r.errors} | {r.per_second / rps:.2f} | ×{r.median_ms / median:.1f} |")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main() -> None:
    baselines, results, notes = run()
    markdown = report(baselines, results, notes)
    print(markdown)
    print("written to", write_section("server", markdown))


if __name__ == "__main__":
    main()
