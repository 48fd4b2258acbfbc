"""webapp.admin.service on the real database: staff accounts, services, bases, system health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers.two_factor import enrol
from webapp import clock
from webapp.accounts import service as accounts
from webapp.accounts import two_factor
from webapp.accounts.models import RecoveryCode, TwoFactorCredential, User
from webapp.admin import service
from webapp.audit import AuditEvent
from webapp.bookings import places
from webapp.bookings.models import BaseStaff, CommunityBase
from webapp.directory.models import Service
from webapp.extensions import db

SERVICE = {"name": "Point 1 support", "thrive_group": "getting_help", "description": "Talking therapies.",
           "min_age": 5, "max_age": 18, "active": True, "wait_note": "", "paused": False, "paused_reason": ""}
BASE = {"name": "Cromer Community Base", "kind": "community_base", "town": "Cromer", "address": "1 Example Road",
        "postcode_district": "nr27", "latitude": 52.93, "longitude": 1.30, "getting_there": "", "accessibility": "",
        "opening_hours": "Tuesdays 4pm to 6pm", "min_age": 11, "max_age": 18, "is_demo": False}


def audit_actions(actor_id: int | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    return list(db.session.scalars(query))


# Staff accounts -----------------------------------------------------------------------------------

def test_the_list_has_every_staff_account_and_no_one_else(admin, make_user):
    base = places.save_base(CommunityBase(slug="cromer"), dict(BASE))
    worker = make_user(role="base_staff", email="b@example.org")
    places.assign_staff(worker.id, base.id)
    nurse = make_user(role="clinician", email="c@example.org")
    enrol(nurse)
    make_user(role="parent")
    make_user(role="young_person")
    accounts.deactivate(worker)
    db.session.commit()

    members = service.staff_accounts()

    assert [m.user.id for m in members] == [admin.id, nurse.id, worker.id]  # active first
    by_id = {m.user.id: m for m in members}
    assert by_id[worker.id].bases == ["Cromer Community Base"] and not by_id[worker.id].active
    assert by_id[nurse.id].authenticator and not by_id[admin.id].authenticator


def test_a_new_staff_account_has_a_strong_temporary_password_and_its_base(admin):
    base = places.save_base(CommunityBase(slug="cromer"), dict(BASE))
    user, password = service.create_staff_account(admin, email=" New.Person@Example.org ", role="base_staff",
                                                  base_id=base.id)
    db.session.commit()

    assert user.email == "new.person@example.org" and user.role == "base_staff"
    assert len(password) >= 20 and accounts.check_password(password).ok
    assert accounts.check_credentials("new.person@example.org", password).id == user.id
    assert db.session.get(BaseStaff, (user.id, base.id)) is not None
    assert not two_factor.is_enrolled(user)  # they set an app up at their first sign-in
    assert "account.created" in audit_actions(admin.id)
    assert service.temporary_password() != service.temporary_password()


@pytest.mark.parametrize(("email", "role", "field"), [
    ("admin.one@example.org", "clinician", "email"),  # already taken
    ("someone@example.org", "young_person", "role"),  # not a staff role
    ("someone@example.org", "", "role"),
])
def test_a_staff_account_that_breaks_a_rule_is_not_made(admin, email, role, field):
    before = accounts.count_users()
    with pytest.raises(service.AdminErrors) as raised:
        service.create_staff_account(admin, email=email, role=role)
    db.session.rollback()
    assert field in raised.value.errors
    assert accounts.count_users() == before


def test_deactivating_ends_every_session_and_refuses_sign_in(admin, make_user, frozen_clock):
    nurse = make_user(role="clinician")
    version = nurse.session_version
    service.deactivate_staff(admin, nurse)
    db.session.commit()

    assert nurse.deactivated_at == clock.now()
    assert nurse.session_version == version + 1
    with pytest.raises(accounts.AccountDeactivated):
        accounts.check_credentials(nurse.email, "correct horse battery staple")
    assert accounts.check_credentials(nurse.email, "wrong password") is None  # says nothing more
    assert accounts.authenticate(nurse.email, "correct horse battery staple") is None
    assert "account.deactivated" in audit_actions(admin.id)

    service.reactivate_staff(admin, nurse)
    db.session.commit()
    assert nurse.deactivated_at is None
    assert accounts.check_credentials(nurse.email, "correct horse battery staple").id == nurse.id
    assert "account.reactivated" in audit_actions(admin.id)


def test_an_admin_cannot_deactivate_themselves(admin):
    with pytest.raises(service.NotAllowed):
        service.deactivate_staff(admin, admin)
    assert admin.deactivated_at is None


def test_the_last_active_admin_cannot_be_deactivated(admin, make_user):
    other = make_user(role="admin")
    accounts.deactivate(admin)  # as if `admin` were deactivated by someone else a moment ago
    db.session.commit()
    with pytest.raises(service.NotAllowed, match="last active administrator"):
        service.deactivate_staff(admin, other)
    db.session.rollback()
    assert db.session.get(User, other.id).deactivated_at is None


def test_with_two_active_admins_one_can_deactivate_the_other(admin, make_user):
    other = make_user(role="admin")
    service.deactivate_staff(admin, other)
    db.session.commit()
    assert other.deactivated_at is not None


def test_resetting_the_second_factor_removes_the_app_and_codes_and_ends_sessions(admin, make_user):
    nurse = make_user(role="clinician")
    enrol(nurse)
    two_factor.replace_recovery_codes(nurse)
    db.session.commit()
    version = nurse.session_version

    service.reset_second_factor(admin, nurse)
    db.session.commit()

    assert db.session.get(TwoFactorCredential, nurse.id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == nurse.id)) == 0
    assert nurse.session_version == version + 1
    assert "admin.two_factor_reset" in audit_actions(admin.id)
    with pytest.raises(service.NotAllowed):
        service.reset_second_factor(admin, admin)


def test_a_new_temporary_password_replaces_the_old_one(admin, make_user):
    nurse = make_user(role="clinician")
    password = service.new_temporary_password(admin, nurse)
    db.session.commit()
    assert accounts.check_credentials(nurse.email, "correct horse battery staple") is None
    assert accounts.check_credentials(nurse.email, password).id == nurse.id
    with pytest.raises(service.NotAllowed):
        service.new_temporary_password(admin, admin)


# Services -----------------------------------------------------------------------------------------

def test_a_service_is_added_and_changed(admin):
    service.add_service(admin, "point-1", dict(SERVICE))
    db.session.commit()
    made = db.session.get(Service, "point-1")
    assert (made.name, made.thrive_group, made.min_age, made.max_age, made.wait_note) == (
        "Point 1 support", "getting_help", 5, 18, None)

    service.change_service(admin, made, {**SERVICE, "paused": True, "paused_reason": " Full until May. ",
                                         "active": False})
    db.session.commit()
    assert (made.paused, made.paused_reason, made.active) == (True, "Full until May.", False)
    service.change_service(admin, made, {**SERVICE, "paused": False, "paused_reason": "left over"})
    db.session.commit()
    assert (made.paused, made.paused_reason) == (False, None)
    assert audit_actions(admin.id)[-3:] == ["admin.service_added", "admin.service_changed", "admin.service_changed"]


@pytest.mark.parametrize(("service_id", "values", "field"), [
    ("Point 1", {}, "service_id"),
    ("point-1", {"thrive_group": "getting_better"}, "thrive_group"),
    ("point-1", {"min_age": 19, "max_age": 18}, "max_age"),
    ("point-1", {"paused": True, "paused_reason": "  "}, "paused_reason"),
])
def test_a_service_that_breaks_a_rule_is_not_saved(admin, service_id, values, field):
    with pytest.raises(service.AdminErrors) as raised:
        service.add_service(admin, service_id, {**SERVICE, **values})
    db.session.rollback()
    assert field in raised.value.errors
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0


def test_a_service_id_is_used_once(admin):
    service.add_service(admin, "point-1", dict(SERVICE))
    db.session.commit()
    with pytest.raises(service.AdminErrors) as raised:
        service.add_service(admin, "point-1", dict(SERVICE))
    assert "service_id" in raised.value.errors


# Bases --------------------------------------------------------------------------------------------

def test_a_base_is_added_and_changed(admin):
    base = service.add_base(admin, "cromer-community-base", dict(BASE))
    db.session.commit()
    assert base.postcode_district == "NR27" and places.base_by_slug("cromer-community-base").id == base.id
    assert base.is_demo is False

    service.change_base(admin, base, {**BASE, "name": "Cromer Base", "postcode_district": "NR27 9AB"})
    db.session.commit()
    base = db.session.get(CommunityBase, base.id)
    assert (base.name, base.postcode_district, base.slug) == ("Cromer Base", "NR27", "cromer-community-base")
    assert audit_actions(admin.id)[-2:] == ["admin.base_added", "admin.base_changed"]


@pytest.mark.parametrize(("slug", "values", "field"), [
    ("Cromer Base", {}, "slug"),
    ("cromer", {"postcode_district": "not a postcode"}, "postcode_district"),
    ("cromer", {"kind": "castle"}, "kind"),
    ("cromer", {"min_age": 20, "max_age": 14}, "max_age"),
])
def test_a_base_that_breaks_a_rule_is_not_saved(admin, slug, values, field):
    with pytest.raises(service.AdminErrors) as raised:
        service.add_base(admin, slug, {**BASE, **values})
    db.session.rollback()
    assert field in raised.value.errors
    assert service.all_bases() == []


# System health ------------------------------------------------------------------------------------

def test_health_counts_the_outboxes(app, admin, frozen_clock):
    from webapp.notifications import service as notifications
    from webapp.outbox import FAILED

    now = clock.now()
    notifications.schedule(user_id=admin.id, kind="test", due_at=now - timedelta(hours=1), title="t", body="b")
    notifications.schedule(user_id=admin.id, kind="test", due_at=now + timedelta(hours=1), title="t", body="b")
    failed = notifications.schedule(user_id=admin.id, kind="test", due_at=now, title="t", body="b")
    db.session.flush()
    failed.status = FAILED
    db.session.commit()

    from webapp.worker import beat

    beat(now - timedelta(seconds=30))  # a worker is running
    with app.test_request_context("/staff/admin/health"):  # the version is worked out from the page URLs
        health = service.health()

    assert health.workers.running == 1 and health.workers.last_pass_at == now - timedelta(seconds=30)
    assert health.database_up and health.database_ms is not None
    assert (health.push.waiting, health.push.failed, health.push.overdue) == (2, 1, 1)
    assert health.push.oldest_waiting_since == now - timedelta(hours=1)
    assert health.front_door.waiting == 0 and health.front_door.last_sent_at is None
    assert health.problems == 1
    assert health.offline_version


def test_health_says_when_the_database_is_not_answering(app, monkeypatch):
    import webapp.core.service

    monkeypatch.setattr(webapp.core.service, "database_is_up", lambda: False)
    health = service.health()
    assert not health.database_up and health.push is None and health.problems == 1


def test_health_says_when_no_worker_has_run_lately(app, frozen_clock):
    from webapp.worker import beat

    with app.test_request_context("/staff/admin/health"):
        never = service.health()
    assert never.workers.stopped and never.workers.last_pass_at is None and never.problems == 1

    beat(clock.now() - timedelta(minutes=5))  # it passed, then stopped
    with app.test_request_context("/staff/admin/health"):
        stopped = service.health()
    assert stopped.workers.stopped and stopped.workers.last_pass_at == clock.now() - timedelta(minutes=5)
    assert stopped.problems == 1
