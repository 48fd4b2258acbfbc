"""Reflow (WCAG 1.4.10) and Quick exit covering nothing, measured on the page as it is now: used
by tests/browser/test_reflow.py and, in each language, by the axe crawl's visit to each page."""

from __future__ import annotations

# How far the page scrolls sideways, and what sticks out past the right edge (for the message).
SIDEWAYS = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !el.closest('.visually-hidden, .skip-link');
  }).slice(0, 4).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
    + ` (${Math.round(el.getBoundingClientRect().right)}px)`);
  return {extra: root.scrollWidth - width, wide};
}"""

# What Quick exit covers at the top of the page: the logo, a heading, a label or a field.
COVERED = """() => {
  window.scrollTo(0, 0);
  const b = document.querySelector('.quick-exit__button').getBoundingClientRect();
  const near = '.site-header__logo, .site-header a, h1, label, legend, input, select, textarea';
  return [...document.querySelectorAll(near)]
    .filter((el) => el.getClientRects().length && !el.closest('.quick-exit, .visually-hidden'))
    .filter((el) => { const a = el.getBoundingClientRect();
      return Math.min(a.right, b.right) > Math.max(a.left, b.left)
        && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top); })
    .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 30)}"`);
}"""


def sideways_problems(page, label: str) -> list[str]:
    """The page scrolling sideways, and anything Quick exit covers, each as a line naming the page."""
    result = page.evaluate(SIDEWAYS)
    problems = []
    if result["extra"] > 0:
        problems.append(f"{label} {page.url}: scrolls {result['extra']}px sideways; past the edge: {result['wide']}")
    covered = page.evaluate(COVERED)
    if covered:
        problems.append(f"{label} {page.url}: Quick exit covers {covered}")
    return problems
