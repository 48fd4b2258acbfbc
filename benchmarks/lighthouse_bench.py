"""Lighthouse scores (performance, accessibility, best practices, SEO) of the main public pages.

The npm `lighthouse` package (12.x while the machine's Node is 20, pinned in benchmarks/package.json) is
installed into benchmarks/node_modules/ on first run, and drives /usr/bin/chromium (CHROME_PATH) with its
mobile defaults (a mid-range phone, simulated slow 4G and CPU throttling) against Flourish under gunicorn
on a temp SQLite database with the demo data, on 127.0.0.1.

    python -m benchmarks lighthouse
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.results import write_section
from benchmarks.serving import demo_site, gunicorn

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = ("/", "/help-now", "/self-help/", "/request-support/", "/waits", "/bookings/", "/track", "/login")
METRICS = (("first-contentful-paint", "FCP"), ("largest-contentful-paint", "LCP"),
           ("total-blocking-time", "TBT"), ("cumulative-layout-shift", "CLS"))
RUN_TIMEOUT = 180


@dataclass
class Scores:
    path: str
    scores: dict[str, int | None] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    failing: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""


def ensure_lighthouse() -> str | None:
    """Install lighthouse into benchmarks/node_modules/ if missing; the reason it cannot be, or None."""
    if LIGHTHOUSE.exists():
        return None
    npm = shutil.which("npm")
    if not npm:
        return "npm is not installed, so Lighthouse could not be installed."
    # `npm ci`: exactly what package-lock.json says, and the lock file left as it is.
    done = subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                          capture_output=True, text=True, timeout=600)
    if done.returncode or not LIGHTHOUSE.exists():
        return f"`npm ci --prefix benchmarks` failed: {done.stderr.strip()[-500:]}"
    return None


def version() -> str:
    return subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()


def audit(url: str, path: str) -> Scores:
    result = Scores(path)
    with tempfile.TemporaryDirectory(prefix="flourish-lighthouse-") as scratch:
        report = Path(scratch) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        env = {**os.environ, "CHROME_PATH": CHROME_PATH, "TMPDIR": scratch}
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, cwd=scratch)
        except subprocess.TimeoutExpired:
            result.error = f"timed out after {RUN_TIMEOUT} s"
            return result
        if done.returncode or not report.exists():
            result.error = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:200]
            return result
        data = json.loads(report.read_text())
    if data.get("runtimeError"):
        result.error = data["runtimeError"].get("message", "runtime error")[:200]
    for name in CATEGORIES:
        category = data["categories"].get(name, {})
        score = category.get("score")
        result.scores[name] = None if score is None else round(score * 100)
        result.failing[name] = [
            data["audits"][ref["id"]]["title"] for ref in category.get("auditRefs", [])
            if ref.get("weight", 0) > 0 and (data["audits"][ref["id"]].get("score") is not None)
            and data["audits"][ref["id"]]["score"] < 0.9
        ]
    for audit_id, label in METRICS:
        result.metrics[label] = data["audits"].get(audit_id, {}).get("displayValue", "–")
    return result


def _exists(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def run() -> tuple[list[Scores], list[str], str]:
    notes: list[str] = []
    problem = ensure_lighthouse()
    if problem:
        return [], [problem], ""
    results = []
    with demo_site() as site, gunicorn("webapp:create_app()", env=site.env, log_dir=site.directory) as server:
        if site.note:
            notes.append(site.note)
        for path in PAGES:
            if not _exists(server.url + path):
                notes.append(f"`{path}` skipped: it does not answer 200 yet.")
                continue
            scores = audit(server.url + path, path)
            print(f"{path}: {scores.scores} {scores.error}", flush=True)
            results.append(scores)
    return results, notes, version()


def report(results: list[Scores], notes: list[str], lighthouse_version: str) -> str:
    lines = [
        "## Lighthouse",
        "",
        f"Lighthouse {lighthouse_version or '(not installed)'} (npm, benchmarks/package.json), mobile defaults "
        "(emulated mid-range phone, simulated slow 4G and 4× CPU slowdown), driving /usr/bin/chromium "
        f"(`{CHROME_FLAGS}`) against gunicorn on 127.0.0.1 with the demo data. Scores out of 100.",
        "",
        "| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.error and not r.scores:
            lines.append(f"| `{r.path}` | failed: {r.error} | | | | | | | |")
            continue
        cells = " | ".join("–" if r.scores.get(name) is None else str(r.scores[name]) for name in CATEGORIES)
        metrics = " | ".join(r.metrics.get(label, "–") for _, label in METRICS)
        lines.append(f"| `{r.path}` | {cells} | {metrics} |")
    below = sorted({(name, title) for r in results for name, titles in r.failing.items() for title in titles})
    if below:
        lines += ["", "Audits scoring under 90 on at least one page:", ""]
        lines += [f"- {name}: {title}" for name, title in below]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main() -> None:
    results, notes, lighthouse_version = run()
    markdown = report(results, notes, lighthouse_version)
    print(markdown)
    print("written to", write_section("lighthouse", markdown))


if __name__ == "__main__":
    main()
