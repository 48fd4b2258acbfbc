"""The safety plan's logic: what is kept, phone numbers, sharing, a worker's additions, the review reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.safety_plan.conftest import HOSTILE_TEXT
from webapp import clock
from webapp.audit import AuditEvent
from webapp.extensions import db
from webapp.notifications.models import SAFETY_PLAN_REVIEW, ScheduledNotification
from webapp.safety_plan import service


def actions():
    return [event.action for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize("typed, digits", [
    ("07700 900123", "07700900123"), ("+44 7700 900123", "+447700900123"), ("(01603) 123-456", "01603123456"),
    ("116 123", "116123"), ("999", "999"), ("85258", "85258"),
])
def test_phone_numbers_people_type_are_accepted(typed, digits):
    assert service.phone_digits(typed) == digits
    assert service.valid_phone(typed)


@pytest.mark.parametrize("typed", ["07700 9OO123", "call mum", "12", "+", "0770090012312345678", "++447700900123",
                                   "07700;900123", "٠٧٧٠٠٩٠٠١٢٣"])
def test_phone_numbers_that_cannot_be_dialled_are_refused_with_a_clear_message(typed):
    assert not service.valid_phone(typed)
    with pytest.raises(service.PlanError) as refused:
        service.clean_content({"trusted_phone": typed})
    assert refused.value.field == "trusted_phone"
    assert "digits" in str(refused.value.message)


def test_long_text_emoji_and_right_to_left_are_kept_exactly():
    content = service.clean_content({"reasons": HOSTILE_TEXT, "trusted_name": "Nan 👵 سارة", "unknown": "dropped"})
    assert content == {"reasons": HOSTILE_TEXT, "trusted_name": "Nan 👵 سارة"}
    with pytest.raises(service.PlanError) as refused:
        service.clean_content({"coping": "x" * (service.TEXT_LIMIT + 1)})
    assert refused.value.field == "coping"


def test_the_account_copy_and_sharing_are_off_by_default_and_saving_needs_the_choice(app, young):
    plan = service.settings_for(young.id)
    assert not plan.keep_in_account and not plan.share_with_worker and plan.content == {}
    with pytest.raises(service.PlanError):
        service.save(young.id, {"coping": "music"})
    with pytest.raises(service.PlanError):
        service.set_sharing(young.id, True)
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"coping": "music", "reasons": HOSTILE_TEXT})
    db.session.commit()
    assert service.account_copy(young.id).content == {"coping": "music", "reasons": HOSTILE_TEXT}


def test_turning_the_account_copy_off_deletes_it_and_stops_sharing(app, young, clinician, make_request):
    make_request(young, clinician)
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"coping": "music"})
    service.set_sharing(young.id, True)
    service.add_by_worker(clinician, young.id, "coping", "Ring the Samaritans")
    service.set_review(young.id, clock.today_local() + timedelta(days=14))
    db.session.commit()
    service.set_keep_in_account(young.id, False)
    db.session.commit()
    plan = service.plan_for(young.id)
    assert plan.content == {} and not plan.share_with_worker and plan.review_on is None
    assert service.additions_for(young.id) == []
    assert service.pending_review(young.id) is None
    assert not service.worker_may_see(clinician, young.id)
    assert "safety_plan.account_copy_off" in actions()


def test_only_the_allocated_clinician_sees_a_shared_plan(app, make_user, young, clinician, make_request):
    make_request(young, clinician)
    parent, admin, other = make_user(role="parent"), make_user(role="admin"), make_user(role="clinician")
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"coping": "music"})
    db.session.commit()
    assert not service.worker_may_see(clinician, young.id)  # not shared yet
    service.set_sharing(young.id, True)
    db.session.commit()
    assert service.worker_may_see(clinician, young.id)
    for viewer in (parent, admin, other, young):
        assert not service.worker_may_see(viewer, young.id)
    service.set_sharing(young.id, False)
    db.session.commit()
    assert not service.worker_may_see(clinician, young.id)
    assert actions().count("safety_plan.sharing_on") == 1 and "safety_plan.sharing_off" in actions()


def test_a_worker_adds_to_a_shared_plan_and_who_wrote_it_is_kept(app, young, clinician, make_request):
    make_request(young, clinician)
    service.set_keep_in_account(young.id, True)
    service.set_sharing(young.id, True)
    addition = service.add_by_worker(clinician, young.id, "safer", "Mum keeps the tablets")
    db.session.commit()
    assert addition.author_id == clinician.id and addition.step == "safer"
    assert service.additions_by_step(young.id)["safer"][0].text == "Mum keeps the tablets"
    with pytest.raises(service.PlanError):
        service.add_by_worker(clinician, young.id, "nonsense", "x")
    with pytest.raises(service.PlanError):
        service.add_by_worker(clinician, young.id, "safer", "   ")
    service.set_sharing(young.id, False)
    with pytest.raises(PermissionError):
        service.add_by_worker(clinician, young.id, "safer", "more")
    assert "safety_plan.worker_added" in actions()


def test_a_review_day_schedules_one_discreet_reminder_in_the_outbox(app, young, frozen_clock):
    day = clock.today_local() + timedelta(days=30)
    service.set_review(young.id, day)
    service.set_review(young.id, day + timedelta(days=1))
    db.session.commit()
    pending = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.status == "pending")).all()
    assert len(pending) == 1
    reminder = pending[0]
    assert reminder.kind == SAFETY_PLAN_REVIEW and reminder.url == "/safety-plan"
    assert clock.to_local(reminder.due_at).date() == day + timedelta(days=1)
    assert clock.to_local(reminder.due_at).hour == 10
    assert "plan" not in reminder.title.lower() and "safety" not in reminder.body.lower()
    service.set_review(young.id, None)
    db.session.commit()
    assert service.pending_review(young.id) is None


@pytest.mark.parametrize("days", [0, -1, 400])
def test_a_review_day_must_be_after_today_and_within_a_year(app, young, frozen_clock, days):
    with pytest.raises(service.PlanError) as refused:
        service.set_review(young.id, clock.today_local() + timedelta(days=days))
    assert refused.value.field == "review_on"


def test_the_plan_is_in_the_persons_own_export_and_as_a_text_file(app, young):
    assert service.export_for(young) is None
    service.set_keep_in_account(young.id, True)
    service.save(young.id, {"coping": "music 🎧", "trusted_name": "Nan", "trusted_phone": "07700 900123"})
    db.session.commit()
    exported = service.export_for(young)
    assert exported["content"]["coping"] == "music 🎧" and exported["share_with_worker"] is False
    text = service.as_text(service.account_copy(young.id).content)
    assert "music 🎧" in text and "Nan 07700 900123" in text


def test_a_new_plan_is_prefilled_with_crisis_lines_open_day_and_night(app):
    with app.test_request_context():
        values = service.prefilled()
    assert values["professional_1_phone"] == "111"
    assert all(service.valid_phone(values[name]) for name in values if name.endswith("_phone"))
