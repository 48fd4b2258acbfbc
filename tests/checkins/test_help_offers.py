"""Help that fits, within a week of asking: chosen from what they told us, offered once, "this helped /
didn't help" kept and sent to the front door, and counted for leaders."""

from __future__ import annotations

import json
import re
from datetime import date, time, timedelta

from sqlalchemy import func, select

from tests.checkins.helpers import tracker_client
from tests.support.helpers import send
from webapp import clock
from webapp.checkins import offers
from webapp.checkins.offers import HelpFeedback, HelpOffer
from webapp.extensions import db
from webapp.support import service as support
from webapp.support.models import FrontDoorDelivery


def test_everyone_waiting_is_offered_help_that_fits_once(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")  # about worry, a 14-year-old in NR1
    assert offers.offer_due() == 1 and offers.offer_due() == 0
    offer = db.session.scalar(select(HelpOffer))
    assert "topic:worry" in offer.items and "tool:breathing" in offer.items
    assert any(item.startswith("service:") for item in offer.items)
    page = tracker_client(app, reference).get(f"/track/{reference}").get_data(as_text=True)
    assert "Help while you wait, chosen for you" in page and "This helped" in page


def test_this_helped_is_kept_shown_and_sent_to_the_front_door(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    offers.offer_due()
    tracker = tracker_client(app, reference)
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
    response = tracker_client(app, reference).post_form(f"/track/{reference}/help/helped", {"item": "tool:nonsense"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(HelpFeedback)) == 0


def test_leaders_see_offers_within_a_week_and_what_helped(app, client, services, frozen_clock):
    from webapp.checkins import figures

    reference, _ = send(app.test_client(), "parent")
    offers.offer_due()
    tracker_client(app, reference).post_form(f"/track/{reference}/help/helped", {"item": "tool:breathing"})
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


def _asked(user, topics: list[str], postcode: str, reference: str, born: date = date(2011, 3, 27)):
    from webapp.support.models import SupportRequest

    row = SupportRequest(reference=reference, requester_user_id=user.id if user else None,
                         requester_type="young_person", status="received", young_person_date_of_birth=born,
                         answers={"topics": topics, "postcode": postcode})
    db.session.add(row)
    db.session.commit()
    return row


def test_help_that_fits_is_matched_only_on_what_the_request_says(app, services, frozen_clock, make_user):
    """The Children's Code, standard 12 (profiling): the one matching Flourish does reads the request's own
    answers (the topics chosen, the young person's age, the postcode district given), never anything else
    Flourish keeps about the person, nor what they did before."""
    from webapp.bookings import places, sessions
    from webapp.bookings import service as bookings
    from webapp.checkins.models import WaitCheckIn
    from webapp.goals.models import Goal
    from webapp.safety_plan import service as safety_plan
    from webapp.selfhelp.models import MoodEntry

    places.load_bases()
    admin = make_user(role="admin")
    day = clock.today_local() + timedelta(days=1)
    for slug in ("norwich-one-stop-shop", "wymondham-community-base", "kings-lynn-one-stop-shop"):
        sessions.create(admin, sessions.SessionDraft(places.base_by_slug(slug).id, day, time(16), time(17), 60, 5,
                                                     "Drop-in chat", "everyone"))
    db.session.commit()
    young = make_user(role="young_person", date_of_birth=date(2011, 3, 27))
    request = _asked(young, ["worry"], "NR1 1AA", "FL-CODE-0012")
    offered = offers.items_for(request)
    assert "topic:worry" in offered and "base:norwich-one-stop-shop" in offered
    assert "base:kings-lynn-one-stop-shop" not in offered
    # What the request says decides it: other topics, another district, another age give another list.
    assert offers.items_for(_asked(None, ["sleep"], "NR1 1AA", "FL-CODE-0013")) != offered
    assert offers.items_for(_asked(None, ["worry"], "PE30 1AA", "FL-CODE-0014")) != offered
    assert "service:childline" in offered  # for under 19s: not for a 24-year-old, though 18 to 25 is one band
    assert "service:childline" not in offers.items_for(_asked(None, ["worry"], "NR1 1AA", "FL-CODE-0015",
                                                              born=date(2002, 3, 27)))

    # Everything else Flourish keeps about the same person, each pointing somewhere else...
    db.session.add_all([
        MoodEntry(user_id=young.id, score=1, words="cannot sleep, cutting again", tags=["sleep", "self-harm"]),
        Goal(user_id=young.id, text="Stop self-harming and sleep before midnight"),
        WaitCheckIn(request_id=request.id, asked_by="schedule", answer="worse", words="no sleep at all",
                    answered_at=clock.now()),
    ])
    safety_plan.set_keep_in_account(young.id, True)
    safety_plan.save(young.id, {"warning_signs": "Not sleeping", "coping": "Anger walks"})
    far = places.base_by_slug("kings-lynn-one-stop-shop")
    bookings.book(young, sessions.upcoming_sessions([far])[0].slots[0].id)
    earlier = _asked(young, ["self-harm", "sleep"], "PE30 1AA", "FL-CODE-0016")
    before = HelpOffer(request_id=earlier.id, offered_at=clock.now(),
                       items=["topic:self-harm", "topic:sleep", "base:kings-lynn-one-stop-shop"])
    db.session.add(before)
    db.session.flush()
    db.session.add_all([HelpFeedback(offer_id=before.id, item=item, helped=True, at=clock.now())
                        for item in before.items])
    db.session.add(HelpFeedback(offer_id=before.id, item="topic:worry", helped=False, at=clock.now()))
    db.session.commit()
    # ...changes nothing: the list is the one the request's answers give, as for someone Flourish knows nothing of.
    assert offers.items_for(request) == offered
    assert offers.items_for(_asked(None, ["worry"], "NR1 1AA", "FL-CODE-0017")) == offered
