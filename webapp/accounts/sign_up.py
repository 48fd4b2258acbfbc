"""Signing up without revealing who has an account (#20 item 5).

Registering always answers the same way ("check your email to finish signing up"), whether or not
the address has an account:

- a new address gets an email with a link that finishes sign-up; no account exists until the link
  is followed and the password chosen at sign-up is typed again (so an account started by someone
  else in your name can never be finished by you, with their password in it);
- an address with an account gets an email saying so, with links to sign in and to reset the password.

Both paths check the form the same way, hash the password (Argon2: by far the slowest step), look
the address up and queue one email, so neither the answer nor its timing says which it was
(`tests/accounts/test_sign_up.py::test_sign_up_takes_as_long_for_an_existing_address_as_a_new_one`).
Emails about one address are limited (`throttle.ACCOUNT_EMAILS`): beyond that nothing is sent, and
the answer is still the same.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp import audit, clock
from webapp.accounts import service, throttle, verification
from webapp.accounts.models import SignUpRequest, User
from webapp.accounts.roles import Role
from webapp.extensions import db
from webapp.messaging import addresses
from webapp.messaging.models import EMAIL
from webapp.urls import external_url

log = logging.getLogger("flourish.accounts")

LINK_LIFETIME = timedelta(hours=24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(*, email: str, password: str, role: str, date_of_birth: date | None, display_name: str | None,
          organisation: str | None, language: str, locale: str | None = None) -> None:
    """Check the form, then email the address: a link to finish, or "you already have an account".
    `language`: the emails'; `locale`: the language the new account keeps (`i18n.browser_language`:
    a choice made, else their browser's when it is one of ours, else None), so their reminders and
    texts are in it too (they go in English for an account with none).
    Raises `service.AccountError` for a rule the form broke, `addresses.AddressError` for an email
    that cannot be sent to (each the same whoever owns the address).
    The caller commits."""
    email = service.check_registration(email=email, password=password, role=role, date_of_birth=date_of_birth,
                                       display_name=display_name)
    addresses.normalise_email(email)  # one messaging cannot send to is refused on both paths alike
    password_hash = service.hash_password(password)  # on both paths: the slowest step, so timing says nothing
    existing = service.find_by_email(email)
    if throttle.use(throttle.ACCOUNT_EMAILS, email) is not None:
        log.info("sign-up email not sent reason=address_limit")
        return
    from webapp.messaging.service import send_to_address

    if existing is not None:
        send_to_address(channel=EMAIL, to=email, template="already_registered", language=existing.locale or language,
                        personalisation={"link": external_url("accounts.login"),
                                         "reset_link": external_url("accounts.request_password_reset")})
        log.info("sign-up for an existing account account=%s", existing.id)
        return
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(SignUpRequest(
        token_hash=token_hash(token), email=email, password_hash=password_hash, role=role,
        date_of_birth=date_of_birth if role == Role.YOUNG_PERSON else None,
        display_name=(display_name or "").strip() or None,
        organisation=((organisation or "").strip() or None) if role == Role.PROFESSIONAL else None,
        locale=locale, created_at=now, expires_at=now + LINK_LIFETIME))
    send_to_address(channel=EMAIL, to=email, template="sign_up_finish", language=language,
                    personalisation={"link": external_url("accounts.finish_sign_up_link", token=token)})
    db.session.flush()
    log.info("sign-up started")


def pending(token: str | None) -> SignUpRequest | None:
    """The sign-up this link's token belongs to, while the link still works."""
    if not token:
        return None
    request = db.session.scalar(select(SignUpRequest).where(SignUpRequest.token_hash == token_hash(token)))
    if request is None or request.expires_at <= clock.now():
        return None
    return request


class AlreadyFinished(Exception):
    """The address has an account already (this link's sign-up, or another, was finished first)."""


def password_matches(request: SignUpRequest, password: str) -> bool:
    try:
        return service._hasher().verify(request.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class PasswordTry:
    """How typing the password again went: `wait` set means not looked at (this client must wait first)."""

    matches: bool
    wait: throttle.Wait | None = None


def try_password(request: SignUpRequest, password: str) -> PasswordTry:
    """The password chosen at sign-up, typed again at the emailed link, under the sign-in throttle (keyed
    by this sign-up, so guessing at someone's link is slowed like guessing at an account): a client that
    must wait is answered before the password is looked at, and a wrong one is counted."""
    account = f"sign-up:{request.id}"
    wait = throttle.wait_for(throttle.PASSWORD, account)
    if wait is not None:
        return PasswordTry(matches=False, wait=wait)
    if not password_matches(request, password):
        throttle.failed(throttle.PASSWORD, account)
        return PasswordTry(matches=False)
    return PasswordTry(matches=True)


def finish(request: SignUpRequest) -> User:
    """Make the account this sign-up asked for (the link was followed and the password typed again):
    its email counts as proved. Every other sign-up waiting for the address goes. The caller commits;
    raises AlreadyFinished when the address has an account by now."""
    email = request.email
    if service.find_by_email(email) is not None:
        _forget(email)
        raise AlreadyFinished()
    user = User(email=email, password_hash=request.password_hash, role=request.role,
                date_of_birth=request.date_of_birth, display_name=request.display_name,
                organisation=request.organisation, locale=request.locale, created_at=clock.now())
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # finished at the same moment in another request
        db.session.rollback()
        raise AlreadyFinished() from None
    _forget(email)
    try:
        verification.record_proof(user.id, EMAIL, email)
    except ValueError:  # an address messaging cannot send to: it is not counted as proved
        log.info("sign-up email not recorded as proved account=%s", user.id)
    audit.record("account.registered", actor_id=user.id, subject_type="user", subject_id=user.id)
    log.info("sign-up finished account=%s", user.id)
    return user


def _forget(email: str) -> None:
    db.session.execute(delete(SignUpRequest).where(SignUpRequest.email == email)
                       .execution_options(synchronize_session=False))
