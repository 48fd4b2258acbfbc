"""Staff second factor: TOTP authenticators (RFC 6238), one-time recovery codes, session limits.

Plain functions over the database session; no `request` here. The web side (which step of
sign-in a browser is on) lives in `webapp.accounts.staff_sign_in`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import flag_modified

from webapp import audit, clock
from webapp.accounts.models import RecoveryCode, TwoFactorCredential, User
from webapp.accounts.service import end_all_sessions
from webapp.extensions import db

log = logging.getLogger("flourish.accounts")

ISSUER = "Flourish"
DIGITS = 6
STEP_SECONDS = 30
# Codes from one step either side are accepted, for phones whose clocks drift a little.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: nothing that reads as something else when copied from paper.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_CODE_LENGTH = 12  # about 59 bits each
IDLE_LIMIT = timedelta(minutes=30)
TOTAL_LIMIT = timedelta(hours=12)
# How long the gap between the password step and the code step may be (setting up an app
# for the first time can mean installing one).
PENDING_LIMIT = timedelta(minutes=20)

APP_CODE = re.compile(rf"\d{{{DIGITS}}}")
WRONG_CODE = _l("The code is not right. Check your authenticator app and try again.")


def required() -> bool:
    """Whether staff must use a second factor (the STAFF_TWO_FACTOR_REQUIRED setting)."""
    return bool(current_app.config.get("STAFF_TWO_FACTOR_REQUIRED", True))


def needs_second_step(user: User) -> bool:
    return user.is_staff and required()


def credential_for(user: User) -> TwoFactorCredential | None:
    return db.session.get(TwoFactorCredential, user.id)


def is_enrolled(user: User) -> bool:
    credential = credential_for(user)
    return credential is not None and credential.confirmed_at is not None


# Setting up ------------------------------------------------------------------------------------

def start_enrolment(user: User) -> TwoFactorCredential:
    """The key being set up for `user`: the same one on every visit of this sign-in until a code
    confirms it. A key left from an abandoned earlier sign-in (it may have been seen on a shared
    screen) is replaced."""
    credential = credential_for(user)
    if credential is not None and credential.confirmed_at is not None:
        raise ValueError("already enrolled")
    now = clock.now()
    if credential is None:
        credential = TwoFactorCredential(user_id=user.id, secret=pyotp.random_base32(), created_at=now)
        db.session.add(credential)
        db.session.flush()
    elif now - credential.created_at > PENDING_LIMIT:
        credential.secret = pyotp.random_base32()
        credential.created_at = now
    return credential


def provisioning_uri(user: User, credential: TwoFactorCredential) -> str:
    return _totp(credential.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """An SVG QR code as a `data:` URI, drawn here: no request to any other site."""
    qr = segno.make_qr(uri, error="m")
    return qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_secret(secret: str) -> str:
    """The key in groups of four, easier to type from the screen."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Switch the authenticator on if `code` comes from it; return the new recovery codes."""
    credential = credential_for(user)
    if credential is None or credential.confirmed_at is not None:
        return None
    step = _matching_step(credential.secret, normalise_code(code))
    if step is None:
        log.info("two-factor set-up code refused account=%s", user.id)
        return None
    now = clock.now()
    credential.confirmed_at = now
    credential.last_used_step = step
    credential.last_used_at = now
    codes = replace_recovery_codes(user)
    audit.record("account.two_factor_enabled", actor_id=user.id, subject_type="user", subject_id=user.id)
    return codes


# Signing in --------------------------------------------------------------------------------------

def normalise_code(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def verify_second_factor(user: User, code: str) -> str | None:
    """Check a code from the app or a recovery code. Returns "totp", "recovery" or None."""
    normalised = normalise_code(code)
    if APP_CODE.fullmatch(normalised):
        return "totp" if verify_app_code(user, normalised) else None
    if len(normalised) == RECOVERY_CODE_LENGTH and is_enrolled(user) and _use_recovery_code(user, normalised):
        return "recovery"
    log.info("two-factor code refused account=%s", user.id)
    return None


def verify_app_code(user: User, code: str) -> bool:
    """A code from the authenticator app, refused when its step (or a later one) was already used.

    The step is claimed with a conditional UPDATE, so two requests racing with the same code
    cannot both win: a code is good once, even within its 30 seconds.
    """
    credential = credential_for(user)
    if credential is None or credential.confirmed_at is None:
        return False
    step = _matching_step(credential.secret, normalise_code(code))
    if step is not None and _claim_step(user.id, step):
        return True
    log.info("two-factor code refused account=%s", user.id)
    return False


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def _matching_step(secret: str, code: str) -> int | None:
    if not APP_CODE.fullmatch(code):
        return None
    totp = _totp(secret)
    current = totp.timecode(clock.now())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user_id: int, step: int) -> bool:
    result = db.session.execute(
        update(TwoFactorCredential)
        .where(TwoFactorCredential.user_id == user_id,
               or_(TwoFactorCredential.last_used_step.is_(None), TwoFactorCredential.last_used_step < step))
        .values(last_used_step=step, last_used_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


# Recovery codes ------------------------------------------------------------------------------

def _hash_recovery_code(code: str) -> str:
    # The codes are long and random, so a plain SHA-256 is as good as a slow hash here and
    # lets us look one up without trying every stored hash.
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def replace_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes; every older code stops working. Shown once, stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    now = clock.now()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code), created_at=now)
                       for code in codes)
    db.session.flush()
    audit.record("account.recovery_codes_made", actor_id=user.id, subject_type="user", subject_id=user.id)
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery_code(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    audit.record("account.recovery_code_used", actor_id=user.id, subject_type="user", subject_id=user.id)
    return True


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


# Admin reset ---------------------------------------------------------------------------------

def reset(user: User) -> None:
    """Remove the authenticator and recovery codes and end every session: the person sets up
    a new app at their next sign-in."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id))
    end_all_sessions(user)
    audit.record("account.two_factor_reset", subject_type="user", subject_id=user.id)


def reseal_all() -> int:
    """Seal every authenticator key again with the first of `SEALING_KEYS` (after adding a new key)."""
    credentials = db.session.scalars(select(TwoFactorCredential)).all()
    for credential in credentials:
        flag_modified(credential, "secret")
    return len(credentials)


# Staff session limits ------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionTimes:
    signed_in_at: datetime
    last_seen_at: datetime


def session_ended_because(times: SessionTimes | None, now: datetime) -> str | None:
    """Why a staff session must end now ("idle", "total" or "unknown"), or None to carry on."""
    if times is None:
        return "unknown"
    if now - times.signed_in_at >= TOTAL_LIMIT:
        return "total"
    if now - times.last_seen_at >= IDLE_LIMIT:
        return "idle"
    return None


# Personal data -------------------------------------------------------------------------------

def export_personal_data(user: User) -> dict[str, Any] | None:
    """The second factor in "download my data": dates only; the key and code hashes are secrets."""
    credential = credential_for(user)
    codes = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id).order_by(RecoveryCode.id)
    ).all()
    if credential is None and not codes:
        return None

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "authenticator_key": _("not included: it is a security key"),
        "set_up_started_at": when(credential.created_at) if credential else None,
        "switched_on_at": when(credential.confirmed_at) if credential else None,
        "last_code_used_at": when(credential.last_used_at) if credential else None,
        "last_code_step": credential.last_used_step if credential else None,
        "recovery_codes": [
            {"code": _("not included: only a hash is kept"), "made_at": when(code.created_at),
             "used_at": when(code.used_at)}
            for code in codes
        ],
    }

