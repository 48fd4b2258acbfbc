"""Sign-in throttling that nobody can turn against someone else (OWASP ASVS 5.0 V6.1.1, V6.3.1).

Failed tries are counted in the rate-limit store (Redis when `RATELIMIT_STORAGE_URI` says so, this
process otherwise, and this process while Redis is unreachable), and never per account alone, so
knowing someone's email address is not enough to keep them out:

- the pair (account, client address): 3 failures free, then a wait between tries that doubles
  after each failure (1, 2, 4 ... 64 seconds) and, at 10 failures, a 15-minute pause for that
  pair only. The owner signing in from anywhere else is not slowed by it at all;
- the client address, whichever accounts it tries: 20 failures free, then a wait between tries
  that doubles up to a minute. A school or a hospital sharing one address is slowed, never locked;
- at the code step of staff sign-in only (the password was right), also the account: 20 wrong
  codes in a day pause the code step for that account until its password changes or it signs
  out everywhere (the count is kept per `session_version`). Only someone who knows the password
  can spend it, and a new password shuts them out.

Failures are counted over a window and the one before it: an hour for the pair (so a paused pair
that keeps failing is paused again at once), a quarter of an hour for the address, a day for the
account at the code step. A request that must wait is answered 429 before the password or code is looked at.
Failures against a known account are audited (`account.login_failed`, `account.second_step_failed`),
as are pauses and addresses being slowed; the admins' system health page shows them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits.storage import MemoryStorage, Storage

from webapp import audit, clock
from webapp.accounts.service import ADDRESS_SLOWED, CODE_FAILED, PASSWORD_FAILED, SIGN_IN_PAUSED
from webapp.extensions import client_address, limiter

log = logging.getLogger("flourish.accounts")

PASSWORD, CODE = "password", "code"
# While the shared store is unreachable, count here, and look again after this long.
STORE_RETRY_SECONDS = 30


@dataclass(frozen=True)
class Rule:
    name: str
    window: int  # seconds; failures count over this window and the one before
    free: int  # failures before any wait
    max_wait: int  # the longest wait between tries once slowed (seconds)
    pause_at: int | None = None  # failures that pause this key altogether
    pause: int = 0  # how long a pause lasts (seconds)

    def wait_after(self, failures: int) -> int:
        """Seconds to wait before the next try, after this many failures."""
        if self.pause_at is not None and failures >= self.pause_at:
            return self.pause
        if failures >= self.free:
            return min(2 ** (failures - self.free), self.max_wait)
        return 0


PAIR = Rule("pair", window=60 * 60, free=3, max_wait=64, pause_at=10, pause=15 * 60)
ADDRESS = Rule("address", window=15 * 60, free=20, max_wait=60)
CODE_ACCOUNT = Rule("account", window=24 * 60 * 60, free=20, max_wait=24 * 60 * 60, pause_at=20,
                    pause=24 * 60 * 60)


@dataclass(frozen=True)
class Wait:
    seconds: int
    rule: str


class _Store:
    """The limiter's storage, or this process's memory while it does not answer."""

    def __init__(self) -> None:
        self.fallback = MemoryStorage()
        self.dead_until = 0.0

    def _primary(self) -> Storage:
        return limiter.storage

    def call(self, operation):
        if time.monotonic() >= self.dead_until:
            try:
                return operation(self._primary())
            except Exception as error:  # noqa: BLE001 - any store failure: count here instead
                log.warning("sign-in throttle: the rate-limit store did not answer (%s); counting in this "
                            "process for now", type(error).__name__)
                self.dead_until = time.monotonic() + STORE_RETRY_SECONDS
        return operation(self.fallback)

    def reset(self) -> None:
        self.fallback.reset()
        self.dead_until = 0.0


_store = _Store()


def reset() -> None:
    """Forget every count kept in this process (tests; the shared store resets with the limiter)."""
    _store.reset()


def _digest(kind: str, value: str) -> str:
    """Keys never hold an email or an address: a keyed digest of them."""
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def _now() -> float:
    return clock.now().timestamp()


def _keys(step: str, rule: Rule, subject: str) -> tuple[str, str, str]:
    """The counts of this window and the one before, and the start of the key of the time until
    which a try must wait (one such key for each number of failures, so two failures at once each
    write their own: the store has no "set", and adding twice to one would double the time)."""
    window = int(_now() // rule.window)
    base = f"signin:{step}:{rule.name}:{subject}"
    return f"{base}:{window}", f"{base}:{window - 1}", f"{base}:until:"


def _subjects(step: str, account: str, account_version: str | None) -> list[tuple[Rule, str]]:
    address = client_address()
    subjects = [(PAIR, _digest("pair", f"{account}|{address}")), (ADDRESS, _digest("address", address))]
    if step == CODE and account_version:
        subjects.append((CODE_ACCOUNT, _digest("account", account_version)))
    return subjects


def wait_for(step: str, account: str, account_version: str | None = None) -> Wait | None:
    """How long this client must wait before trying `account` again at `step`, or None: try now."""
    now = _now()
    longest: Wait | None = None
    for rule, subject in _subjects(step, account, account_version):
        current, previous, until_key = _keys(step, rule, subject)
        failures = _store.call(lambda store, c=current, p=previous: store.get(c) + store.get(p))
        if not failures:
            continue
        until = _store.call(lambda store, key=f"{until_key}{failures}": store.get(key))
        # Never longer than this many failures ask for, whatever the store holds.
        remaining = min(math.ceil(until - now), rule.wait_after(failures)) if until else 0
        if remaining > 0 and (longest is None or remaining > longest.seconds):
            longest = Wait(remaining, rule.name)
    return longest


def failed(step: str, account: str, user_id: int | None = None, account_version: str | None = None) -> None:
    """Count a wrong password or code; set the wait each counter now asks for.

    `account` is what was typed (the normalised email) or the account's id; `user_id` the known
    account it belongs to, if any (audited, ids only)."""
    if user_id is not None:
        audit.record(PASSWORD_FAILED if step == PASSWORD else CODE_FAILED, subject_type="user", subject_id=user_id)
    now = _now()
    for rule, subject in _subjects(step, account, account_version):
        current, previous, until_key = _keys(step, rule, subject)
        failures = _store.call(lambda store, c=current, p=previous, r=rule:
                               store.incr(c, 2 * r.window) + store.get(p))
        wait = rule.wait_after(failures)
        if not wait:
            continue
        until = math.ceil(now + wait)

        def set_wait(store, key=f"{until_key}{failures}", until=until, wait=wait):
            store.clear(key)
            store.incr(key, wait + 60, amount=until)

        _store.call(set_wait)
        if rule.pause_at is not None and failures == rule.pause_at:
            log.warning("sign-in paused step=%s rule=%s account=%s minutes=%d", step, rule.name,
                        user_id if user_id is not None else "unknown", wait // 60)
            audit.record(SIGN_IN_PAUSED, subject_type="user" if user_id is not None else None,
                         subject_id=user_id)
        elif rule is ADDRESS and failures == rule.free:
            log.warning("sign-in slowed for an address step=%s address=%s failures=%d", step, client_address(),
                        failures)
            audit.record(ADDRESS_SLOWED)


def succeeded(step: str, account: str) -> None:
    """The right password (or code) from this address: its pair starts afresh. The address and
    account counts do not: signing in to one's own account must not buy more guesses at others."""
    address = client_address()
    current, previous, _until = _keys(step, PAIR, _digest("pair", f"{account}|{address}"))
    _store.call(lambda store: [store.clear(key) for key in (current, previous)])


# Allowances: how often something that sends a message may be asked for ----------------------------
# Unlike the failure counters above, every use counts (a sign-up or reset asked for is never a
# "failure"), in fixed windows, under keyed digests like the rest.

@dataclass(frozen=True)
class Allowance:
    name: str
    uses: int  # at most this many in each window
    window: int  # seconds


# Per client address: asking for reset links or sign-ups, whichever email addresses.
RESET_REQUESTS = Allowance("reset-requests", uses=10, window=15 * 60)
SIGN_UPS = Allowance("sign-ups", uses=20, window=60 * 60)
# Per email address: emails about an account, so nobody can fill someone's inbox with them.
ACCOUNT_EMAILS = Allowance("account-emails", uses=3, window=60 * 60)
# Per client address: 6-digit codes sent, whichever phone numbers or email addresses (each of
# which has its own limit, `verification.CODES_PER_HOUR`).
CODES_SENT = Allowance("codes-sent", uses=10, window=60 * 60)


def use(allowance: Allowance, subject: str | None = None) -> Wait | None:
    """Count one use by `subject` (the client address when None): None while within the allowance,
    else how long until the window ends."""
    now = _now()
    window = int(now // allowance.window)
    digest = _digest(allowance.name, subject if subject is not None else client_address())
    key = f"allowance:{allowance.name}:{digest}:{window}"
    used = _store.call(lambda store: store.incr(key, 2 * allowance.window))
    if used <= allowance.uses:
        return None
    return Wait(max(1, math.ceil((window + 1) * allowance.window - now)), allowance.name)
