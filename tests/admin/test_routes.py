"""/staff/admin/ through the test client: who may use it, and each change from form to database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.two_factor import enrol, two_factor_required
from webapp import clock
from webapp.accounts.models import TwoFactorCredential, User
from webapp.accounts.service import find_by_email
from webapp.audit import AuditEvent
from webapp.bookings import places
from webapp.bookings.models import BaseStaff, CommunityBase
from webapp.directory.models import Service
from webapp.extensions import db

PASSWORD_SHOWN = re.compile(r'<code class="two-factor-key">([^<]+)</code>')
SERVICE_FORM = {"service_id": "point-1", "name": "Point 1 support", "thrive_group": "getting_help",
                "description": "Talking therapies for ages 5 to 18.", "min_age": "5", "max_age": "18",
                "active": "y", "wait_note": "", "paused_reason": ""}
BASE_FORM = {"slug": "cromer-community-base", "name": "Cromer Community Base", "kind": "community_base",
             "town": "Cromer", "address": "1 Example Road, Cromer", "postcode_district": "NR27",
             "latitude": "52.93", "longitude": "1.30", "opening_hours": "Tuesdays 4pm to 6pm",
             "getting_there": "", "accessibility": "", "min_age": "11", "max_age": "18"}
PAGES = ["/staff/admin/", "/staff/admin/staff", "/staff/admin/staff/new", "/staff/admin/services",
         "/staff/admin/services/new", "/staff/admin/bases", "/staff/admin/bases/new", "/staff/admin/health"]


def page(response) -> str:
    return response.get_data(as_text=True)


def fresh(model, key):
    """The row as the database has it now (the requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, key)


# Who may use it ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["young_person", "parent", "professional", "base_staff", "clinician"])
def test_other_roles_get_the_403_page(app, make_user, signed_in, role):
    client = signed_in(make_user(role=role))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    victim = make_user(role="clinician")
    assert client.post_form(f"/staff/admin/staff/{victim.id}/deactivate").status_code == 403
    assert client.post_form("/staff/admin/services/new", SERVICE_FORM).status_code == 403
    assert fresh(User, victim.id).deactivated_at is None
    assert db.session.get(Service, "point-1") is None


def test_anyone_signed_out_is_sent_to_sign_in(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_staff_home_links_to_administration_for_admins_only(admin_client, make_user, signed_in):
    assert "/staff/admin/" in page(admin_client.get("/staff/"))
    assert "/staff/admin/" not in page(signed_in(make_user(role="clinician")).get("/staff/"))
    assert "/staff/admin/" not in page(signed_in(make_user(role="base_staff")).get("/staff/"))


def test_every_admin_page_answers(admin_client):
    for url in PAGES:
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/staff/admin/staff/987654").status_code == 404
    assert admin_client.get("/staff/admin/services/no-such-thing/edit").status_code == 404
    assert admin_client.get("/staff/admin/bases/987654/edit").status_code == 404


# Staff accounts ----------------------------------------------------------------------------------

def _cromer_base() -> CommunityBase:
    return places.save_base(CommunityBase(slug="cromer"), {**BASE_FORM, "latitude": 52.9, "longitude": 1.3,
                                                          "min_age": 11, "max_age": 18, "is_demo": False})


def test_the_staff_list_shows_role_base_sign_in_authenticator_and_status(admin_client, make_user):
    base = _cromer_base()
    worker = make_user(role="base_staff", email="worker@example.org")
    places.assign_staff(worker.id, base.id)
    nurse = make_user(role="clinician", email="nurse@example.org", deactivated_at=None)
    enrol(nurse)
    make_user(role="parent", email="parent@example.org")
    db.session.commit()

    html = page(admin_client.get("/staff/admin/staff"))

    assert "worker@example.org" in html and "nurse@example.org" in html and "admin.one@example.org" in html
    assert "parent@example.org" not in html
    assert "Cromer Community Base" in html and "Community base staff" in html and "Front door clinician" in html
    assert "Set up" in html and "Not set up yet" in html and "Never" in html


def test_making_a_staff_account_shows_its_password_once_and_they_sign_in_with_it(app, admin, admin_client):
    base = _cromer_base()
    db.session.commit()
    response = admin_client.post_form("/staff/admin/staff/new", {
        "email": "New.Worker@example.org", "role": "base_staff", "base_id": str(base.id)})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    user = find_by_email("new.worker@example.org")
    assert user.role == "base_staff" and db.session.get(BaseStaff, (user.id, base.id)) is not None

    password = PASSWORD_SHOWN.search(page(response)).group(1)  # shown in the answer to the form only
    cookie = admin_client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert password not in str(app.session_interface.get_signing_serializer(app).loads(cookie))  # nor in the cookie
    assert password not in page(admin_client.get(f"/staff/admin/staff/{user.id}"))
    assert password not in page(admin_client.get("/staff/admin/staff"))

    newcomer = app.test_client()
    with two_factor_required(app):
        signed = newcomer.post_form("/login", {"email": "new.worker@example.org", "password": password})
        assert signed.status_code == 303 and signed.headers["Location"].endswith("/login/two-factor/set-up")
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "account.created", AuditEvent.subject_id == str(user.id))) == admin.id


def test_a_staff_account_with_mistakes_keeps_what_was_typed_and_saves_nothing(admin_client):
    before = db.session.scalar(select(func.count()).select_from(User))
    response = admin_client.post_form("/staff/admin/staff/new", {"email": "not-an-email", "base_id": "0"})
    html = page(response)
    assert response.status_code == 422
    assert 'value="not-an-email"' in html
    assert "Enter an email address like name@example.com." in html and "Choose what this person does." in html
    assert 'class="error-summary"' in html
    assert db.session.scalar(select(func.count()).select_from(User)) == before

    taken = admin_client.post_form("/staff/admin/staff/new", {"email": "admin.one@example.org", "role": "admin"})
    assert taken.status_code == 422 and "There is already an account with this email address." in page(taken)


def test_deactivating_ends_their_session_and_refuses_sign_in_until_reactivated(app, make_user, admin_client,
                                                                                signed_in):
    nurse = make_user(role="clinician", email="nurse@example.org")
    theirs = signed_in(nurse)
    assert theirs.get("/staff/").status_code == 200

    response = admin_client.post_form(f"/staff/admin/staff/{nurse.id}/deactivate")
    assert response.status_code == 303
    assert "Account deactivated" in page(admin_client.get(response.headers["Location"]))
    assert fresh(User, nurse.id).deactivated_at is not None

    ended = theirs.get("/staff/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]  # their open session ended
    refused = app.test_client().post_form("/login", {"email": nurse.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 400
    assert "This account cannot be used to sign in." in page(refused)
    wrong = app.test_client().post_form("/login", {"email": nurse.email, "password": "not the password"})
    assert "The email address or password is not right." in page(wrong)
    assert "cannot be used to sign in" not in page(wrong)  # nothing said without the password

    assert admin_client.post_form(f"/staff/admin/staff/{nurse.id}/reactivate").status_code == 303
    assert fresh(User, nurse.id).deactivated_at is None
    assert app.test_client().post_form("/login", {"email": nurse.email, "password": DEFAULT_PASSWORD}).status_code \
        == 303


def test_deactivated_staff_part_way_through_sign_in_cannot_finish(app, make_user, admin_client):
    nurse = make_user(role="clinician", email="nurse@example.org")
    enrol(nurse)
    theirs = app.test_client()
    with two_factor_required(app):
        step = theirs.post_form("/login", {"email": nurse.email, "password": DEFAULT_PASSWORD})
        assert step.headers["Location"].endswith("/login/two-factor")
        admin_client.post_form(f"/staff/admin/staff/{nurse.id}/deactivate")
        answer = theirs.get("/login/two-factor")
        assert answer.status_code in (302, 303) and answer.headers["Location"].endswith("/login")


def test_an_admin_cannot_deactivate_their_own_account(admin, admin_client):
    response = admin_client.post_form(f"/staff/admin/staff/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in page(response)
    assert fresh(User, admin.id).deactivated_at is None
    assert admin_client.get("/staff/admin/").status_code == 200  # still signed in


def test_the_last_active_admin_is_kept(admin, make_user, admin_client):
    other = make_user(role="admin")
    assert admin_client.post_form(f"/staff/admin/staff/{other.id}/deactivate").status_code == 303
    assert fresh(User, other.id).deactivated_at is not None
    # Only `admin` is active now; it cannot deactivate itself, so at least one admin is always left.
    admin_client.post_form(f"/staff/admin/staff/{admin.id}/deactivate")
    active = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.deactivated_at.is_(None)))
    assert active == 1


def test_resetting_two_step_sign_in_for_a_lost_phone(app, make_user, admin_client, signed_in):
    nurse = make_user(role="clinician", email="nurse@example.org")
    enrol(nurse)
    theirs = signed_in(nurse)

    response = admin_client.post_form(f"/staff/admin/staff/{nurse.id}/reset-two-factor", follow_redirects=True)
    assert "Two-step sign-in reset." in page(response)
    assert fresh(TwoFactorCredential, nurse.id) is None
    assert theirs.get("/staff/").status_code == 302  # signed out
    with two_factor_required(app):
        again = app.test_client().post_form("/login", {"email": nurse.email, "password": DEFAULT_PASSWORD})
        assert again.headers["Location"].endswith("/login/two-factor/set-up")  # a new app at next sign-in


def test_a_new_temporary_password_is_shown_once(app, make_user, admin_client):
    nurse = make_user(role="clinician", email="nurse@example.org")
    response = admin_client.post_form(f"/staff/admin/staff/{nurse.id}/new-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = PASSWORD_SHOWN.search(page(response)).group(1)
    assert password not in page(admin_client.get(f"/staff/admin/staff/{nurse.id}"))
    assert app.test_client().post_form("/login", {"email": nurse.email, "password": password}).status_code == 303
    old = app.test_client().post_form("/login", {"email": nurse.email, "password": DEFAULT_PASSWORD})
    assert old.status_code == 400


def test_changes_need_the_csrf_token(make_user, admin_client):
    nurse = make_user(role="clinician")
    assert admin_client.post(f"/staff/admin/staff/{nurse.id}/deactivate").status_code in (303, 400)
    assert fresh(User, nurse.id).deactivated_at is None


# Services ----------------------------------------------------------------------------------------

def test_adding_and_changing_a_service(admin_client):
    response = admin_client.post_form("/staff/admin/services/new", SERVICE_FORM)
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/admin/services/point-1/edit")
    made = db.session.get(Service, "point-1")
    assert (made.name, made.thrive_group, made.min_age, made.max_age, made.active) == (
        "Point 1 support", "getting_help", 5, 18, True)
    assert "Point 1 support" in page(admin_client.get("/staff/admin/services"))

    changed = admin_client.post_form("/staff/admin/services/point-1/edit", {
        **SERVICE_FORM, "service_id": "something-else", "name": "Point 1", "paused": "y",
        "paused_reason": "Not taking new people until May.", "wait_note": "Waits are long.", "active": ""})
    assert changed.status_code == 303
    db.session.expire_all()
    made = db.session.get(Service, "point-1")
    assert (made.name, made.paused, made.paused_reason, made.wait_note, made.active) == (
        "Point 1", True, "Not taking new people until May.", "Waits are long.", False)
    assert db.session.get(Service, "something-else") is None  # the id never changes


def test_a_service_with_mistakes_keeps_what_was_typed_and_saves_nothing(admin_client):
    response = admin_client.post_form("/staff/admin/services/new", {
        **SERVICE_FORM, "service_id": "Point 1!", "min_age": "19", "max_age": "eighteen", "paused": "y"})
    html = page(response)
    assert response.status_code == 422
    assert 'value="Point 1!"' in html and 'value="Point 1 support"' in html
    assert "Talking therapies for ages 5 to 18." in html and 'value="eighteen"' in html
    assert "Enter an age in numbers, like 25." in html
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0

    response = admin_client.post_form("/staff/admin/services/new", {**SERVICE_FORM, "min_age": "19",
                                                                       "paused": "y"})
    html = page(response)
    assert response.status_code == 422
    assert "The oldest age must be the same as or more than the youngest age." in html
    assert "Say why the service is paused" in html
    assert db.session.scalar(select(func.count()).select_from(Service)) == 0


def test_a_change_to_a_service_with_mistakes_saves_nothing(admin_client):
    admin_client.post_form("/staff/admin/services/new", SERVICE_FORM)
    response = admin_client.post_form("/staff/admin/services/point-1/edit", {
        **SERVICE_FORM, "name": "A new name", "min_age": "20"})
    assert response.status_code == 422 and 'value="A new name"' in page(response)
    db.session.expire_all()
    assert db.session.get(Service, "point-1").name == "Point 1 support"


# Bases -------------------------------------------------------------------------------------------

def test_adding_and_changing_a_base(admin_client):
    response = admin_client.post_form("/staff/admin/bases/new", {**BASE_FORM, "postcode_district": "nr27 9ab"})
    assert response.status_code == 303
    base = places.base_by_slug("cromer-community-base")
    assert (base.postcode_district, base.latitude, base.min_age, base.is_demo) == ("NR27", 52.93, 11, False)
    assert response.headers["Location"].endswith(f"/staff/admin/bases/{base.id}/edit")
    assert admin_client.get("/bookings/bases/cromer-community-base").status_code == 200  # public at once

    changed = admin_client.post_form(f"/staff/admin/bases/{base.id}/edit", {
        **BASE_FORM, "slug": "elsewhere", "name": "Cromer Base", "is_demo": "y"})
    assert changed.status_code == 303
    db.session.expire_all()
    base = db.session.get(CommunityBase, base.id)
    assert (base.name, base.slug, base.is_demo) == ("Cromer Base", "cromer-community-base", True)


def test_a_decimal_comma_is_read_as_polish_portuguese_and_lithuanian_write_it(admin_client):
    response = admin_client.post_form("/staff/admin/bases/new", {**BASE_FORM, "latitude": "52,93",
                                                                 "longitude": "-1,25"})
    assert response.status_code == 303
    base = places.base_by_slug("cromer-community-base")
    assert (base.latitude, base.longitude) == (52.93, -1.25)


def test_a_base_with_mistakes_keeps_what_was_typed_and_saves_nothing(admin_client):
    response = admin_client.post_form("/staff/admin/bases/new", {
        **BASE_FORM, "postcode_district": "XYZ", "latitude": "north", "longitude": "40", "max_age": "8"})
    html = page(response)
    assert response.status_code == 422
    assert 'value="XYZ"' in html and 'value="north"' in html and 'value="Cromer Community Base"' in html
    assert "1 Example Road, Cromer" in html
    assert "Enter a number, like 52.63." in html and "Enter a longitude in the UK" in html
    assert db.session.scalar(select(func.count()).select_from(CommunityBase)) == 0

    response = admin_client.post_form("/staff/admin/bases/new", {**BASE_FORM, "postcode_district": "XYZ",
                                                                    "max_age": "8"})
    html = page(response)
    assert response.status_code == 422
    assert "Enter the first half of the postcode, like NR2 or PE30." in html
    assert "The oldest age must be the same as or more than the youngest age." in html
    assert db.session.scalar(select(func.count()).select_from(CommunityBase)) == 0


# System health -----------------------------------------------------------------------------------

def test_the_health_page_shows_the_database_and_the_outboxes(app, admin, admin_client):
    from tests.support.helpers import send
    from webapp.directory.service import sync_services_from_data

    sync_services_from_data()
    db.session.commit()
    send(app.test_client())  # a request for support: its record waits in the front door's outbox

    html = page(admin_client.get("/staff/admin/health"))
    assert "Yes, in" in html and "Push notifications" in html and "Records for the front door" in html
    assert "No webhook address is set" in html
    assert re.search(r"Waiting to send</dt><dd class=\"summary-list__value\">1 ", html)


def test_health_counts_risk_signals_past_their_promise(app, admin, admin_client, signed_in, frozen_clock):
    from datetime import timedelta

    from tests.support.helpers import send
    from webapp.directory.service import sync_services_from_data

    sync_services_from_data()
    db.session.commit()
    send(app.test_client(), "parent", {"safety": {"risk_self_harm": "yes"}})
    html = page(admin_client.get("/staff/admin/health"))
    assert re.search(r"Past the time promised to the person</dt><dd class=\"summary-list__value\">0<", html)
    clock.advance(timedelta(days=3))  # Thursday: the promise was Tuesday 17:00
    html = page(signed_in(admin).get("/staff/admin/health"))
    assert "the oldest was due 16 Jun 2026, 17:00" in html and "things need looking at." in html


def _made_with_a_temporary_password(admin_client) -> tuple[User, str]:
    response = admin_client.post_form("/staff/admin/staff/new", {"email": "temp@example.org", "role": "clinician"})
    return find_by_email("temp@example.org"), PASSWORD_SHOWN.search(page(response)).group(1)


def test_a_temporary_password_must_be_changed_before_anything_else(app, admin_client):
    user, password = _made_with_a_temporary_password(admin_client)
    newcomer = app.test_client()
    with two_factor_required(app, required=False):
        assert newcomer.post_form("/login", {"email": user.email, "password": password}).status_code == 303
        for path in ("/staff/", "/staff/requests/", "/settings/", "/goals/"):
            held = newcomer.get(path)
            assert held.status_code == 302 and held.headers["Location"].endswith("/settings/password"), path
        told = newcomer.get("/settings/password")
        assert told.status_code == 200 and "Choose a password of your own" in page(told)
        assert newcomer.get("/help-now").status_code == 200  # urgent help is never held back

        changed = newcomer.post_form("/settings/password", {"current_password": password,
                                                            "new_password": "a brand new pass phrase 2026"})
        assert changed.status_code == 303
        assert newcomer.get("/staff/").status_code == 200
    assert fresh(User, user.id).password_must_change is False


def test_the_recovery_codes_of_a_first_sign_in_are_shown_before_the_password_change(app, admin_client):
    from tests.helpers.two_factor import CODES_SHOWN, SECRET_SHOWN, code_at_step

    user, password = _made_with_a_temporary_password(admin_client)
    newcomer = app.test_client()
    with two_factor_required(app):
        signed = newcomer.post_form("/login", {"email": user.email, "password": password})
        assert signed.headers["Location"] == "/login/two-factor/set-up"
        secret = SECRET_SHOWN.search(page(newcomer.get("/login/two-factor/set-up"))).group(1).replace(" ", "")
        step = int(clock.now().timestamp()) // 30
        newcomer.post_form("/login/two-factor/set-up", {"code": code_at_step(secret, step)})
        codes = newcomer.get("/login/two-factor/recovery-codes")
        assert codes.status_code == 200 and len(CODES_SHOWN.findall(page(codes))) == 10
        assert newcomer.get("/staff/").headers["Location"].endswith("/settings/password")


def test_a_new_temporary_password_must_be_changed_too(app, make_user, admin_client):
    nurse = make_user(role="clinician", email="nurse@example.org")
    admin_client.post_form(f"/staff/admin/staff/{nurse.id}/new-password")
    assert fresh(User, nurse.id).password_must_change is True


def test_a_temporary_password_cannot_be_changed_to_itself(app, admin_client):
    user, password = _made_with_a_temporary_password(admin_client)
    newcomer = app.test_client()
    with two_factor_required(app, required=False):
        newcomer.post_form("/login", {"email": user.email, "password": password})
        same = newcomer.post_form("/settings/password", {"current_password": password, "new_password": password})
        assert same.status_code == 400
        assert newcomer.get("/staff/").headers["Location"].endswith("/settings/password")
    assert fresh(User, user.id).password_must_change is True


def test_a_deactivated_account_is_signed_out_whatever_its_cookie_says(app, make_user, admin_client, signed_in):
    """Deactivation ends sessions by their version; the account's own state is checked as well, so a
    session re-issued at the same moment (a password change racing the deactivation) ends too."""
    nurse = make_user(role="clinician", email="nurse@example.org")
    theirs = signed_in(nurse)
    assert theirs.get("/staff/").status_code == 200
    db.session.execute(update(User).where(User.id == nurse.id).values(deactivated_at=clock.now()))
    db.session.commit()  # as a racing deactivation would leave it: the session version unchanged
    assert theirs.get("/staff/").status_code == 302
