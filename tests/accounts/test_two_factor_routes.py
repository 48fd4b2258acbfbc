"""Staff two-step sign-in through the test client, with STAFF_TWO_FACTOR_REQUIRED on."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.helpers.two_factor import CODES_SHOWN, SECRET_SHOWN, code_at_step, current_code, enrol, sign_in
from webapp import clock
from webapp.accounts import two_factor
from webapp.accounts.models import RecoveryCode, TwoFactorCredential, User
from webapp.audit import AuditEvent
from webapp.extensions import db

pytestmark = pytest.mark.usefixtures("staff_two_factor")

WRONG = "The code is not right. Check your authenticator app and try again."


def password_step(client, user, next_target: str = ""):
    return client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD, "next": next_target})


def step_now(secret: str) -> int:
    return int(clock.now().timestamp()) // two_factor.STEP_SECONDS


def set_up_through_the_pages(client, user) -> tuple[str, list[str]]:
    """Password, then the set-up page, a code from its key, then the recovery codes page."""
    assert password_step(client, user).headers["Location"] == "/login/two-factor/set-up"
    page = client.get("/login/two-factor/set-up").get_data(as_text=True)
    secret = SECRET_SHOWN.search(page).group(1).replace(" ", "")
    confirmed = client.post_form("/login/two-factor/set-up", {"code": code_at_step(secret, step_now(secret))})
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == "/login/two-factor/recovery-codes"
    codes = CODES_SHOWN.findall(client.get("/login/two-factor/recovery-codes").get_data(as_text=True))
    return secret, codes


@pytest.mark.parametrize("role", ["base_staff", "clinician", "admin"])
def test_staff_without_an_app_must_set_one_up_before_any_staff_page(client, make_user, frozen_clock, role):
    user = make_user(role=role)
    response = password_step(client, user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/two-factor/set-up"
    for path in ("/staff/", "/settings/", "/settings/two-factor", "/login/two-factor/recovery-codes"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and "/login" in blocked.headers["Location"], path
    page = client.get("/login/two-factor/set-up")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # the key is on this page
    assert 'src="data:image/svg+xml' in body  # the QR code, drawn here
    secret = SECRET_SHOWN.search(body).group(1).replace(" ", "")
    assert len(secret) == 32
    assert not re.search(r'src="(https?:)?//', body)  # nothing fetched from another site


def test_set_up_shows_the_same_key_until_it_is_confirmed(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    password_step(client, user)
    first = SECRET_SHOWN.search(client.get("/login/two-factor/set-up").get_data(as_text=True)).group(1)
    again = SECRET_SHOWN.search(client.get("/login/two-factor/set-up").get_data(as_text=True)).group(1)
    assert first == again


def test_a_wrong_confirmation_code_switches_nothing_on(client, make_user, frozen_clock):
    user = make_user(role="base_staff")
    password_step(client, user)
    client.get("/login/two-factor/set-up")
    refused = client.post_form("/login/two-factor/set-up", {"code": "000000"})
    assert refused.status_code == 400
    assert WRONG in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert not two_factor.is_enrolled(user)
    assert client.get("/staff/").status_code == 302
    empty = client.post_form("/login/two-factor/set-up", {"code": ""})
    assert empty.status_code == 400 and "Enter the code from your authenticator app." in empty.get_data(as_text=True)


def test_setting_up_signs_in_and_shows_recovery_codes_once(client, make_user, frozen_clock):
    user = make_user(role="admin")
    _secret, codes = set_up_through_the_pages(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200
    again = client.get("/login/two-factor/recovery-codes")
    assert again.status_code == 302  # shown once, gone from the session
    assert not any(code in again.get_data(as_text=True) for code in codes)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not set(stored) & {code.replace("-", "") for code in codes} and not set(stored) & set(codes)
    assert two_factor.is_enrolled(user)


def test_an_enrolled_person_cannot_set_up_a_new_app_to_skip_the_code(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    secret = enrol(user)
    response = password_step(client, user)
    assert response.headers["Location"] == "/login/two-factor"
    setup = client.get("/login/two-factor/set-up")
    assert setup.status_code == 303 and setup.headers["Location"] == "/login/two-factor"
    posted = client.post_form("/login/two-factor/set-up", {"code": code_at_step(secret, step_now(secret))})
    assert posted.status_code == 303 and posted.headers["Location"] == "/login/two-factor"
    assert client.get("/staff/").status_code == 302
    assert db.session.get(TwoFactorCredential, user.id).secret == secret


def test_sign_in_is_password_then_code(client, make_user, frozen_clock):
    user = make_user(role="base_staff")
    enrol(user)
    response = password_step(client, user, next_target="/settings/")
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/staff/").status_code == 302
    page = client.get("/login/two-factor")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.get_data(as_text=True)
    done = client.post_form("/login/two-factor", {"code": current_code(user)})
    assert done.status_code == 303 and done.headers["Location"] == "/settings/"
    assert client.get("/staff/").status_code == 200


def test_the_next_target_stays_on_this_site(client, make_user, frozen_clock):
    user = make_user(role="base_staff")
    enrol(user)
    password_step(client, user, next_target="https://evil.example/")
    done = client.post_form("/login/two-factor", {"code": current_code(user)})
    assert done.headers["Location"] == "/staff/"  # staff land on the staff home (issue 15)


def test_wrong_reused_and_made_up_codes_get_the_same_generic_answer(app, make_user, frozen_clock):
    user = make_user(role="clinician")
    secret = enrol(user)
    code = code_at_step(secret, step_now(secret))
    first = app.test_client()
    password_step(first, user)
    assert first.post_form("/login/two-factor", {"code": code}).status_code == 303
    answers = []
    for attempt in (code, "123456", "abcd-efgh-jkmn"):
        other = app.test_client()
        password_step(other, user)
        response = other.post_form("/login/two-factor", {"code": attempt})
        answers.append((response.status_code, WRONG in response.get_data(as_text=True)))
        assert other.get("/staff/").status_code == 302
    assert answers == [(400, True)] * 3


def test_a_code_from_an_earlier_step_is_refused_once_a_later_one_was_used(app, make_user, frozen_clock):
    user = make_user(role="admin")
    secret = enrol(user)
    now = step_now(secret)
    first = app.test_client()
    password_step(first, user)
    assert first.post_form("/login/two-factor", {"code": code_at_step(secret, now)}).status_code == 303
    second = app.test_client()
    password_step(second, user)
    assert second.post_form("/login/two-factor", {"code": code_at_step(secret, now - 1)}).status_code == 400
    # the next step's code (clock drift) is still good once
    assert second.post_form("/login/two-factor", {"code": code_at_step(secret, now + 1)}).status_code == 303


def test_codes_more_than_one_step_away_are_refused(client, make_user, frozen_clock):
    user = make_user(role="admin")
    secret = enrol(user)
    password_step(client, user)
    now = step_now(secret)
    for step in (now - 2, now + 2):
        assert client.post_form("/login/two-factor", {"code": code_at_step(secret, step)}).status_code == 400
    assert client.post_form("/login/two-factor", {"code": code_at_step(secret, now - 1)}).status_code == 303


def test_a_recovery_code_signs_in_once(app, make_user, frozen_clock):
    user = make_user(role="base_staff")
    setup_client = app.test_client()
    _secret, codes = set_up_through_the_pages(setup_client, user)
    first = app.test_client()
    password_step(first, user)
    used = first.post_form("/login/two-factor", {"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 303
    assert "You have 9 recovery codes left" in first.get("/").get_data(as_text=True)
    again = app.test_client()
    password_step(again, user)
    refused = again.post_form("/login/two-factor", {"code": codes[3]})
    assert refused.status_code == 400 and WRONG in refused.get_data(as_text=True)
    assert again.post_form("/login/two-factor", {"code": codes[4]}).status_code == 303


def test_wrong_codes_slow_this_address_down_for_this_account(app, make_user, frozen_clock):
    """Three wrong codes free, then a wait that doubles (the throttle); the right code after it."""
    user = make_user(role="clinician")
    enrol(user)
    for _ in range(3):
        client = app.test_client()  # a new browser each time: the count follows account and address
        password_step(client, user)
        assert client.post_form("/login/two-factor", {"code": "111111"}).status_code == 400
    client = app.test_client()
    password_step(client, user)
    limited = client.post_form("/login/two-factor", {"code": current_code(user)})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert "Too many tries. Wait 1 second, then try again." in limited.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    other = make_user(role="clinician")
    sign_in(app.test_client(), other)  # someone else is not slowed by it
    clock.advance(timedelta(seconds=1))
    assert client.post_form("/login/two-factor", {"code": current_code(user)}).status_code == 303


def test_wrong_set_up_codes_slow_this_address_down_too(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    password_step(client, user)
    for _ in range(3):
        assert client.post_form("/login/two-factor/set-up", {"code": "111111"}).status_code == 400
    limited = client.post_form("/login/two-factor/set-up", {"code": "222222"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert 'class="two-factor-key"' in limited.get_data(as_text=True)  # the key is still there to type


def test_the_code_step_logs_ids_only(client, make_user, frozen_clock, caplog):
    user = make_user(role="admin", email="private.staff@example.org")
    enrol(user)
    with caplog.at_level(logging.INFO):
        password_step(client, user)
        client.post_form("/login/two-factor", {"code": "654321"})
        code = current_code(user)
        client.post_form("/login/two-factor", {"code": code})
    assert f"two-factor code refused account={user.id}" in caplog.text
    assert "account.login" in caplog.text
    assert "private.staff" not in caplog.text
    assert "654321" not in caplog.text and code not in caplog.text


def test_the_sign_in_is_only_recorded_after_the_code(client, make_user, frozen_clock):
    user = make_user(role="admin")
    enrol(user)
    password_step(client, user)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert "account.password_verified" in actions and "account.login" not in actions
    assert db.session.get(User, user.id).last_login_at is None
    client.post_form("/login/two-factor", {"code": current_code(user)})
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert "account.login" in actions


def test_a_half_finished_sign_in_runs_out(client, make_user, frozen_clock):
    user = make_user(role="base_staff")
    enrol(user)
    password_step(client, user)
    frozen_clock.advance(timedelta(minutes=21))
    response = client.post_form("/login/two-factor", {"code": current_code(user)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Your sign-in was not finished in time" in client.get("/login").get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_the_code_step_without_a_password_step_goes_to_sign_in(client, make_user):
    assert client.get("/login/two-factor").headers["Location"] == "/login"
    assert client.get("/login/two-factor/set-up").headers["Location"] == "/login"


def test_a_password_change_elsewhere_ends_a_half_finished_sign_in(client, make_user, frozen_clock):
    user = make_user(role="base_staff")
    enrol(user)
    password_step(client, user)
    user.session_version += 1
    db.session.commit()
    assert client.post_form("/login/two-factor", {"code": current_code(user)}).headers["Location"] == "/login"


@pytest.mark.parametrize("role", ["young_person", "parent", "professional"])
def test_public_roles_sign_in_with_a_password_only_and_never_time_out(client, make_user, frozen_clock, role):
    user = make_user(role=role)
    response = password_step(client, user)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    frozen_clock.advance(timedelta(hours=13))
    assert client.get("/settings/").status_code == 200
    assert db.session.get(TwoFactorCredential, user.id) is None


def test_staff_sessions_end_after_30_minutes_idle(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    sign_in(client, user)
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200  # activity restarted the 30 minutes
    frozen_clock.advance(timedelta(minutes=30))
    ended = client.get("/staff/")
    assert ended.status_code == 302 and ended.headers["Location"] == "/login?next=/staff/"
    login_page = client.get("/login?next=/staff/").get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in login_page
    assert client.get("/settings/").status_code == 302


def test_after_a_timeout_the_api_answers_as_to_anyone_signed_out(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    sign_in(client, user)
    frozen_clock.advance(timedelta(minutes=31))
    assert client.get("/api/v1/waits").status_code == 200
    assert client.get("/staff/").status_code == 302  # the session has gone


def test_staff_sessions_end_12_hours_after_sign_in_however_busy(client, make_user, frozen_clock):
    user = make_user(role="admin")
    sign_in(client, user)
    for _ in range(24):  # 11 h 59 min of activity
        frozen_clock.advance(timedelta(minutes=30) - timedelta(seconds=1))
        assert client.get("/staff/").status_code == 200
    frozen_clock.advance(timedelta(minutes=20))
    ended = client.get("/settings/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert "12 hours after signing in" in client.get("/login").get_data(as_text=True)


def test_timeouts_apply_when_the_second_factor_is_off_too(app, client, make_user, frozen_clock):
    from tests.helpers.two_factor import two_factor_required

    with two_factor_required(app, False):
        user = make_user(role="base_staff")
        assert password_step(client, user).headers["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200
        frozen_clock.advance(timedelta(minutes=31))
        assert client.get("/staff/").status_code == 302


def test_a_staff_session_without_the_second_factor_ends_when_it_becomes_required(app, client, make_user,
                                                                                  frozen_clock):
    from tests.helpers.two_factor import two_factor_required

    user = make_user(role="base_staff")
    with two_factor_required(app, False):
        password_step(client, user)
        assert client.get("/staff/").status_code == 200
    ended = client.get("/staff/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert "Staff now sign in with a code" in client.get("/login").get_data(as_text=True)


def test_posting_after_a_timeout_goes_to_sign_in_and_changes_nothing(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    sign_in(client, user)
    token = client.csrf_token()  # the form was open on the page before the break
    codes_before = two_factor.recovery_codes_left(user)
    frozen_clock.advance(timedelta(minutes=31))
    response = client.post("/settings/two-factor", data={"csrf_token": token, "code": current_code(user)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id)) is None
    assert codes_before == 0


def test_settings_page_makes_new_recovery_codes_and_old_ones_stop_working(app, client, make_user, frozen_clock):
    user = make_user(role="clinician")
    _secret, old_codes = set_up_through_the_pages(client, user)
    page = client.get("/settings/")
    assert "Two-step sign-in" in page.get_data(as_text=True)
    status = client.get("/settings/two-factor").get_data(as_text=True)
    assert "Recovery codes left" in status and "<dd>10</dd>" in status
    frozen_clock.advance(timedelta(seconds=30))
    refused = client.post_form("/settings/two-factor", {"code": "000000"})
    assert refused.status_code == 400 and WRONG in refused.get_data(as_text=True)
    made = client.post_form("/settings/two-factor", {"code": current_code(user)})
    assert made.status_code == 303 and made.headers["Location"] == "/login/two-factor/recovery-codes"
    new_codes = CODES_SHOWN.findall(client.get("/login/two-factor/recovery-codes").get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = app.test_client()
    password_step(other, user)
    assert other.post_form("/login/two-factor", {"code": old_codes[0]}).status_code == 400
    assert other.post_form("/login/two-factor", {"code": new_codes[0]}).status_code == 303


def test_settings_link_is_for_staff_only(client, make_user, login):
    login(client, make_user(role="young_person"))
    assert "Two-step sign-in" not in client.get("/settings/").get_data(as_text=True)
    assert client.get("/settings/two-factor").status_code == 403


def test_reset_command_removes_the_app_and_ends_sessions(app, client, make_user, frozen_clock):
    user = make_user(role="base_staff", email="lost.phone@example.org")
    sign_in(client, user)
    two_factor.replace_recovery_codes(user)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "--email", "Lost.Phone@example.org"])
    assert result.exit_code == 0, result.output
    assert f"user {user.id}" in result.output and "lost.phone" not in result.output
    db.session.expire_all()
    assert db.session.get(TwoFactorCredential, user.id) is None
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    assert client.get("/staff/").status_code == 302  # signed out everywhere
    assert password_step(app.test_client(), user).headers["Location"] == "/login/two-factor/set-up"


def test_reset_command_for_an_unknown_email_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "--email", "nobody@example.org"])
    assert result.exit_code != 0 and "No account has that email address" in result.output


def test_demo_staff_set_up_an_app_at_first_sign_in(client, frozen_clock):
    from webapp.demo import DEMO_PASSWORD, seed_accounts

    seed_accounts()
    db.session.commit()
    for email in ("base.staff@demo.flourish", "clinician@demo.flourish", "admin@demo.flourish"):
        client.post_form("/logout")
        response = client.post_form("/login", {"email": email, "password": DEMO_PASSWORD})
        assert response.headers["Location"] == "/login/two-factor/set-up", email


def test_download_my_data_covers_the_second_factor_without_its_secrets(client, make_user, frozen_clock):
    user = make_user(role="admin")
    secret, codes = set_up_through_the_pages(client, user)
    exported = client.get("/settings/data/flourish-my-data.json")
    text = exported.get_data(as_text=True)
    section = exported.get_json()["two_factor"]
    assert section["switched_on_at"] == clock.now().isoformat()
    assert section["last_code_used_at"] == clock.now().isoformat()
    assert len(section["recovery_codes"]) == 10
    assert secret not in text and not any(code in text for code in codes)
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not any(value in text for value in hashes)


def test_deleting_a_staff_account_deletes_its_second_factor(client, make_user, frozen_clock):
    user = make_user(role="clinician")
    user_id = user.id
    set_up_through_the_pages(client, user)
    response = client.post_form("/settings/delete", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(TwoFactorCredential, user_id) is None
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id)).all() == []
