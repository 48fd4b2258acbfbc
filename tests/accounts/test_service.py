from __future__ import annotations

from datetime import date

import pytest

from webapp.accounts import service
from webapp.accounts.models import User
from webapp.extensions import db


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(2010, 6, 15), date(2026, 6, 15), 16),
    (date(2010, 6, 16), date(2026, 6, 15), 15),
    (date(2008, 2, 29), date(2026, 2, 28), 17),
    (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_age_on_counts_whole_years(born, on, age):
    assert service.age_on(born, on) == age


@pytest.mark.parametrize(("password", "ok"), [
    ("short1", False),
    ("password", False),
    ("qwertyuiop", False),
    ("aaaaaaaaaaaa", False),
    ("correct horse battery staple", True),
    ("kettle7q", False),  # a word and two characters: guessed early (zxcvbn; tests/accounts/test_passwords.py)
    ("abcabcabc", False),
    ("blue kettle " * 10, True),
    ("z" * 129, False),
])
def test_password_rules_length_and_guessability(app, password, ok):
    assert service.check_password(password).ok is ok


def test_password_may_not_be_the_email(app):
    assert not service.check_password("me@example.org", "me@example.org").ok


def test_passwords_are_hashed_with_argon2id(app, make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert service.verify_password(user, "correct horse battery staple")
    assert not service.verify_password(user, "wrong password here")
    assert not service.verify_password(None, "correct horse battery staple")


def test_production_hashing_parameters_are_strong():
    from argon2 import PasswordHasher

    defaults = PasswordHasher()
    assert defaults.type.name == "ID"
    assert defaults.memory_cost >= 19 * 1024 and defaults.time_cost >= 2


@pytest.mark.parametrize(("born", "allowed"), [
    (date(2013, 6, 15), True),    # 13 today
    (date(2013, 6, 16), False),   # 13 tomorrow
    (date(2000, 6, 16), True),    # 26 tomorrow: still 25 today
    (date(2000, 6, 15), False),   # 26 today
    (date(2026, 6, 16), False),   # born in the future
])
def test_young_person_accounts_are_for_13_to_25_to_the_day(app, frozen_clock, born, allowed):
    try:
        service.register(email="yp@example.org", password="correct horse battery staple",
                         role="young_person", date_of_birth=born)
    except service.AccountError as error:
        assert not allowed, error
        assert error.field == "date_of_birth"
    else:
        assert allowed


def test_under_13_is_told_why_and_what_to_do(app, frozen_clock):
    with pytest.raises(service.AccountError) as caught:
        service.register(email="child@example.org", password="correct horse battery staple",
                         role="young_person", date_of_birth=date(2015, 1, 1))
    message = str(caught.value)
    assert "13" in message and "parent" in message and "self-help" in message


def test_staff_roles_cannot_register(app):
    with pytest.raises(service.AccountError):
        service.register(email="sneaky@example.org", password="correct horse battery staple", role="admin")


def test_new_accounts_start_private(app, frozen_clock):
    user = service.register(email="parent@example.org", password="correct horse battery staple", role="parent")
    db.session.commit()
    assert user.date_of_birth is None  # nothing asked that is not needed
    from webapp.notifications.models import PushSubscription

    assert db.session.query(PushSubscription).filter_by(user_id=user.id).count() == 0


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user()
    before = user.get_id()
    service.change_password(user, "correct horse battery staple", "a brand new passphrase")
    assert user.get_id() != before
    with pytest.raises(service.AccountError):
        service.change_password(user, "wrong", "another new passphrase")


def test_delete_account_removes_everything_of_theirs(app, make_user):
    from webapp.notifications import service as notifications
    from webapp.notifications.models import ScheduledNotification

    user = make_user()
    notifications.schedule(user_id=user.id, kind="test", due_at=user.created_at, title="t", body="b")
    db.session.commit()
    service.delete_account(user)
    db.session.commit()
    assert db.session.get(User, user.id) is None
    assert db.session.query(ScheduledNotification).count() == 0


def test_export_holds_the_account(app, make_user):
    user = make_user(display_name="Sam")
    exported = service.export_personal_data(user)
    assert exported["account"]["email"] == user.email
    assert exported["account"]["display_name"] == "Sam"
