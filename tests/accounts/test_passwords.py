"""Passwords hold against real guessing: at least 8 characters, and refused when zxcvbn (whose
dictionaries hold the most common passwords) finds them guessable, the person's own email and
names included; the message says why and how to pick a better one. Wherever a password is set."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import DEFAULT_PASSWORD
from webapp.accounts import service
from webapp.accounts.models import User
from webapp.extensions import db

ADVICE = "Try a passphrase instead: three or four random words"
# (password, the reason the message gives), for sam.smith@example.org called "Sam Smith".
WEAK = [
    ("abcabcabc", "Repeated letters or patterns"),
    ("aaaaaaaaaaaa", "Repeated letters or patterns"),
    ("password", "one of the passwords people use most"),
    ("Password1", "one of the passwords people use most"),
    ("Summer2026!", "one of the passwords people use most"),
    ("iloveyou", "one of the passwords people use most"),
    ("liverpool1", "one of the passwords people use most"),
    ("qwertyuiop", "one of the passwords people use most"),
    ("zxcvbnm,./", "Rows of keys"),
    ("1qaz2wsx3edc4rfv", "one of the passwords people use most"),
    ("abcdefgh", "Sequences like abcd or 1234"),
    ("zyxwvutsrq", "Sequences like abcd or 1234"),
    ("19/04/2009", "Dates and years"),
    ("sam.smith2010", "your email address, your name"),
    ("smithsam99", "your email address, your name"),
    ("SamSmith!!", "your email address, your name"),
    ("flourish123", "your email address, your name or the name of this site"),
    ("norfolk2026", "your email address, your name or the name of this site"),
    ("Michael1990x", "A common word or name"),
    ("eleanor99", "A common word or name"),
    ("1234512345", "Repeated letters or patterns"),
]
STRONG = [DEFAULT_PASSWORD, "blue kettle running late", "a strong clinic phrase", "Tr0ub4dor&3 orbit",
          "kettle-orbit-marmalade", "zielony czajnik biegnie", "łódź pod mostem nocą"]


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_guessable_passwords_are_refused_saying_why_and_what_to_do(app, password, reason):
    check = service.check_password(password, "sam.smith@example.org", "Sam Smith")
    assert not check.ok
    assert str(check.message).startswith("This password is too easy to guess.")
    assert reason in str(check.message) and ADVICE in str(check.message)


@pytest.mark.parametrize("password", STRONG)
def test_passphrases_pass(app, password):
    assert service.check_password(password, "sam.smith@example.org", "Sam Smith").ok


def test_length_and_the_email_itself(app):
    assert "at least 8 characters" in str(service.check_password("x7#kQ2!", "a@example.org").message)
    assert "128 characters or fewer" in str(service.check_password("k" * 129, "a@example.org").message)
    assert "must not be your email" in str(service.check_password(" Sam@Example.org", "sam@example.org").message)


def test_long_hostile_passwords_are_judged_quickly(app):
    import time

    for password in ("a" * 128, "ab" * 64, "\x00" * 128, "password" * 16, "\u202e" * 128, "🙂" * 128):
        started = time.perf_counter()
        assert not service.check_password(password, "a@example.org").ok
        assert time.perf_counter() - started < 3, password[:10]


def test_checks_at_once_keep_their_own_person(app):
    """zxcvbn keeps a check's user inputs in a module-level dictionary: checks take turns."""
    results = {}

    def check(number: int) -> None:
        with app.app_context():
            email = f"person{number}.uniquename{number}@example.org"
            results[number] = service.check_password(f"uniquename{number}-2026", email).ok

    threads = [threading.Thread(target=check, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {number: False for number in range(12)}


def test_the_demo_password_passes_for_every_demo_account(app):
    """Seeding goes through the same rule, no bypass: the demo password is strong enough."""
    from webapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    assert DEMO_PASSWORD == "flourish-demo-2026"
    for email, _role, name in DEMO_ACCOUNTS:
        assert service.check_password(DEMO_PASSWORD, email, name).ok, email


def test_demo_seeding_makes_accounts_that_sign_in(app, client):
    from webapp.demo import DEMO_PASSWORD, seed_accounts

    seed_accounts()
    db.session.commit()
    response = client.post_form("/login", {"email": "young.person@demo.flourish", "password": DEMO_PASSWORD})
    assert response.status_code == 303


def test_admins_temporary_passwords_pass(app):
    from webapp.admin.service import temporary_password

    for _ in range(50):
        assert service.check_password(temporary_password(), "nurse@example.org", "Nurse Name").ok


def test_a_weak_temporary_password_is_refused_too(app, make_user):
    user = make_user(role="clinician", email="nurse@example.org")
    with pytest.raises(service.AccountError):
        service.give_temporary_password(user, "nurse2026")


def test_registering_with_abcabcabc_is_refused(client, frozen_clock):
    response = client.post_form("/register", {"role": "parent", "email": "pat@example.org", "password": "abcabcabc"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This password is too easy to guess. Repeated letters or patterns, like abcabc, add almost nothing." in body
    assert ADVICE in body and db.session.query(User).count() == 0


def test_registering_with_your_own_name_is_refused(client, frozen_clock):
    response = client.post_form("/register", {"role": "parent", "email": "pat.quinlan@example.org",
                                              "password": "quinlan2026", "display_name": "Pat Quinlan"})
    assert response.status_code == 400
    assert "It contains your email address, your name" in response.get_data(as_text=True)


def test_changing_to_a_guessable_password_is_refused(client, make_user, login):
    user = make_user(email="robin.fairweather@example.org", display_name="Robin")
    login(client, user)
    for weak in ("fairweather1", "abcabcabc", "P@ssw0rd2026"):
        response = client.post_form("/settings/password", {"current_password": DEFAULT_PASSWORD,
                                                           "new_password": weak})
        assert response.status_code == 400 and "too easy to guess" in response.get_data(as_text=True), weak
    db.session.refresh(user)
    assert service.verify_password(user, DEFAULT_PASSWORD)


def test_the_create_user_command_refuses_a_guessable_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "ops@example.org", "--role", "admin", "--name", "Ops"],
                           env={"FLOURISH_PASSWORD": "abcabcabc"})
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert db.session.query(User).count() == 0
