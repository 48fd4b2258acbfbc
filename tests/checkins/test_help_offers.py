"""Help that fits, within a week of asking: chosen from what they told us, offered once, "this helped /
didn't help" kept and sent to the front door, and counted for leaders."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.support.helpers import send
from webapp import clock
from webapp.checkins import offers
from webapp.checkins.offers import HelpFeedback, HelpOffer
from webapp.extensions import db
from webapp.support import service as support
from webapp.support.models import FrontDoorDelivery


def _tracker(app, reference):
    browser = app.test_client()
    browser.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    return browser


def test_everyone_waiting_is_offered_help_that_fits_once(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")  # about worry, a 14-year-old in NR1
    assert offers.offer_due() == 1 and offers.offer_due() == 0
    offer = db.session.scalar(select(HelpOffer))
    assert "topic:worry" in offer.items and "tool:breathing" in offer.items
    assert any(item.startswith("service:") for item in offer.items)
    page = _tracker(app, reference).get(f"/track/{reference}").get_data(as_text=True)
    assert "Help while you wait, chosen for you" in page and "This helped" in page


def test_this_helped_is_kept_shown_and_sent_to_the_front_door(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    offers.offer_due()
    tracker = _tracker(app, reference)
    response = tracker.post_form(f"/track/{reference}/help/helped", {"item": "tool:breathing"})
    assert response.status_code == 303
    tracker.post_form(f"/track/{reference}/help/not_helped", {"item": "topic:worry"})
    page = tracker.get(f"/track/{reference}").get_data(as_text=True)
    assert "You said: it helped" in page and re.search(r"You said: it didn(&#39;|')t help", page)
    last = db.session.scalar(select(FrontDoorDelivery).order_by(FrontDoorDelivery.id.desc()).limit(1))
    text = json.dumps(json.loads(last.body))
    assert "tool:breathing (helped)" in text and "topic:worry (did not help)" in text


def test_feedback_on_something_never_offered_is_refused(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    offers.offer_due()
    response = _tracker(app, reference).post_form(f"/track/{reference}/help/helped", {"item": "tool:nonsense"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(HelpFeedback)) == 0


def test_leaders_see_offers_within_a_week_and_what_helped(app, client, services, frozen_clock):
    from webapp.checkins import figures

    reference, _ = send(app.test_client(), "parent")
    offers.offer_due()
    _tracker(app, reference).post_form(f"/track/{reference}/help/helped", {"item": "tool:breathing"})
    send(app.test_client(), "parent")  # asked, but the worker has not run since
    clock.advance(timedelta(days=8))
    by_service, _by_age, _by_language = figures.figures()
    f = by_service[""]
    assert (f.waiting_a_week, f.offered_within_7_days, f.items_helped, f.items_not_helped) == (2, 1, 1, 0)


def test_a_closed_request_is_not_offered_help(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    support.move(support.by_reference(reference), "closed", actor="ifd_api", deliver=False)
    db.session.commit()
    assert offers.offer_due() == 0
