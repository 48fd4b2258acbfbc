"""Accounts: registration rules, sign-in, passwords, personal data export and deletion.

Plain functions over the database session; no `request` here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp import audit, clock
from webapp.accounts.models import User
from webapp.accounts.roles import PUBLIC_ROLES, Role
from webapp.extensions import db
from webapp.hooks import hooks_for

log = logging.getLogger("flourish.accounts")

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
YOUNGEST_ACCOUNT_AGE = 13
OLDEST_SERVED_AGE = 25  # up to the 26th birthday


class AccountError(ValueError):
    """A rule a person's input broke, tied to the form field it belongs next to."""

    def __init__(self, field: str, message: Any):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    message: Any = ""


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years old on `day` (a 29 February birthday counts from 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, email: str | None = None) -> PasswordCheck:
    """NCSC/NIST style: length, not a well-known password, not the email. No composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordCheck(False, _l("Use at least 8 characters. Three random words work well."))
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordCheck(False, _l("Use 128 characters or fewer."))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return PasswordCheck(False, _l("This password is too easy to guess. Try three random words."))
    if email and lowered == email.lower():
        return PasswordCheck(False, _l("Your password must not be your email address."))
    return PasswordCheck(True)


def _hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMS", {})
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(params_key: tuple) -> str:
    return PasswordHasher(**dict(params_key)).hash("not a real password, for timing only")


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; for an unknown person do the same work, so timing reveals nothing."""
    hasher = _hasher()
    params = tuple(sorted(current_app.config.get("ARGON2_PARAMS", {}).items()))
    stored = user.password_hash if user else _dummy_hash(params)
    try:
        hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if user and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_young_person_age(date_of_birth: date) -> None:
    today = clock.today_local()
    if date_of_birth > today:
        raise AccountError("date_of_birth", _l("The date of birth must be in the past."))
    age = age_on(date_of_birth, today)
    if age < YOUNGEST_ACCOUNT_AGE:
        raise AccountError(
            "date_of_birth",
            _l("You need to be 13 or older to make your own account. A parent, carer or someone "
               "at school can make one and ask for support with you. You can still use every "
               "self-help tool without an account."),
        )
    if age > OLDEST_SERVED_AGE:
        raise AccountError(
            "date_of_birth",
            _l("Flourish is for people up to their 26th birthday. Adult mental health services, "
               "your GP or NHS 111 (option 2) can help you."),
        )


def register(*, email: str, password: str, role: str, date_of_birth: date | None = None,
             display_name: str | None = None, organisation: str | None = None) -> User:
    """Create a public account (young person, parent or carer, professional), most private by default."""
    if role not in {str(r) for r in PUBLIC_ROLES}:
        raise AccountError("role", _l("Choose who you are."))
    email = normalise_email(email)
    if role == Role.YOUNG_PERSON:
        if date_of_birth is None:
            raise AccountError("date_of_birth", _l("Enter your date of birth."))
        check_young_person_age(date_of_birth)
    check = check_password(password, email)
    if not check.ok:
        raise AccountError("password", check.message)
    if find_by_email(email) is not None:
        log.info("registration refused reason=duplicate")
        raise AccountError(
            "email",
            _l("We could not make an account with this email address. If you have signed up "
               "before, sign in instead."),
        )
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        date_of_birth=date_of_birth if role == Role.YOUNG_PERSON else None,
        display_name=(display_name or "").strip() or None,
        organisation=(organisation or "").strip() or None if role == Role.PROFESSIONAL else None,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor_id=user.id, subject_type="user", subject_id=user.id)
    return user


def create_user(*, email: str, role: str, password: str, display_name: str | None = None,
                actor_id: int | None = None) -> User:
    """Create any account, staff included. For the CLI and the admin pages only (`actor_id`: the admin)."""
    if role not in {str(r) for r in Role}:
        raise AccountError("role", f"role must be one of {', '.join(Role)}")
    check = check_password(password, email)
    if not check.ok:
        raise AccountError("password", check.message)
    if find_by_email(email) is not None:
        raise AccountError("email", "an account with this email already exists")
    user = User(email=normalise_email(email), password_hash=hash_password(password), role=role,
                display_name=display_name, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", actor_id=actor_id, subject_type="user", subject_id=user.id)
    return user


class AccountDeactivated(Exception):
    """The password was right but an admin has deactivated the account: it cannot sign in."""

    message = _l("This account cannot be used to sign in. If you think this is wrong, "
                 "ask a Flourish administrator.")


def check_credentials(email: str, password: str) -> User | None:
    """The account for these credentials, or None, without signing in. Logs ids only.

    Raises AccountDeactivated for a deactivated account, but only once its password was right, so
    the answer says nothing about an account to someone who does not know its password.
    """
    user = find_by_email(email)
    if not verify_password(user, password):
        log.info("login failed account=%s", user.id if user else "unknown")
        return None
    if user.deactivated_at is not None:
        log.info("login refused reason=deactivated account=%s", user.id)
        raise AccountDeactivated()
    return user


def record_login(user: User) -> None:
    """Note a completed sign-in (for staff, after the second factor too)."""
    user.last_login_at = clock.now()
    audit.record("account.login", actor_id=user.id, subject_type="user", subject_id=user.id)


def authenticate(email: str, password: str) -> User | None:
    """The account for these credentials, or None; a match is recorded as a sign-in."""
    try:
        user = check_credentials(email, password)
    except AccountDeactivated:
        return None
    if user is not None:
        record_login(user)
    return user


def end_all_sessions(user: User) -> None:
    """Every session cookie issued before now stops working."""
    user.session_version = (user.session_version or 1) + 1


def deactivate(user: User, actor_id: int | None = None) -> None:
    """The account can no longer sign in, and every session of it ends now. Nothing is deleted."""
    if user.deactivated_at is not None:
        return
    user.deactivated_at = clock.now()
    end_all_sessions(user)
    audit.record("account.deactivated", actor_id=actor_id, subject_type="user", subject_id=user.id)


def reactivate(user: User, actor_id: int | None = None) -> None:
    """The account may sign in again (with its password and, for staff, its second factor)."""
    if user.deactivated_at is None:
        return
    user.deactivated_at = None
    audit.record("account.reactivated", actor_id=actor_id, subject_type="user", subject_id=user.id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user, current_password):
        raise AccountError("current_password", _l("Your current password is not right."))
    if new_password == current_password:
        raise AccountError("new_password", _l("Choose a new password, not the one you have now."))
    check = check_password(new_password, user.email)
    if not check.ok:
        raise AccountError("new_password", check.message)
    user.password_hash = hash_password(new_password)
    user.password_must_change = False
    end_all_sessions(user)
    audit.record("account.password_changed", actor_id=user.id, subject_type="user", subject_id=user.id)


def give_temporary_password(user: User, password: str) -> None:
    """An admin's temporary password (a new account, a forgotten one): it works for one sign-in, after
    which the person must choose their own before anything else. Every session ends."""
    user.password_hash = hash_password(password)
    user.password_must_change = True
    end_all_sessions(user)


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything Flourish holds about this person, for "download my data"."""
    data: dict[str, Any] = {
        "exported_at": clock.now().isoformat(),
        "account": {
            "email": user.email,
            "role": user.role,
            "display_name": user.display_name,
            "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "organisation": user.organisation,
            "language": user.locale,
            "created_at": user.created_at.isoformat() if user.created_at else None,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
    }
    for section, exporter in hooks_for().personal_data_exporters:
        data[section] = exporter(user)
    return data


def delete_account(user: User) -> None:
    """Delete the account and, through ON DELETE CASCADE, everything of theirs."""
    user_id = user.id
    db.session.delete(user)
    db.session.flush()
    audit.record("account.deleted", subject_type="user", subject_id=user_id)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
