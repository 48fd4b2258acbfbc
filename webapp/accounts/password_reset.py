"""Resetting a forgotten password by email, the same answer for every address (#20 item 5, #21 item 9).

- Asking: whatever the address, the page says "if it has an account, we have sent a link". Only an
  account that can sign in gets the email; the work of asking is the same either way (a token is
  made and hashed), and sending is the worker's, never the request's.
- The link: `LINK_LIFETIME`, single use, its token kept only as a SHA-256; a newer password (reset,
  changed, or an admin's temporary one) ends every link sent before it.
- Setting the new password: the same rules as anywhere (zxcvbn; not the one the account has now);
  then every session of the account ends, and staff still sign in with their second factor.
Asking is limited per client address (`throttle.RESET_REQUESTS`, answered 429 whatever the email)
and per email address (`throttle.ACCOUNT_EMAILS`, silently: nothing more is sent).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp import audit, clock
from webapp.accounts import service, throttle, verification
from webapp.accounts.models import PasswordReset, User
from webapp.extensions import db
from webapp.messaging.addresses import AddressError
from webapp.messaging.models import EMAIL
from webapp.urls import external_url

log = logging.getLogger("flourish.accounts")

LINK_LIFETIME = timedelta(hours=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, language: str) -> None:
    """Email a reset link if `email` belongs to an account that can sign in; otherwise do nothing
    that shows. Both paths make and hash a token, count the address and write one audit row (ids
    only), so the time taken says nothing either. The caller commits."""
    email = service.normalise_email(email)
    token = secrets.token_urlsafe(32)
    hashed = token_hash(token)
    user = service.find_by_email(email)
    can_sign_in = user is not None and user.deactivated_at is None
    audit.record("account.password_reset_asked", subject_type="user" if can_sign_in else None,
                 subject_id=user.id if can_sign_in else None)
    if throttle.use(throttle.ACCOUNT_EMAILS, email) is not None:
        log.info("password reset email not sent reason=address_limit")
        return
    if not can_sign_in:
        log.info("password reset asked for no account")
        return
    from webapp.messaging.service import send_to_address

    try:
        send_to_address(channel=EMAIL, to=user.email, template="password_reset", language=user.locale or language,
                        personalisation={"link": external_url("accounts.password_reset_link", token=token)})
    except AddressError:  # an old address messaging cannot send to: nothing to show, nothing sent
        log.info("password reset not sent reason=address account=%s", user.id)
        return
    now = clock.now()
    db.session.add(PasswordReset(user_id=user.id, token_hash=hashed, created_at=now, expires_at=now + LINK_LIFETIME))
    db.session.flush()
    log.info("password reset sent account=%s", user.id)


def live_reset(token: str | None) -> PasswordReset | None:
    """The reset this token belongs to, while it is unused and in time and its account can sign in."""
    if not token:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= clock.now():
        return None
    user = db.session.get(User, reset.user_id)
    if user is None or user.deactivated_at is not None:
        return None
    return reset


class LinkNoLongerWorks(Exception):
    """The link was used (perhaps at the same moment), expired, or its account can no longer sign in."""


def reset_password(token: str, new_password: str) -> User:
    """Set the account's password from a reset link; the link is used up, every session of the account
    ends and every other reset link stops working. The caller commits.

    Raises `service.AccountError` ("new_password") for a password the rules refuse (the link stays
    usable) and `LinkNoLongerWorks`."""
    reset = live_reset(token)
    if reset is None:
        raise LinkNoLongerWorks()
    user = db.session.get(User, reset.user_id)
    if service.verify_password(user, new_password):
        raise service.AccountError("new_password", _l("Choose a new password, not the one you have now."))
    check = service.check_password(new_password, user.email, user.display_name)
    if not check.ok:
        raise service.AccountError("new_password", check.message)
    used = db.session.execute(update(PasswordReset)
                              .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                              .values(used_at=clock.now()).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # another request used it first
        raise LinkNoLongerWorks()
    user.password_hash = service.hash_password(new_password)
    user.password_must_change = False
    service.end_all_sessions(user)
    service.forget_reset_links(user)
    try:
        verification.record_proof(user.id, EMAIL, user.email)  # the link reached them: the address is theirs
    except ValueError:
        log.info("reset email not recorded as proved account=%s", user.id)
    audit.record("account.password_reset", actor_id=user.id, subject_type="user", subject_id=user.id)
    log.info("password reset account=%s", user.id)
    return user
