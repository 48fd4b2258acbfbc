"""Reflow (WCAG 1.4.10) and focus not hidden by Quick exit (2.4.11/2.4.12), on every page each role
can reach (the shared crawl, tests/helpers/crawl.py), at phone sizes and zoom."""

from __future__ import annotations

import pytest

from tests.helpers.crawl import crawl
from tests.helpers.reflow import sideways_problems

pytestmark = pytest.mark.database_independent

# Overlap, in px², of the focused element with the Quick exit button; null when focus is on nothing
# that could be covered (the page, Quick exit itself, or the skip link, which is drawn above it).
# `tall`: the element is taller than the space below Quick exit (a scrolling table's region), so
# some of it must be out of sight; then it must not be entirely hidden (2.4.11) and must reach below
# Quick exit. Everything else must not be covered at all (2.4.12).
FOCUS_OVERLAP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.closest('.quick-exit, .skip-link')) return null;
  const a = el.getBoundingClientRect();
  const b = document.querySelector('.quick-exit__button').getBoundingClientRect();
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  const tall = a.height > window.innerHeight - b.bottom;
  const showing = Math.min(a.bottom, window.innerHeight) - Math.max(a.top, b.bottom) > 0;
  const label = (el.textContent || el.getAttribute('aria-label') || el.name || el.id || '').trim().slice(0, 40);
  const what = `${el.tagName.toLowerCase()} "${label}"`;
  return {overlap: w > 0 && h > 0 ? Math.round(w * h) : 0, tall, showing, what};
}"""


def test_no_page_scrolls_sideways_at_320px_or_200_percent_zoom_and_quick_exit_covers_nothing(
        browser, live_server, make_user):
    problems: list[str] = []
    pages = 0
    for role, page in crawl(browser, live_server, make_user, {"width": 320, "height": 640}):
        pages += 1
        problems += sideways_problems(page, f"[{role} 320px]")
        # 200% zoom of a 360 px phone: 180 CSS px across.
        page.set_viewport_size({"width": 180, "height": 640})
        problems += sideways_problems(page, f"[{role} 180px]")
        page.set_viewport_size({"width": 320, "height": 640})
    assert pages > 10, "the crawl reached too few pages"
    assert not problems, "\n".join(problems)


# Every control Tab can reach, focused in document order as Tab would (focus() scrolls it into view
# the same way, scroll-padding included), measured with FOCUS_OVERLAP at each stop: one round trip
# per page instead of three per Tab press.
FOCUS_EACH = """() => {
  const reachable = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const measureFocus = MEASURE;
  window.scrollTo(0, 0);
  const results = [];
  for (const el of document.querySelectorAll(reachable)) {
    if (el.disabled || !el.getClientRects().length || el.closest('[inert], [hidden]')) continue;
    el.focus();
    if (document.activeElement !== el) continue;
    const result = measureFocus();
    if (result) results.push(result);
  }
  return results;
}"""


def tab_through(page, measure: str) -> list[dict]:
    """Focus each control Tab reaches, top to bottom, measuring at each stop."""
    return page.evaluate(FOCUS_EACH.replace("MEASURE", measure))


def test_tab_and_focus_land_on_the_same_controls(browser, live_server):
    """FOCUS_EACH stands in for pressing Tab: on the home page both reach the same first controls."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 256}, locale="en-GB")
    page = context.new_page()
    page.goto("/")
    pressed = []
    for _ in range(6):
        page.keyboard.press("Tab")
        pressed.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
    focused = tab_through(page, "() => document.activeElement.outerHTML.slice(0, 80)")
    context.close()
    assert pressed == focused[:6]


def test_focus_is_never_under_quick_exit_when_tabbing_through_every_page(browser, live_server, make_user):
    problems: list[str] = []
    stops = 0
    for viewport in ({"width": 320, "height": 256}, {"width": 375, "height": 667}):
        for role, page in crawl(browser, live_server, make_user, viewport):
            for stop in tab_through(page, FOCUS_OVERLAP):
                stops += 1
                if stop["overlap"] and not (stop["tall"] and stop["showing"]):
                    problems.append(f"[{role} {viewport['width']}x{viewport['height']}] {page.url}: "
                                    f"{stop['what']} under Quick exit ({stop['overlap']}px²)")
    assert stops > 100, "too few focus stops: the crawl did not run"
    assert not problems, "\n".join(problems[:60])
