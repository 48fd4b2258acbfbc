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


def test_queue_puts_worse_first_then_urgent_then_oldest(app, client, services, make_user, login, frozen_clock):
    old_routine, _ = send(app.test_client(), "parent")
    clock.advance(timedelta(hours=1))
    urgent, _ = send(app.test_client(), "parent", {"safety": {"risk_self_harm": "yes"}})
    clock.advance(timedelta(hours=1))
    worse, _ = send(client, "parent")
    client.post_form("/track", {"reference": worse, "date_of_birth": "2012-03-27"})
    client.post_form(f"/track/{worse}/worse", {"what_changed": "She has stopped eating"})
    rows, total = service.queue()
    assert [r.reference for r in rows] == [worse, urgent, old_routine] and total == 3
    page = _clinician(app, make_user, login).get("/staff/requests/").get_data(as_text=True)
    assert page.index(worse) < page.index(urgent) < page.index(old_routine)
    assert "Got worse" in page


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
    assert "Someone will look at it by the end of Tuesday, 16 June 2026." in page  # frozen on a Monday
    req = db.session.scalar(select(SupportRequest))
    assert req.needs_review_at is not None and req.answers["updates"][0]["text"] == "He said he wants to die"
    staff = _clinician(app, make_user, login)
    assert "He said he wants to die" in staff.get(f"/staff/requests/{reference}").get_data(as_text=True)
    staff.post_form(f"/staff/requests/{reference}/reviewed")
    db.session.refresh(req)
    assert req.needs_review_at is None


def test_worse_needs_words_and_keeps_them(app, client, services, make_user, login):
    login(client, make_user(role="parent"))
    reference, _ = send(client, "parent")
    response = client.post_form(f"/request-support/my-requests/{reference}/worse", {"what_changed": ""})
    assert response.status_code == 400 and "Tell us what has changed." in response.get_data(as_text=True)


def test_review_by_skips_the_weekend():
    from datetime import UTC, date, datetime

    assert service.review_by(datetime(2026, 6, 19, 15, 0, tzinfo=UTC)) == date(2026, 6, 22)  # Friday -> Monday
    assert service.review_by(datetime(2026, 6, 20, 15, 0, tzinfo=UTC)) == date(2026, 6, 22)  # Saturday -> Monday


def test_review_by_skips_bank_holidays_and_days_in_lieu():
    from datetime import UTC, date, datetime

    assert service.review_by(datetime(2026, 4, 2, 12, 0, tzinfo=UTC)) == date(2026, 4, 7)  # Easter
    assert service.review_by(datetime(2026, 12, 24, 12, 0, tzinfo=UTC)) == date(2026, 12, 29)  # Boxing Day in lieu
    assert service.review_by(datetime(2027, 12, 24, 12, 0, tzinfo=UTC)) == date(2027, 12, 29)  # both in lieu
    assert service.review_by(datetime(2026, 5, 22, 12, 0, tzinfo=UTC)) == date(2026, 5, 26)  # spring bank holiday


def test_export_covers_the_requesters_requests(client, services, make_user, login):
    from webapp.accounts.service import export_personal_data

    user = make_user(role="parent")
    login(client, user)
    reference, _ = send(client, "parent")
    exported = export_personal_data(user)["requests_for_support"]
    assert exported[0]["reference"] == reference and exported[0]["answers"]["given_name"] == "Jamie"


def test_deleting_the_account_keeps_the_record_but_unlinks_it(client, services, make_user, login):
    from webapp.accounts.service import delete_account

    user = make_user(role="parent")
    login(client, user)
    send(client, "parent")
    delete_account(user)
    db.session.commit()
    req = db.session.scalar(select(SupportRequest))
    assert req.requester_user_id is None  # the front door holds the clinical record; it is no longer theirs


def test_demo_requests_are_seeded_once_for_the_demo_accounts(app, services):
    from webapp.demo import seed_accounts
    from webapp.support.demo import seed_requests

    seed_accounts()
    seed_requests()
    seed_requests()
    db.session.commit()
    rows = db.session.scalars(select(SupportRequest)).all()
    assert len(rows) == 3 and all(r.requester_user_id for r in rows)
    assert {r.status for r in rows} == {"allocated", "more_information_needed", "received"}
    assert any(r.priority == "urgent" for r in rows)
