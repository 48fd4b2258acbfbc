"""Staff second factor logic, without a request."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from tests.helpers.two_factor import code_at_step, current_code, enrol, sign_in
from webapp import clock
from webapp.accounts import two_factor
from webapp.accounts.models import RecoveryCode
from webapp.accounts.two_factor import SessionTimes, session_ended_because
from webapp.extensions import db


def step_now() -> int:
    return int(clock.now().timestamp()) // two_factor.STEP_SECONDS


def test_set_up_keeps_one_key_until_confirmed_then_refuses_another(app, make_user, frozen_clock):
    user = make_user(role="clinician")
    credential = two_factor.start_enrolment(user)
    assert two_factor.start_enrolment(user).secret == credential.secret
    assert not two_factor.is_enrolled(user)
    assert two_factor.confirm_enrolment(user, "000000") is None
    codes = two_factor.confirm_enrolment(user, code_at_step(credential.secret, step_now()))
    assert codes is not None and len(codes) == 10
    assert two_factor.is_enrolled(user)
    with pytest.raises(ValueError):
        two_factor.start_enrolment(user)
    assert two_factor.confirm_enrolment(user, code_at_step(credential.secret, step_now() + 1)) is None


def test_a_key_left_from_an_abandoned_set_up_is_replaced(app, make_user, frozen_clock):
    user = make_user(role="base_staff")
    first = two_factor.start_enrolment(user).secret
    db.session.commit()
    db.session.expire_all()  # read back from the database, as the next sign-in would
    assert two_factor.start_enrolment(user).secret == first
    frozen_clock.advance(two_factor.PENDING_LIMIT + timedelta(seconds=1))
    assert two_factor.start_enrolment(user).secret != first


def test_the_confirming_code_cannot_be_used_again_to_sign_in(app, make_user, frozen_clock):
    user = make_user(role="clinician")
    credential = two_factor.start_enrolment(user)
    code = code_at_step(credential.secret, step_now())
    two_factor.confirm_enrolment(user, code)
    assert two_factor.verify_second_factor(user, code) is None


def test_provisioning_uri_names_flourish_and_the_account(app, make_user):
    user = make_user(role="admin", email="a.b@example.org")
    credential = two_factor.start_enrolment(user)
    uri = two_factor.provisioning_uri(user, credential)
    assert uri.startswith("otpauth://totp/Flourish:a.b%40example.org?")
    assert f"secret={credential.secret}" in uri and "issuer=Flourish" in uri


def test_qr_code_is_an_svg_drawn_here_with_a_white_background(app):
    uri = two_factor.qr_code_data_uri("otpauth://totp/Flourish:x?secret=JBSWY3DPEHPK3PXP&issuer=Flourish")
    assert uri.startswith("data:image/svg+xml")
    svg = uri.split(",", 1)[1]
    if ";base64" in uri.split(",", 1)[0]:
        svg = base64.b64decode(svg).decode()
    else:
        from urllib.parse import unquote

        svg = unquote(svg)
    assert "<svg" in svg and "#fff" in svg and "href" not in svg


def test_grouped_secret_is_easy_to_type(app):
    assert two_factor.grouped_secret("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


def test_recovery_codes_are_hashed_and_each_works_once(app, make_user, frozen_clock):
    user = make_user(role="base_staff")
    enrol(user)
    codes = two_factor.replace_recovery_codes(user)
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    assert not set(codes) & set(db.session.scalars(select(RecoveryCode.code_hash)).all())
    assert two_factor.verify_second_factor(user, f"  {codes[0].upper()} ") == "recovery"
    assert two_factor.verify_second_factor(user, codes[0]) is None
    assert two_factor.recovery_codes_left(user) == 9
    newer = two_factor.replace_recovery_codes(user)
    assert two_factor.verify_second_factor(user, codes[1]) is None
    assert two_factor.verify_second_factor(user, newer[1]) == "recovery"


def test_recovery_codes_do_nothing_without_a_switched_on_app(app, make_user, frozen_clock):
    user = make_user(role="base_staff")
    two_factor.start_enrolment(user)
    codes = two_factor.replace_recovery_codes(user)
    assert two_factor.verify_second_factor(user, codes[0]) is None


def test_reset_removes_everything_and_ends_sessions(app, make_user, frozen_clock):
    user = make_user(role="admin")
    enrol(user)
    two_factor.replace_recovery_codes(user)
    version = user.session_version
    two_factor.reset(user)
    assert not two_factor.is_enrolled(user)
    assert two_factor.recovery_codes_left(user) == 0
    assert user.session_version == version + 1


START = datetime(2026, 3, 29, 0, 45, tzinfo=UTC)  # the night the clocks go forward


@pytest.mark.parametrize(("signed_in", "seen", "now", "reason"), [
    (START, START, START + timedelta(minutes=29, seconds=59), None),
    (START, START, START + timedelta(minutes=30), "idle"),
    (START, START + timedelta(hours=11, minutes=59), START + timedelta(hours=11, minutes=59, seconds=59), None),
    (START, START + timedelta(hours=11, minutes=59), START + timedelta(hours=12), "total"),
])
def test_staff_session_limits_count_real_elapsed_time(signed_in, seen, now, reason):
    assert session_ended_because(SessionTimes(signed_in, seen), now) == reason


def test_a_staff_session_without_its_times_has_ended():
    assert session_ended_because(None, START) == "unknown"


def test_the_helper_gives_a_code_the_sign_in_accepts_again_and_again(app, make_user, frozen_clock):
    from tests.helpers.two_factor import two_factor_required

    user = make_user(role="clinician")
    with two_factor_required(app):
        for _ in range(4):  # four sign-ins within one 30-second step
            client = app.test_client()
            sign_in(client, user)
            assert client.get("/staff/").status_code == 200
        assert len(current_code(user)) == 6


def _stored_secret(user) -> str:
    """The authenticator key as the database holds it, read without the model's column type."""
    return db.session.execute(text("SELECT secret FROM two_factor_credentials WHERE user_id = :id"),
                              {"id": user.id}).scalar_one()


def test_authenticator_keys_are_sealed_at_rest_and_open_when_read(app, make_user, frozen_clock):
    user = make_user(role="clinician")
    secret = two_factor.start_enrolment(user).secret
    db.session.commit()
    stored = _stored_secret(user)
    assert secret not in stored
    assert Fernet(app.config["SEALING_KEYS"].split(",")[0]).decrypt(stored.encode()).decode() == secret
    db.session.expire_all()
    assert two_factor.confirm_enrolment(user, code_at_step(secret, step_now())) is not None


def test_a_new_sealing_key_opens_old_keys_and_reseal_moves_them_to_it(app, make_user, frozen_clock):
    user = make_user(role="admin")
    secret = two_factor.start_enrolment(user).secret
    db.session.commit()
    old_key = app.config["SEALING_KEYS"]
    new_key = Fernet.generate_key().decode()
    app.config["SEALING_KEYS"] = f"{new_key},{old_key}"
    db.session.expire_all()
    assert two_factor.credential_for(user).secret == secret
    result = app.test_cli_runner().invoke(args=["reseal-secrets"])
    assert result.exit_code == 0 and "Sealed 1 authenticator keys" in result.output
    app.config["SEALING_KEYS"] = new_key  # the old key can go now
    db.session.expire_all()
    assert two_factor.credential_for(user).secret == secret
    assert Fernet(new_key).decrypt(_stored_secret(user).encode()).decode() == secret
