"""Proving a phone number or email address is the person's: a 6-digit code sent to it, typed back.

Messaging (`webapp/messaging`) asks `is_proved` before it uses an address for anything sensitive.
A proof belongs to one account and one address (or, with `user_id` None, to someone without an
account), so a changed number or email is not proved until its own code comes back.

- codes: 6 digits from `secrets`, kept only as a keyed hash (HMAC-SHA256 with the app's secret:
  a plain hash of a million possible codes would be reversed at once);
- each code works once, for `CODE_LIFETIME`, and for at most `MAX_TRIES` tries; only the newest
  code sent to an address counts;
- at most `CODES_PER_HOUR` codes to one address in an hour (whoever asks), and
  `throttle.CODES_SENT` per client address, so nobody can flood a phone or run up text costs; codes
  asked for one address at the same moment are counted one after the other (`start` takes the
  address's lock first), so no number of workers or app instances can send more;
- one proof per person and address (a unique key): proofs made at once keep one and raise nothing.

Addresses are normalised by `webapp.messaging.addresses` (the one place that reads numbers and
emails as people type them).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import InvalidToken
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from webapp import audit, clock
from webapp.accounts.models import ContactCode, ProvedContact
from webapp.database import sealing_keys, wait_for_key_lock
from webapp.extensions import db
from webapp.messaging import addresses
from webapp.messaging.models import EMAIL, SMS

log = logging.getLogger("flourish.accounts")

CHANNELS = (SMS, EMAIL)  # letters cannot carry a code that lasts ten minutes
CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
CODES_PER_HOUR = 3
CODE_TEMPLATE = "verify_code"
PROVE_LINK_LIFETIME = 24 * 60 * 60  # seconds a `prove_url` keeps working


class ProofError(ValueError):
    """A code could not be sent; `message` (translated) says why, for the page."""

    def __init__(self, message: Any, wait_minutes: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.wait_minutes = wait_minutes


class Outcome(enum.Enum):
    PROVED = "proved"
    WRONG = "wrong"  # not the code; tries are left
    SPENT = "spent"  # too many tries: a new code is needed
    EXPIRED = "expired"
    NO_CODE = "no_code"  # none sent to this address (or it was used already)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    tries_left: int = 0


def normalise(channel: str, address: str) -> str:
    """The address as stored and sent; raises `addresses.AddressError` (with a message for the field)."""
    if channel == SMS:
        return addresses.normalise_mobile(address)
    if channel == EMAIL:
        return addresses.normalise_email(address)
    raise ValueError(f"codes go by text or email, not {channel!r}")


def display(channel: str, address: str) -> str:
    """How a person writes the address (07700 900123)."""
    return addresses.display_mobile(address) if channel == SMS else address


def _code_hash(channel: str, address: str, code: str) -> str:
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, f"code:{channel}:{address}:{code}".encode(), hashlib.sha256).hexdigest()


def _owner(user_id: int | None):
    return ContactCode.user_id.is_(None) if user_id is None else ContactCode.user_id == user_id


def codes_sent_in_the_last_hour(channel: str, address: str) -> int:
    since = clock.now() - timedelta(hours=1)
    return db.session.scalar(select(func.count()).select_from(ContactCode).where(
        ContactCode.channel == channel, ContactCode.address == address, ContactCode.created_at > since)) or 0


def _minutes_until_a_code_may_go(channel: str, address: str) -> int:
    since = clock.now() - timedelta(hours=1)
    oldest = db.session.scalar(select(func.min(ContactCode.created_at)).where(
        ContactCode.channel == channel, ContactCode.address == address, ContactCode.created_at > since))
    if oldest is None:
        return 1
    return max(1, -(-int((oldest + timedelta(hours=1) - clock.now()).total_seconds()) // 60))


def start(user_id: int | None, channel: str, address: str, language: str) -> None:
    """Send a new 6-digit code to `address` (queued through messaging, in the caller's transaction:
    the caller commits). Raises `addresses.AddressError` for an address that cannot be used and
    `ProofError` when this address has had `CODES_PER_HOUR` codes in the last hour. Holds the
    address's lock until the caller's commit, so codes asked for at once are counted one at a time."""
    address = normalise(channel, address)
    wait_for_key_lock(f"contact codes:{channel}:{address}")
    if codes_sent_in_the_last_hour(channel, address) >= CODES_PER_HOUR:
        log.info("contact code refused reason=hourly_limit channel=%s", channel)
        minutes = _minutes_until_a_code_may_go(channel, address)
        raise ProofError(_l("We have sent as many codes to this address as we can for now. Use the last one "
                            "we sent, or ask for a new one in %(minutes)d minutes.", minutes=minutes), minutes)
    from webapp.messaging.service import send_to_address

    code = f"{secrets.randbelow(10 ** 6):06d}"
    now = clock.now()
    db.session.add(ContactCode(user_id=user_id, channel=channel, address=address,
                               code_hash=_code_hash(channel, address, code), created_at=now,
                               expires_at=now + CODE_LIFETIME, tries=0))
    send_to_address(channel=channel, to=address, template=CODE_TEMPLATE, personalisation={"code": code},
                    language=language)
    db.session.flush()
    log.info("contact code sent channel=%s account=%s", channel, user_id if user_id is not None else "none")


def _newest_code(user_id: int | None, channel: str, address: str) -> ContactCode | None:
    return db.session.scalar(select(ContactCode).where(
        _owner(user_id), ContactCode.channel == channel, ContactCode.address == address)
        .order_by(ContactCode.id.desc()).limit(1))


def has_live_code(user_id: int | None, channel: str, address: str) -> bool:
    """A code was sent to this address for this person and can still be typed back."""
    try:
        address = normalise(channel, address)
    except ValueError:
        return False
    code = _newest_code(user_id, channel, address)
    return (code is not None and code.used_at is None and code.tries < MAX_TRIES
            and code.expires_at > clock.now())


def check(user_id: int | None, channel: str, address: str, typed: str) -> Result:
    """Try `typed` against the newest code sent to this address for this person; on the right one the
    address is proved (the caller commits). Each try is counted before it is compared, in the
    database, so tries made at once can never add up to more than `MAX_TRIES`."""
    try:
        address = normalise(channel, address)
    except ValueError:
        return Result(Outcome.NO_CODE)
    code = _newest_code(user_id, channel, address)
    now = clock.now()
    if code is None or code.used_at is not None:
        return Result(Outcome.NO_CODE)
    if code.expires_at <= now:
        return Result(Outcome.EXPIRED)
    counted = db.session.execute(update(ContactCode).where(ContactCode.id == code.id, ContactCode.tries < MAX_TRIES,
                                                           ContactCode.used_at.is_(None))
                                 .values(tries=ContactCode.tries + 1).execution_options(synchronize_session=False))
    if counted.rowcount != 1:
        db.session.refresh(code)
        return Result(Outcome.NO_CODE if code.used_at is not None else Outcome.SPENT)
    db.session.refresh(code)
    digits = "".join(ch for ch in (typed or "") if ch.isdigit())
    if not hmac.compare_digest(code.code_hash, _code_hash(channel, address, digits)):
        left = MAX_TRIES - code.tries
        log.info("contact code wrong channel=%s tries_left=%d", channel, left)
        return Result(Outcome.WRONG, left) if left > 0 else Result(Outcome.SPENT)
    used = db.session.execute(update(ContactCode).where(ContactCode.id == code.id, ContactCode.used_at.is_(None))
                              .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        return Result(Outcome.NO_CODE)
    record_proof(user_id, channel, address)
    return Result(Outcome.PROVED)


def confirm(user_id: int | None, channel: str, address: str, code: str) -> bool:
    """True when `code` is the live code sent to `address`: the address is now proved (the caller commits)."""
    return check(user_id, channel, address, code).outcome is Outcome.PROVED


def _insert_unless_kept(model):
    """INSERT ... ON CONFLICT DO NOTHING, in the database's own words: a row one of the table's unique
    keys already holds (kept first by another request, at that very moment too) is left as it is."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def record_proof(user_id: int | None, channel: str, address: str) -> None:
    """Note that `address` is proved for this person (by a code, or a link emailed to it and followed).
    Proved already, or at the same moment in another request, it is kept once (the table's unique key),
    with its first time, and audited once."""
    address = normalise(channel, address)
    added = db.session.scalar(_insert_unless_kept(ProvedContact).values(
        user_id=user_id, channel=channel, address=address, proved_at=clock.now()).returning(ProvedContact.id))
    if added is None:
        return
    if user_id is not None:
        audit.record("contact.proved", actor_id=user_id, subject_type="user", subject_id=user_id)


def is_proved(user_id: int | None, channel: str, address: str) -> bool:
    """Has this person (or, with None, someone without an account) proved `address` is theirs?"""
    try:
        address = normalise(channel, address)
    except ValueError:
        return False
    owner = ProvedContact.user_id.is_(None) if user_id is None else ProvedContact.user_id == user_id
    return db.session.scalar(select(ProvedContact.id).where(
        ProvedContact.channel == channel, ProvedContact.address == address, owner).limit(1)) is not None


# The prove page's link ------------------------------------------------------------------------------

def seal_target(channel: str, address: str, next_target: str | None = None) -> str:
    """The address to prove, sealed (Fernet) for the page's URL: no number or email in a URL."""
    payload = "\n".join((channel, normalise(channel, address), next_target or ""))
    return sealing_keys().encrypt_at_time(payload.encode(), int(clock.now().timestamp())).decode()


def open_target(sealed: str) -> tuple[str, str, str] | None:
    """(channel, address, next) from `seal_target`, or None when it is not ours or too old."""
    try:
        payload = sealing_keys().decrypt_at_time(sealed.encode(), PROVE_LINK_LIFETIME,
                                                 int(clock.now().timestamp())).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None
    channel, _sep, rest = payload.partition("\n")
    address, _sep, next_target = rest.partition("\n")
    if channel not in CHANNELS or not address:
        return None
    return channel, address, next_target


def prove_url(channel: str, address: str, next: str | None = None) -> str:  # noqa: A002 - as url_for's `next`
    """The page where the person asks for a code (if none is live) and types it back; after it, they
    go to `next` (a path on this site) or their settings. Raises `addresses.AddressError` for an
    address that cannot be used. Needs a request or app context with a server name (`url_for`)."""
    return url_for("accounts.prove_contact", target=seal_target(channel, address, next))
