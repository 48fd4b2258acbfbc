"""Triage by clinicians, the requester's timeline, "things have got worse", and the personal estimate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.helpers import send
from webapp import clock
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.support import service
from webapp.support.models import FrontDoorDelivery, SupportRequest


def _clinician(app, make_user, login):
    client = app.test_client()
    login(client, make_user(role="clinician"))
    return client


def test_queue_is_risk_first_by_when_the_signal_came_then_oldest(app, client, services, make_user, login,
                                                                   frozen_clock):
    """Routine, urgent, got-worse and answered requests: one risk band on top, by when each signal arrived
    (an unreviewed urgent request is not overtaken by a later "worse"), then the rest oldest first. Answering
    the front door's question is not a risk signal."""
    old_routine, _ = send(app.test_client(), "parent")
    clock.advance(timedelta(hours=1))
    urgent, _ = send(app.test_client(), "parent", {"safety": {"risk_self_harm": "yes"}})
    clock.advance(timedelta(hours=1))
    answered, _ = send(app.test_client(), "parent")
    clock.advance(timedelta(hours=1))
    worse, _ = send(client, "parent")
    client.post_form("/track", {"reference": worse, "date_of_birth": "2012-03-27"})
    client.post_form(f"/track/{worse}/worse", {"what_changed": "She has stopped eating"})
    asker = app.test_client()
    service.move(service.by_reference(answered), "more_information_needed", actor="ifd_api",
                 question="Can we call after 4pm?", deliver=False)
    db.session.commit()
    asker.post_form("/track", {"reference": answered, "date_of_birth": "2012-03-27"})
    asker.post_form(f"/track/{answered}/answer", {"answer": "yes you can call me after 4pm"})
    rows, total = service.queue()
    assert [r.request.reference for r in rows] == [urgent, worse, old_routine, answered] and total == 4
    assert [r.signal_kinds for r in rows] == [("risk_answers",), ("worse",), (), ()]
    assert all(r.due_by is not None for r in rows[:2]) and not any(r.overdue for r in rows)
    staff = _clinician(app, make_user, login)
    page = staff.get("/staff/requests/").get_data(as_text=True)
    assert page.index(urgent) < page.index(worse) < page.index(old_routine) < page.index(answered)
    assert "Got worse" in page and "Risk answers" in page and "promised by" in page
    # Reviewed signals leave the band; a week later an unreviewed one is overdue, there and on system health.
    staff.post_form(f"/staff/requests/{urgent}/reviewed")
    rows, _ = service.queue()
    assert [r.request.reference for r in rows] == [worse, old_routine, urgent, answered]
    clock.advance(timedelta(days=7))
    rows, _ = service.queue()
    assert rows[0].overdue and "Overdue" in _clinician(app, make_user, login).get("/staff/requests/").get_data(
        as_text=True)
    assert service.overdue_signals()[0] == 1


def test_triage_allocates_notes_and_the_requester_sees_plain_words(app, client, services, make_user, login,
                                                                   frozen_clock):
    parent = make_user(role="parent")
    login(client, parent)
    reference, _ = send(client, "parent")
    staff = _clinician(app, make_user, login)
    page = staff.get(f"/staff/requests/{reference}").get_data(as_text=True)
    assert "Risk answers" in page and "Panicky before school." in page
    response = staff.post_form(f"/staff/requests/{reference}/update", {
        "status": "allocated", "thrive_group": "getting_help", "service_id": "point-1",
        "note_for_requester": "Point 1 will phone you to book."})
    assert response.status_code == 303
    req = db.session.scalar(select(SupportRequest))
    assert (req.status, req.service_id, req.thrive_group) == ("allocated", "point-1", "getting_help")
    assert req.assigned_clinician_id is not None
    assert db.session.scalar(select(ScheduledNotification)).user_id == parent.id
    assert db.session.scalar(select(FrontDoorDelivery).where(FrontDoorDelivery.kind == "update")) is not None
    timeline = client.get(f"/request-support/my-requests/{reference}").get_data(as_text=True)
    assert "Service chosen" in timeline and "Point 1 will phone you to book." in timeline
    assert "You are number 1 in the queue" in timeline  # the personal estimate from webapp.waits


def test_triage_refuses_bad_input_by_the_field(app, client, services, make_user, login):
    reference, _ = send(client, "parent")
    staff = _clinician(app, make_user, login)
    response = staff.post_form(f"/staff/requests/{reference}/update", {"status": "allocated", "service_id": "nope",
                                                                       "thrive_group": "getting_everything"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a service from the list." in page and "Choose a needs-based grouping from the list." in page
    response = staff.post_form(f"/staff/requests/{reference}/update", {"status": "more_information_needed"})
    assert "Write the question the requester should answer." in response.get_data(as_text=True)
    assert db.session.scalar(select(SupportRequest)).status == "received"


def test_things_have_got_worse_shows_help_flags_and_says_when_someone_will_look(app, client, services, make_user,
                                                                                login, frozen_clock):
    user = make_user(role="parent")
    login(client, user)
    reference, _ = send(client, "parent")
    response = client.post_form(f"/request-support/my-requests/{reference}/worse",
                                {"what_changed": "He said he wants to die"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Call 999" in page and "NHS 111, option 2" in page
    assert "will look at what you wrote by 17:00 on Tuesday, 16 June 2026 (UK time)." in page  # frozen on a Monday
    req = db.session.scalar(select(SupportRequest))
    assert [(s.kind, s.reviewed_at) for s in req.risk_signals] == [("worse", None)]
    assert [u.text for u in req.updates] == ["He said he wants to die"]
    staff = _clinician(app, make_user, login)
    assert "He said he wants to die" in staff.get(f"/staff/requests/{reference}").get_data(as_text=True)
    staff.post_form(f"/staff/requests/{reference}/reviewed")
    db.session.refresh(req, ["risk_signals"])
    assert req.risk_signals[0].reviewed_at is not None and req.risk_signals[0].reviewed_by_id is not None


def test_worse_needs_words_and_keeps_them(app, client, services, make_user, login):
    login(client, make_user(role="parent"))
    reference, _ = send(client, "parent")
    response = client.post_form(f"/request-support/my-requests/{reference}/worse", {"what_changed": ""})
    assert response.status_code == 400 and "Tell us what has changed." in response.get_data(as_text=True)


def _promised_day(moment):
    from webapp import clock
    from webapp.support.urgency import promise_after

    promised = clock.to_local(promise_after(moment))
    assert (promised.hour, promised.minute) == (17, 0)  # the end of a working day, UK time
    return promised.date()


def test_the_promise_skips_the_weekend():
    from datetime import UTC, date, datetime

    assert _promised_day(datetime(2026, 6, 19, 15, 0, tzinfo=UTC)) == date(2026, 6, 22)  # Friday -> Monday
    assert _promised_day(datetime(2026, 6, 20, 15, 0, tzinfo=UTC)) == date(2026, 6, 22)  # Saturday -> Monday


def test_the_promise_skips_bank_holidays_and_days_in_lieu():
    from datetime import UTC, date, datetime

    assert _promised_day(datetime(2026, 4, 2, 12, 0, tzinfo=UTC)) == date(2026, 4, 7)  # Easter
    assert _promised_day(datetime(2026, 12, 24, 12, 0, tzinfo=UTC)) == date(2026, 12, 29)  # Boxing Day in lieu
    assert _promised_day(datetime(2027, 12, 24, 12, 0, tzinfo=UTC)) == date(2027, 12, 29)  # both in lieu
    assert _promised_day(datetime(2026, 5, 22, 12, 0, tzinfo=UTC)) == date(2026, 5, 26)  # spring bank holiday
    # 23:30 on a Sunday in summer is already Monday in the UK: the promise is Tuesday, not Monday.
    assert _promised_day(datetime(2026, 6, 14, 23, 30, tzinfo=UTC)) == date(2026, 6, 16)


def test_the_triage_form_follows_the_written_transition_rules(app, client, services, make_user, login,
                                                              frozen_clock):
    reference, _ = send(client, "parent")
    staff = _clinician(app, make_user, login)
    update = f"/staff/requests/{reference}/update"
    refused = staff.post_form(update, {"status": "received"})
    assert refused.status_code == 400
    assert "The request already has this status." in refused.get_data(as_text=True)
    assert staff.post_form(update, {"status": "closed"}).status_code == 303
    page = staff.get(f"/staff/requests/{reference}").get_data(as_text=True)
    assert "Reopen: Looked at" in page
    refused = staff.post_form(update, {"status": "first_appointment"})
    assert refused.status_code == 400 and db.session.scalar(select(SupportRequest)).status == "closed"
    assert staff.post_form(update, {"status": "triaged", "note_for_requester": "We are looking again."}
                           ).status_code == 303
    req = db.session.scalar(select(SupportRequest))
    assert req.status == "triaged" and [e.status for e in req.events][-2:] == ["closed", "triaged"]
    from webapp.audit import AuditEvent

    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "support_request.reopened"))
