"""Wait well: who is asked and when, what each answer does, and what clinicians see and decide."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from tests.checkins.helpers import CHECK_IN_FORM, answer_check_in, due_now, tracker_client
from tests.support.helpers import send
from webapp import clock
from webapp.checkins import service
from webapp.checkins.models import WaitCheckIn
from webapp.directory.models import Service
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.support import service as support
from webapp.support.models import FrontDoorDelivery, RiskSignal, SupportRequest


def _req(reference: str) -> SupportRequest:
    db.session.expire_all()
    return support.by_reference(reference)


def test_everyone_still_waiting_is_asked_every_four_weeks_by_default(app, client, services, frozen_clock):
    waiting, _ = send(app.test_client(), "parent")
    closed, _ = send(app.test_client(), "parent")
    support.move(_req(closed), "closed", actor="ifd_api", deliver=False)
    db.session.commit()
    clock.advance(timedelta(weeks=4) - timedelta(minutes=1))
    assert service.ask_due() == 0  # not yet
    clock.advance(timedelta(minutes=2))
    assert service.ask_due() == 1 and service.ask_due() == 0  # asked once, not twice
    asked = db.session.scalars(select(WaitCheckIn)).all()
    assert [c.request.reference for c in asked] == [waiting]
    clock.advance(timedelta(weeks=4, minutes=1))
    assert service.ask_due() == 1  # and again four weeks later


def test_each_service_sets_its_own_cadence_within_two_to_eight_weeks(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    support.move(_req(reference), "allocated", actor="ifd_api", thrive_group="getting_help", service_id="point-1",
                 deliver=False)
    db.session.get(Service, "point-1").check_in_weeks = 2
    db.session.commit()
    clock.advance(timedelta(weeks=2, minutes=1))
    assert service.ask_due() == 1
    db.session.get(Service, "point-1").check_in_weeks = 1  # below the floor: two weeks still
    db.session.commit()
    clock.advance(timedelta(weeks=1, minutes=1))
    assert service.ask_due() == 0


def test_a_signed_in_requester_is_notified_through_the_outbox_discreetly(app, client, services, make_user, login,
                                                                        frozen_clock):
    parent = make_user(role="parent")
    login(client, parent)
    reference, _ = send(client, "parent")
    db.session.query(ScheduledNotification).delete()
    db.session.commit()
    due_now(reference)
    note = db.session.scalar(select(ScheduledNotification))
    assert note.user_id == parent.id and note.url.endswith(f"/request-support/my-requests/{reference}#check-in")
    assert note.subject_type == "wait_check_in" and note.kind == "request_update"  # quiet hours, discreet text


def test_worse_goes_into_the_risk_band_at_once_with_urgent_help_and_a_dated_promise(app, client, services,
                                                                                    frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    due_now(reference)  # Monday 13 July 2026, 12:01
    response = answer_check_in(tracker_client(app, reference), reference, "worse", "He won't leave his room")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Call 999" in page
    assert "will look at what you wrote by 17:00 on Tuesday, 14 July 2026 (UK time)." in page
    signals = db.session.scalars(select(RiskSignal).where(RiskSignal.reviewed_at.is_(None))).all()
    assert [s.kind for s in signals] == ["check_in_worse"]
    rows, _ = support.queue()
    assert rows[0].request.reference == reference and rows[0].signal_kinds == ("check_in_worse",)


def test_ok_now_never_closes_by_itself_a_clinician_decides_and_the_person_is_told(app, client, services,
                                                                                  make_user, login, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    due_now(reference)
    tracker = tracker_client(app, reference)
    page = answer_check_in(tracker, reference, "ok_now", "Much better since the holidays").get_data(as_text=True)
    assert "a clinician at the front door will check with you before anything changes" in page
    assert _req(reference).status == "received"
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    lists = staff.get("/staff/requests/check-ins").get_data(as_text=True)
    assert reference in lists and "Much better since the holidays" in lists
    check_in = db.session.scalar(select(WaitCheckIn))
    response = staff.post_form(f"/staff/requests/check-ins/{check_in.id}/closed",
                               {"note": "You told us you are OK now, so we have closed this request."})
    assert response.status_code == 303
    assert _req(reference).status == "closed"
    assert reference not in staff.get("/staff/requests/check-ins").get_data(as_text=True)
    timeline = tracker.get(f"/track/{reference}").get_data(as_text=True)
    assert "You told us you are OK now, so we have closed this request." in timeline
    assert re.search(r"You told us how things are: I(&#39;|')m OK now", timeline)


def test_not_sure_marks_would_like_a_call_and_still_need_shows_the_estimate(app, client, services, make_user,
                                                                            login, frozen_clock):
    unsure, _ = send(app.test_client(), "parent")
    still, _ = send(app.test_client(), "parent")
    due_now(unsure)
    assert "offer you a call" in answer_check_in(tracker_client(app, unsure), unsure, "not_sure").get_data(as_text=True)
    page = answer_check_in(tracker_client(app, still), still, "still_need").get_data(as_text=True)
    assert "Your request stays where it is." in page and "How long you might wait" in page
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    lists = staff.get("/staff/requests/check-ins").get_data(as_text=True)
    call_section = lists[lists.index("would like a call"):lists.index("Not heard from")]
    assert unsure in call_section and still not in call_section


def test_no_answer_one_reminder_after_7_days_then_not_heard_from_after_14_never_discharged(
        app, client, services, make_user, login, frozen_clock):
    parent = make_user(role="parent")
    login(client, parent)
    reference, _ = send(client, "parent")
    due_now(reference)
    clock.advance(timedelta(days=7, minutes=1))
    assert service.remind_due() == 1 and service.remind_due() == 0
    assert service.not_heard_from() == []
    clock.advance(timedelta(days=7))
    assert [c.request.reference for c in service.not_heard_from()] == [reference]
    assert _req(reference).status == "received"  # still waiting: nobody is discharged for silence
    reminders = db.session.scalar(select(func.count()).select_from(ScheduledNotification).where(
        ScheduledNotification.subject_type == "wait_check_in"))
    assert reminders == 2  # the question and one reminder


def test_each_answer_is_recorded_once_and_reaches_the_front_door_as_an_update(app, client, services,
                                                                              frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    due_now(reference)
    tracker = tracker_client(app, reference)
    page = tracker.get(f"/track/{reference}").get_data(as_text=True)
    action = CHECK_IN_FORM.search(page).group(1)
    for _ in range(3):  # a double tap and a resent form
        tracker.post_form(action, {"answer": "still_need", "words": "Still struggling"})
    check_in = db.session.scalar(select(WaitCheckIn))
    assert check_in.answer == "still_need" and check_in.words == "Still struggling"
    updates = db.session.scalars(select(FrontDoorDelivery).where(FrontDoorDelivery.kind == "update")).all()
    assert len(updates) == 1
    bundle = json.loads(updates[0].body)
    Bundle.model_validate(bundle)
    items = next(e["resource"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "QuestionnaireResponse")["item"]
    check_in_items = [i for i in items if i["linkId"].startswith("check-in-")]
    assert [a["valueString"] for a in check_in_items[0]["answer"]] == ["I still need help", "Still struggling"]


def test_answers_for_a_closed_or_someone_elses_request_are_refused_without_saying_whose(app, client, services,
                                                                                        frozen_clock):
    mine, _ = send(app.test_client(), "parent")
    theirs, _ = send(app.test_client(), "parent")
    due_now(mine)
    their_check_in = db.session.scalar(select(WaitCheckIn).join(SupportRequest).where(
        SupportRequest.reference == theirs))
    tracker = tracker_client(app, mine)
    response = tracker.post_form(f"/track/{mine}/check-in/{their_check_in.id}", {"answer": "ok_now"})
    assert response.status_code == 404 and theirs not in response.get_data(as_text=True)
    assert tracker.post_form(f"/track/{theirs}/check-in/{their_check_in.id}", {"answer": "ok_now"}
                             ).status_code == 404  # not tracked in this browser
    my_check_in = db.session.scalar(select(WaitCheckIn).join(SupportRequest).where(SupportRequest.reference == mine))
    support.move(_req(mine), "closed", actor="ifd_api", deliver=False)
    db.session.commit()
    assert tracker.post_form(f"/track/{mine}/check-in/{my_check_in.id}", {"answer": "worse"}).status_code == 404


@pytest.mark.parametrize(("words", "status", "stored"), [
    ("a\x00b", 200, "ab"),  # a control character is dropped, the words kept
    ("نعم \u202eb", 200, "نعم \u202eb"),  # right-to-left text kept exactly
    ("x" * 1001, 400, None),  # too long: refused by the field, nothing recorded
])
def test_hostile_words_are_handled_never_a_500(app, client, services, frozen_clock, words, status, stored):
    reference, _ = send(app.test_client(), "parent")
    due_now(reference)
    response = answer_check_in(tracker_client(app, reference), reference, "still_need", words)
    assert response.status_code == status
    check_in = db.session.scalar(select(WaitCheckIn))
    db.session.refresh(check_in)
    if stored is None:
        assert "There is a problem" in response.get_data(as_text=True) and check_in.answered_at is None
    else:
        assert check_in.words == stored


def test_nothing_chosen_is_an_error_by_the_field_and_the_words_are_kept(app, client, services, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    due_now(reference)
    response = answer_check_in(tracker_client(app, reference), reference, "", "Some words I typed")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose how things are now." in page and "Some words I typed" in page


def test_a_clinician_can_ask_now(app, client, services, make_user, login, frozen_clock):
    reference, _ = send(app.test_client(), "parent")
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    assert staff.post_form(f"/staff/requests/{reference}/ask-how-they-are").status_code == 303
    assert db.session.scalar(select(WaitCheckIn)).asked_by.startswith("user:")
    assert "How are things now?" in tracker_client(app, reference).get(f"/track/{reference}").get_data(as_text=True)


def test_the_cadence_holds_across_the_autumn_clock_change(app, client, services, frozen_clock):
    clock.freeze(datetime(2026, 10, 5, 11, 0, tzinfo=UTC))  # BST
    send(app.test_client(), "parent")
    clock.freeze(datetime(2026, 11, 2, 11, 0, tzinfo=UTC))  # GMT, exactly 4 weeks of real time later
    assert service.ask_due() == 1


def test_four_workers_at_once_ask_each_due_request_once(app, client, services, frozen_clock):
    import threading

    references = [send(app.test_client(), "parent")[0] for _ in range(6)]
    clock.advance(timedelta(weeks=4, minutes=1))
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def worker():
        barrier.wait()
        with app.app_context():
            try:
                service.ask_due()
                db.session.commit()  # as the worker does after each job
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    asked = db.session.scalars(select(WaitCheckIn.request_id)).all()
    assert len(asked) == len(references) and len(set(asked)) == len(references)


def test_leaders_see_wait_well_working_by_service_and_age_on_hand_made_data(app, client, services, make_user,
                                                                            login, frozen_clock):
    from webapp.checkins import figures

    answered, _ = send(app.test_client(), "parent")  # born 2012-03-27: 14 in June 2026
    silent, _ = send(app.test_client(), "parent")
    due_now(answered)  # both asked
    clock.advance(timedelta(days=2))
    answer_check_in(tracker_client(app, answered), answered, "worse", "Worse")
    clock.advance(timedelta(hours=5))
    service_ = support.by_reference(answered)
    support.mark_reviewed(service_, make_user(role="clinician"))
    db.session.commit()
    clock.advance(timedelta(days=13))  # both asked 15 days ago: one answered in 2 days, one silent
    by_service, by_age, by_language = figures.figures()
    f = by_age["13-15"]
    assert (f.asked_long_enough_ago, f.answered_within_14_days, f.answers["worse"]) == (2, 1, 1)
    assert (f.worse_reviewed, f.worse_reviewed_by_promise, f.median_review_hours) == (1, 1, 5.0)
    assert f.not_heard_from == 1 and by_service[""].share_answered == 0.5 and by_language["en"].answers["worse"] == 1
    staff = app.test_client()
    login(staff, make_user(role="clinician"))
    assert "50% (1 / 2)" in staff.get("/staff/requests/check-ins/figures").get_data(as_text=True)
    csv_text = staff.get("/staff/requests/check-ins/figures.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith('"group_kind","group"') and '"age_band","13-15",2,1,' in csv_text
    assert silent not in csv_text  # figures, never people
