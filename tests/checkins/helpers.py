"""Wait well's check-ins through the test client, for the check-in tests and the other packages' tests
that need a check-in answered (tests/waits/test_figures_changed.py).

- `due_now(reference)`: time passes until the request's first check-in is due, and it is asked.
- `tracker_client(app, reference)`: a test client that has found the request on /track.
- `answer_check_in(browser, reference, answer)`: the check-in on the request's page, answered.
"""

from __future__ import annotations

import re
from datetime import timedelta

from webapp import clock
from webapp.checkins import service
from webapp.extensions import db

CHECK_IN_FORM = re.compile(r'action="(/[^"]*/check-in/(\d+))"')


def tracker_client(app, reference: str):
    """A new test client that has found the request on /track (by its reference and date of birth)."""
    browser = app.test_client()
    assert browser.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"}).status_code == 303
    return browser


def answer_check_in(browser, reference: str, answer: str, words: str = "", via_track: bool = True):
    """Answer the check-in on the request's page (/track, or the signed-in timeline); the response."""
    page = browser.get(f"/track/{reference}" if via_track else f"/request-support/my-requests/{reference}")
    action = CHECK_IN_FORM.search(page.get_data(as_text=True))
    assert action, "no check-in on the page"
    return browser.post_form(action.group(1), {"answer": answer, "words": words})


def due_now(reference: str, weeks: int = 4) -> None:
    """Four weeks pass: the request's first check-in is due."""
    clock.advance(timedelta(weeks=weeks, minutes=1))
    service.ask_due()
    db.session.commit()
