"""Proving a phone number or email address (#20 item 4): a 6-digit code sent to it, typed back;
kept hashed, expiring, a few tries per code, a few codes per address an hour."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.accounts.messages import last_to, sent_to
from webapp.accounts import verification
from webapp.accounts.models import ContactCode, ProvedContact
from webapp.extensions import db, limiter
from webapp.messaging.addresses import AddressError

PHONE = "+447700900123"


def code_sent_to(address: str) -> str:
    return last_to(address, "verify_code").personalisation["code"]


def start(user_id, address=PHONE, channel="sms"):
    verification.start(user_id, channel, address, "en")
    db.session.commit()


def test_a_code_proves_the_address_for_that_person_only(make_user, frozen_clock):
    user, other = make_user(), make_user()
    start(user.id, "07700 900123")  # as people type it
    code = code_sent_to(PHONE)
    assert re.fullmatch(r"\d{6}", code)
    assert not verification.is_proved(user.id, "sms", PHONE)
    assert verification.confirm(user.id, "sms", "+44 7700 900123", code)
    db.session.commit()
    for typed in (PHONE, "07700900123", "0044 7700 900 123", "+44 (0)7700-900123"):
        assert verification.is_proved(user.id, "sms", typed), typed
    assert not verification.is_proved(other.id, "sms", PHONE)
    assert not verification.is_proved(None, "sms", PHONE)
    assert not verification.is_proved(user.id, "sms", "07700 900124")  # a changed number is not proved


def test_the_code_is_kept_only_as_a_keyed_hash(make_user, frozen_clock):
    import hashlib

    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    stored = db.session.query(ContactCode).one()
    assert code not in stored.code_hash
    assert stored.code_hash != hashlib.sha256(code.encode()).hexdigest()


def test_a_code_works_once(make_user, frozen_clock):
    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    assert verification.confirm(user.id, "sms", PHONE, code)
    assert verification.check(user.id, "sms", PHONE, code).outcome is verification.Outcome.NO_CODE


def test_a_code_expires_after_ten_minutes(make_user, frozen_clock):
    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    frozen_clock.advance(timedelta(minutes=10))
    assert verification.check(user.id, "sms", PHONE, code).outcome is verification.Outcome.EXPIRED
    assert not verification.is_proved(user.id, "sms", PHONE)


def test_a_code_just_in_time_still_works(make_user, frozen_clock):
    user = make_user()
    start(user.id)
    frozen_clock.advance(timedelta(minutes=9, seconds=59))
    assert verification.confirm(user.id, "sms", PHONE, code_sent_to(PHONE))


def test_five_wrong_tries_spend_a_code(make_user, frozen_clock):
    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    results = [verification.check(user.id, "sms", PHONE, wrong) for _ in range(5)]
    assert [result.tries_left for result in results[:4]] == [4, 3, 2, 1]
    assert results[4].outcome is verification.Outcome.SPENT
    assert verification.check(user.id, "sms", PHONE, code).outcome is verification.Outcome.SPENT
    assert not verification.is_proved(user.id, "sms", PHONE)


def test_only_the_newest_code_counts(make_user, frozen_clock):
    user = make_user()
    start(user.id)
    first = code_sent_to(PHONE)
    start(user.id)
    second = code_sent_to(PHONE)
    if first != second:
        assert not verification.confirm(user.id, "sms", PHONE, first)
    assert verification.confirm(user.id, "sms", PHONE, second)


def test_three_codes_an_hour_to_one_address(make_user, frozen_clock):
    user, someone_else = make_user(), make_user()
    for _ in range(3):
        start(user.id)
    with pytest.raises(verification.ProofError) as refused:
        start(someone_else.id)  # whoever asks: the limit protects the phone's owner
    assert "ask for a new one in 60 minutes" in str(refused.value.message)
    assert len(sent_to(PHONE, "verify_code")) == 3
    frozen_clock.advance(timedelta(minutes=30))
    with pytest.raises(verification.ProofError) as refused:
        start(user.id)
    assert "in 30 minutes" in str(refused.value.message)
    frozen_clock.advance(timedelta(minutes=31))
    start(user.id)
    assert len(sent_to(PHONE, "verify_code")) == 4


@pytest.mark.parametrize("typed", ["", "12345", "07700 90012", "+1 202 555 0100", "01603 123456", "phone me"])
def test_numbers_that_cannot_take_a_text_are_refused_with_a_message(make_user, typed):
    with pytest.raises(AddressError) as refused:
        verification.start(make_user().id, "sms", typed, "en")
    assert str(refused.value.message)
    assert db.session.query(ContactCode).count() == 0


def test_emails_are_proved_too_whatever_their_case_around_the_domain(make_user, frozen_clock):
    user = make_user()
    start(user.id, " sam@Example.ORG ", "email")
    code = code_sent_to("sam@example.org")
    assert verification.confirm(user.id, "email", "sam@example.org", code)
    assert verification.is_proved(user.id, "email", "sam@EXAMPLE.org")


def test_someone_without_an_account_can_prove_a_number(app, frozen_clock):
    start(None)
    assert verification.confirm(None, "sms", PHONE, code_sent_to(PHONE))
    db.session.commit()
    assert verification.is_proved(None, "sms", PHONE)


# The page ---------------------------------------------------------------------------------------------

def test_the_page_sends_a_code_and_takes_it_back_without_javascript(client, make_user, login, frozen_clock):
    user = make_user()
    login(client, user)
    with client.application.test_request_context():
        url = verification.prove_url("sms", "07700 900123", next="/settings/")
    assert "07700" not in url and "447700" not in url  # the number is sealed, never readable in a URL
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "We will send a 6-digit code to 07700 900123" in body and 'name="code"' not in body
    sent = client.post_form(url + "/send")
    assert sent.status_code == 303 and sent.headers["Location"] == url
    body = client.get(url).get_data(as_text=True)
    assert "We sent a 6-digit code to 07700 900123" in body and 'autocomplete="one-time-code"' in body

    wrong = client.post_form(url, {"code": "12 34 5x"})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "That is not the code we sent. You can try 4 more times." in body
    assert 'value="12 34 5x"' in body and 'href="#code"' in body  # kept, and linked from the summary
    right = client.post_form(url, {"code": " " + code_sent_to(PHONE)[:3] + " " + code_sent_to(PHONE)[3:]})
    assert right.status_code == 303 and right.headers["Location"] == "/settings/"
    assert "is confirmed as yours" in client.get("/settings/").get_data(as_text=True)
    assert verification.is_proved(user.id, "sms", PHONE)


def test_the_page_says_when_no_more_codes_can_go_next_to_the_button(client, make_user, login, frozen_clock):
    user = make_user()
    login(client, user)
    with client.application.test_request_context():
        url = verification.prove_url("sms", PHONE)
    for _ in range(3):
        assert client.post_form(url + "/send").status_code == 303
    refused = client.post_form(url + "/send")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="send-code-error"' in body and 'href="#send-code"' in body
    assert "We have sent as many codes to this address as we can for now" in body


def test_an_expired_code_says_so_and_offers_a_new_one(client, make_user, login, frozen_clock):
    user = make_user()
    login(client, user)
    with client.application.test_request_context():
        url = verification.prove_url("email", "sam@example.org")
    client.post_form(url + "/send")
    frozen_clock.advance(timedelta(minutes=11))
    answer = client.post_form(url, {"code": code_sent_to("sam@example.org")})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "That code has expired" in body and "Send me a code" in body


def test_codes_sent_are_limited_per_client_address(client, frozen_clock):
    for number in range(10):  # throttle.CODES_SENT
        with client.application.test_request_context():
            url = verification.prove_url("sms", f"07700 9001{number:02d}")
        assert client.post_form(url + "/send").status_code == 303
    limiter_page = client.post_form(url + "/send")
    assert limiter_page.status_code == 429 and "Too many tries" in limiter_page.get_data(as_text=True)
    limiter.reset()


def test_a_link_that_is_not_ours_or_too_old_is_not_found(client, frozen_clock):
    assert client.get("/contact/prove/not-a-sealed-thing").status_code == 404
    with client.application.test_request_context():
        url = verification.prove_url("sms", PHONE)
    frozen_clock.advance(timedelta(hours=23))
    assert client.get(url).status_code == 200
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    assert client.get(url).status_code == 404


def test_proofs_go_with_the_account(make_user, frozen_clock):
    from webapp.accounts import service

    user = make_user()
    start(user.id)
    verification.confirm(user.id, "sms", PHONE, code_sent_to(PHONE))
    db.session.commit()
    service.delete_account(user)
    db.session.commit()
    assert db.session.query(ProvedContact).count() == 0 and db.session.query(ContactCode).count() == 0


def test_tries_made_at_once_never_exceed_five(app, make_user, frozen_clock):
    """Run on PostgreSQL too: each try is counted in the database before it is compared."""
    from tests.helpers.at_once import at_once

    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    results = at_once(app, lambda: verification.check(user.id, "sms", PHONE, wrong).outcome, workers=8)
    assert results.count(verification.Outcome.WRONG) + results.count(verification.Outcome.SPENT) == 8, results
    db.session.expire_all()
    assert db.session.query(ContactCode).one().tries == verification.MAX_TRIES
    assert not verification.confirm(user.id, "sms", PHONE, code)


def test_codes_asked_for_at_once_never_exceed_three_an_hour(app, make_user, frozen_clock):
    """Run on PostgreSQL too: each start takes the address's lock before it counts, so codes asked for
    at the same moment (several workers, several app instances) are counted one after the other."""
    from tests.helpers.at_once import at_once

    askers = iter([make_user().id for _ in range(7)] + [None])  # whoever asks: the limit is the address's
    results = at_once(app, lambda: verification.start(next(askers), "sms", PHONE, "en"), workers=8)
    assert results.count(None) == verification.CODES_PER_HOUR, results
    assert all(isinstance(result, verification.ProofError) for result in results if result is not None), results
    db.session.expire_all()
    assert db.session.query(ContactCode).count() == verification.CODES_PER_HOUR
    assert len(sent_to(PHONE, "verify_code")) == verification.CODES_PER_HOUR


def test_a_right_code_sent_twice_at_once_proves_once(app, make_user, frozen_clock):
    from tests.helpers.at_once import at_once

    user = make_user()
    start(user.id)
    code = code_sent_to(PHONE)
    results = at_once(app, lambda: verification.check(user.id, "sms", PHONE, code).outcome, workers=4)
    assert results.count(verification.Outcome.PROVED) == 1, results
    assert db.session.query(ProvedContact).count() == 1


@pytest.mark.parametrize("with_account", [True, False])
def test_one_address_proved_at_once_is_kept_once_and_nothing_fails(app, make_user, frozen_clock, with_account):
    """Run on PostgreSQL too: the unique key (one for proofs without an account) keeps one row, and each
    proof is added with ON CONFLICT DO NOTHING, so the others neither fail nor add a row or an audit line."""
    from sqlalchemy import func, select

    from tests.helpers.at_once import at_once
    from webapp.audit import AuditEvent

    user_id = make_user().id if with_account else None
    results = at_once(app, lambda: verification.record_proof(user_id, "sms", "07700 900123"), workers=6)
    assert results == [None] * 6
    db.session.expire_all()
    assert db.session.query(ProvedContact).count() == 1
    assert verification.is_proved(user_id, "sms", PHONE)
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "contact.proved"))
    assert audited == (1 if with_account else 0)


def test_codes_links_and_proofs_without_an_account_go_by_retention(app, make_user, frozen_clock):
    from webapp.accounts import password_reset, sign_up
    from webapp.accounts.models import PasswordReset, SignUpRequest
    from webapp.retention import apply_retention

    user = make_user()
    start(user.id)
    verification.confirm(user.id, "sms", PHONE, code_sent_to(PHONE))
    start(None, "07700 900999")
    verification.confirm(None, "sms", "07700 900999", code_sent_to("+447700900999"))
    with app.test_request_context():
        sign_up.start(email="new@example.org", password="blue kettle running late", role="parent",
                      date_of_birth=None, display_name=None, organisation=None, language="en")
        password_reset.request_reset(user.email, "en")
    db.session.commit()
    assert db.session.query(SignUpRequest).count() == db.session.query(PasswordReset).count() == 1
    frozen_clock.advance(timedelta(days=2))
    apply_retention()
    db.session.commit()
    assert db.session.query(ContactCode).count() == 0  # a day
    assert db.session.query(ProvedContact).count() == 2
    assert db.session.query(SignUpRequest).count() == db.session.query(PasswordReset).count() == 1
    frozen_clock.advance(timedelta(days=6))
    apply_retention()
    db.session.commit()
    assert db.session.query(SignUpRequest).count() == db.session.query(PasswordReset).count() == 0  # a week
    frozen_clock.advance(timedelta(days=365))
    apply_retention()
    db.session.commit()
    assert verification.is_proved(user.id, "sms", PHONE)  # the account's stay with the account
    assert not verification.is_proved(None, "sms", "07700 900999")  # a year for someone without one
