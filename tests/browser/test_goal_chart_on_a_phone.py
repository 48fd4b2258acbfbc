"""Charts a person can read on a phone (#14 item 6): at 320 CSS px the goals chart's text is at
least 12 px, its axis carries dates in the page's language, the table beside it has the same values,
and the 0-10 rating is one row or a regular grid of equal buttons."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from playwright.sync_api import expect

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp import clock
from webapp.extensions import db
from webapp.goals import service

# Every piece of text in the chart, with the size it is drawn at (an SVG's viewBox scales its text).
CHART_TEXT = """() => [...document.querySelectorAll('figure.goal-chart *')]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
                  && el.tagName.toLowerCase() !== 'title' && el.getClientRects().length)
  .map((el) => ({text: el.textContent.trim(),
                 px: parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM ? el.getScreenCTM().a : 1)}))"""

RATING_BOXES = """() => [...document.querySelectorAll('.rating-scale__item')].map((el) => {
  const box = el.getBoundingClientRect();
  return {left: Math.round(box.left), top: Math.round(box.top), width: Math.round(box.width), right: box.right};
})"""


def _goal_with_ratings(young, values):
    goal = service.add_goal(young.id, "Sleep better", values[0])
    for value in values[1:]:
        clock.advance(timedelta(days=4))
        service.check_in(young.id, goal.id, value)
    db.session.commit()
    return goal


def _phone(browser, live_server, width=320):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 640},
                                  locale="en-GB", timezone_id="Europe/London")
    return context, context.new_page()


def _rows(boxes):
    rows: dict[int, list[dict]] = {}
    for box in boxes:
        rows.setdefault(box["top"], []).append(box)
    return [sorted(row, key=lambda b: b["left"]) for _top, row in sorted(rows.items())]


def test_the_goals_chart_reads_on_a_phone_with_dates_and_a_table_of_the_same_values(
        browser, live_server, make_user, frozen_clock):
    young = make_user(role="young_person")
    goal = _goal_with_ratings(young, [2, 4, 3, 7])
    first, last = goal.ratings[0].recorded_at, goal.ratings[-1].recorded_at
    context, page = _phone(browser, live_server)
    sign_in_page(page, young)
    page.goto(f"/goals/{goal.id}")

    texts = page.evaluate(CHART_TEXT)
    assert {t["text"] for t in texts} >= {"0", "5", "10"}
    too_small = [t for t in texts if t["px"] < 12]
    assert not too_small, f"chart text under 12 px at 320 px: {too_small}"
    dates = page.locator("[data-goal-chart-dates]")
    expect(dates).to_contain_text(format_date(clock.to_local(first).date(), "medium", locale="en_GB"))
    expect(dates).to_contain_text(format_date(clock.to_local(last).date(), "medium", locale="en_GB"))

    charted = page.eval_on_selector_all("[data-goal-chart] circle", "els => els.map(e => e.dataset.rating)")
    tabled = page.eval_on_selector_all("[data-goal-ratings] td[data-rating]",
                                       "els => els.map(e => e.textContent.trim().split(' ')[0])")
    assert charted == ["2", "4", "3", "7"] and tabled == list(reversed(charted))
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    assert_accessible(page)

    page.get_by_role("button", name="Polski").click()
    expect(dates).to_contain_text(format_date(clock.to_local(last).date(), "medium", locale="pl"))
    context.close()


def test_the_0_to_10_rating_is_one_row_or_a_regular_grid_at_every_width(browser, live_server, make_user,
                                                                       frozen_clock):
    young = make_user(role="young_person")
    goal = _goal_with_ratings(young, [5])
    for width in (180, 320, 375, 768):
        context, page = _phone(browser, live_server, width)
        sign_in_page(page, young)
        page.goto(f"/goals/{goal.id}")
        boxes = page.evaluate(RATING_BOXES)
        assert len(boxes) == 11
        rows = _rows(boxes)
        columns = len(rows[0])
        assert all(len(row) == columns for row in rows[:-1]) and len(rows[-1]) <= columns, (width, rows)
        for row in rows[1:]:  # each button under the one above: a grid, not a ragged wrap
            assert [b["left"] for b in row] == [b["left"] for b in rows[0][:len(row)]], (width, rows)
        assert len({b["width"] for b in boxes}) == 1, f"buttons of unequal width at {width}px"
        assert max(b["right"] for b in boxes) <= width
        if width == 320:
            assert [len(row) for row in rows] in ([11], [6, 5]), rows
        if width >= 768:
            assert len(rows) == 1
        context.close()
