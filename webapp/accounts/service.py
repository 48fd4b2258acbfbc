"""Accounts: registration rules, sign-in, passwords, personal data export and deletion.

Plain functions over the database session; no `request` here.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from zxcvbn import zxcvbn

from webapp import audit, clock
from webapp.accounts.models import PasswordReset, User
from webapp.accounts.roles import PUBLIC_ROLES, Role
from webapp.audit import AuditEvent
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


# zxcvbn's estimate of the guesses a password needs, as a score 0-4: 3 means at least 10^8
# (zxcvbn: "safely unguessable: moderate protection from offline slow-hash scenario").
MIN_PASSWORD_SCORE = 3
# Words anyone would try first against this site, whoever the person is.
SITE_WORDS = ("flourish", "norfolk", "waveney", "nhs", "mental health", "wellbeing")
# zxcvbn keeps the user inputs of the check in progress in a module-level dictionary: one at a time.
_ZXCVBN_LOCK = threading.Lock()

_WEAK_BECAUSE = {
    "user_inputs": _l("It contains your email address, your name or the name of this site."),
    "passwords": _l("It is one of the passwords people use most, and those are tried first."),
    "words": _l("A common word or name, even with numbers or symbols added, is tried early."),
    "repeat": _l("Repeated letters or patterns, like abcabc, add almost nothing."),
    "sequence": _l("Sequences like abcd or 1234 are tried early."),
    "spatial": _l("Rows of keys, like qwerty or asdf, are tried early."),
    "date": _l("Dates and years, like a birthday, are tried early."),
    "short": _l("It is too short and simple to hold out for long."),
}
_REASON_ORDER = ("user_inputs", "passwords", "words", "repeat", "sequence", "spatial", "date")
PASSPHRASE_ADVICE = _l("Try a passphrase instead: three or four random words, like things you can picture "
                       "together. It is easy to remember and hard to guess.")


def _user_inputs(email: str | None, names: tuple[str | None, ...]) -> list[str]:
    """The person's own details as zxcvbn "user inputs": the email, its parts, their names."""
    inputs: list[str] = list(SITE_WORDS)
    for value in (email, *names):
        value = (value or "").strip().lower()
        if not value:
            continue
        inputs.append(value)
        local, _sep, domain = value.partition("@")
        parts = [local, *re.split(r"[._+\-\s]+", local)] if domain else re.split(r"\s+", value)
        parts.append(re.sub(r"[._+\-\s]+", "", local))  # "sam.smith", "Sam Smith" -> "samsmith"
        if domain:
            parts.append(domain.split(".")[0])
        inputs.extend(part for part in parts if len(part) >= 3)
    return list(dict.fromkeys(inputs))


def _weakness(password: str, inputs: list[str], result: dict[str, Any]) -> str:
    """Which of the reasons in `_WEAK_BECAUSE` a weak password shows first: the person's own details
    anywhere in it, else what zxcvbn's result found."""
    lowered = password.lower()
    found = {"user_inputs"} if any(value in lowered for value in inputs) else set()
    for match in result.get("sequence", []):
        pattern = match.get("pattern")
        if pattern == "dictionary":
            name = match.get("dictionary_name")
            found.add(name if name in ("user_inputs", "passwords") else "words")
        elif pattern == "regex":
            found.add("date")  # zxcvbn's only regex is "recent_year"
        elif pattern in _WEAK_BECAUSE:
            found.add(pattern)
    return next((reason for reason in _REASON_ORDER if reason in found), "short")


def check_password(password: str, email: str | None = None, *names: str | None) -> PasswordCheck:
    """NCSC/NIST style: at least 8 characters, and not guessable (zxcvbn, whose dictionaries hold the
    most common passwords, scores it against those, common words and names, patterns, dates, and the
    person's own email and names). No composition rules. The message says why, and what to do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordCheck(False, _l("Use at least 8 characters. A passphrase of three or four random words "
                                       "works well."))
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordCheck(False, _l("Use 128 characters or fewer."))
    if email and password.strip().lower() == email.strip().lower():
        return PasswordCheck(False, _l("Your password must not be your email address."))
    inputs = _user_inputs(email, names)
    with _ZXCVBN_LOCK:
        result = zxcvbn(password, user_inputs=inputs, max_length=MAX_PASSWORD_LENGTH)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return PasswordCheck(True)
    message = " ".join(str(part) for part in (_l("This password is too easy to guess."),
                                              _WEAK_BECAUSE[_weakness(password, inputs, result)], PASSPHRASE_ADVICE))
    return PasswordCheck(False, message)


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


def account_id(email: str) -> int | None:
    """The id of the account with this email address, if there is one (for the audit of failures)."""
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email)))


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


def check_registration(*, email: str, password: str, role: str, date_of_birth: date | None = None,
                       display_name: str | None = None) -> str:
    """The rules a sign-up must meet, whether or not the address has an account (so the answer and the
    work are the same either way). Returns the normalised email; raises AccountError."""
    if role not in {str(r) for r in PUBLIC_ROLES}:
        raise AccountError("role", _l("Choose who you are."))
    email = normalise_email(email)
    if role == Role.YOUNG_PERSON:
        if date_of_birth is None:
            raise AccountError("date_of_birth", _l("Enter your date of birth."))
        check_young_person_age(date_of_birth)
    check = check_password(password, email, display_name)
    if not check.ok:
        raise AccountError("password", check.message)
    return email


def register(*, email: str, password: str, role: str, date_of_birth: date | None = None,
             display_name: str | None = None, organisation: str | None = None) -> User:
    """Create a public account (young person, parent or carer, professional), most private by default.

    Sign-up on the site goes through `sign_up` (an emailed link finishes it); this makes the account
    at once, for code that has already proved the address."""
    email = check_registration(email=email, password=password, role=role, date_of_birth=date_of_birth,
                               display_name=display_name)
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
    check = check_password(password, email, display_name)
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


def forget_reset_links(user: User) -> None:
    """Every password reset link sent to this account stops working (its password just changed)."""
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=clock.now()).execution_options(synchronize_session=False))


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
    check = check_password(new_password, user.email, user.display_name)
    if not check.ok:
        raise AccountError("new_password", check.message)
    user.password_hash = hash_password(new_password)
    user.password_must_change = False
    end_all_sessions(user)
    forget_reset_links(user)
    audit.record("account.password_changed", actor_id=user.id, subject_type="user", subject_id=user.id)


def give_temporary_password(user: User, password: str) -> None:
    """An admin's temporary password (a new account, a forgotten one): it works for one sign-in, after
    which the person must choose their own before anything else. Every session ends.
    Held to the same rule as any password (the generated ones pass it by far)."""
    check = check_password(password, user.email, user.display_name)
    if not check.ok:
        raise AccountError("password", check.message)
    user.password_hash = hash_password(password)
    user.password_must_change = True
    end_all_sessions(user)
    forget_reset_links(user)


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
            "proved_addresses": proved_addresses(user.id),
        },
    }
    for section, exporter in hooks_for().personal_data_exporters:
        data[section] = exporter(user)
    return data


def proved_addresses(user_id: int) -> list[dict[str, str]]:
    """The phone numbers and email addresses this person proved are theirs, and when."""
    from webapp.accounts.models import ProvedContact

    rows = db.session.scalars(select(ProvedContact).where(ProvedContact.user_id == user_id)
                              .order_by(ProvedContact.proved_at, ProvedContact.id))
    return [{"number_or_email": row.address, "proved_at": row.proved_at.isoformat()} for row in rows]


def delete_account(user: User) -> None:
    """Delete the account and, through ON DELETE CASCADE, everything of theirs."""
    user_id = user.id
    db.session.delete(user)
    db.session.flush()
    audit.record("account.deleted", subject_type="user", subject_id=user_id)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


# Failed sign-ins, for the admins' system health page ---------------------------------------------

REPEATED_FAILURES = 5  # failed tries at one account in the look-back that the health page lists
FAILURE_LOOK_BACK = timedelta(hours=24)
PASSWORD_FAILED, CODE_FAILED = "account.login_failed", "account.second_step_failed"
SIGN_IN_PAUSED, ADDRESS_SLOWED = "account.sign_in_paused", "sign_in.address_slowed"


@dataclass(frozen=True)
class AccountFailures:
    user: User
    passwords: int  # wrong passwords
    codes: int  # wrong codes at the staff code step (the password was right)
    last_at: datetime

    @property
    def total(self) -> int:
        return self.passwords + self.codes


@dataclass(frozen=True)
class SignInFailures:
    """What the sign-in throttle saw in the look-back (from the audit log; ids only)."""

    accounts: list[AccountFailures]  # with REPEATED_FAILURES or more, most first (at most `limit`)
    failed: int  # failed tries at known accounts, all told
    pauses: int  # an account paused for one address (or at the code step)
    addresses_slowed: int  # an address slowed for trying many accounts


def sign_in_failures(now: datetime, limit: int = 20) -> SignInFailures:
    since = now - FAILURE_LOOK_BACK
    counted: dict[str, dict[str, Any]] = {}
    rows = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.action, func.count(), func.max(AuditEvent.at))
        .where(AuditEvent.action.in_((PASSWORD_FAILED, CODE_FAILED)), AuditEvent.at >= since,
               AuditEvent.subject_id.is_not(None))
        .group_by(AuditEvent.subject_id, AuditEvent.action))
    for subject_id, action, count, last_at in rows:
        entry = counted.setdefault(subject_id, {"passwords": 0, "codes": 0, "last_at": last_at})
        entry["passwords" if action == PASSWORD_FAILED else "codes"] += count
        entry["last_at"] = max(entry["last_at"], last_at)
    repeated = {int(subject): entry for subject, entry in counted.items()
                if subject.isdigit() and entry["passwords"] + entry["codes"] >= REPEATED_FAILURES}
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(repeated)))} \
        if repeated else {}
    accounts = sorted((AccountFailures(users[user_id], entry["passwords"], entry["codes"], entry["last_at"])
                       for user_id, entry in repeated.items() if user_id in users),
                      key=lambda failures: (-failures.total, -failures.user.id))
    other = dict(db.session.execute(
        select(AuditEvent.action, func.count())
        .where(AuditEvent.action.in_((SIGN_IN_PAUSED, ADDRESS_SLOWED)), AuditEvent.at >= since)
        .group_by(AuditEvent.action)).all())
    return SignInFailures(accounts=accounts[:limit],
                          failed=sum(entry["passwords"] + entry["codes"] for entry in counted.values()),
                          pauses=other.get(SIGN_IN_PAUSED, 0), addresses_slowed=other.get(ADDRESS_SLOWED, 0))
