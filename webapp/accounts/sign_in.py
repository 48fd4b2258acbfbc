"""Signing in with an email address and password: the throttle, the check, and what comes next.

The route shows the outcome; this decides it. Wrong passwords slow down this address for this
account, and this address across accounts (`throttle`), never the account itself: its owner
elsewhere is not kept out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webapp.accounts import service, throttle, two_factor
from webapp.accounts.models import User


@dataclass(frozen=True)
class Attempt:
    """What a sign-in came to: `wait` (tried too often: wait this long), `refused` (the account is
    switched off: say why), `second_step` (staff: ask for their code), `user` alone (signed in), or
    nothing (the email address or password is not right). The caller commits."""

    user: User | None = None
    wait: throttle.Wait | None = None
    refused: Any = None
    second_step: bool = False


def attempt(email: str, password: str) -> Attempt:
    account = service.normalise_email(email)
    wait = throttle.wait_for(throttle.PASSWORD, account)
    if wait is not None:
        return Attempt(wait=wait)
    try:
        user = service.check_credentials(email, password)
    except service.AccountDeactivated as refused:
        return Attempt(refused=refused.message)
    if user is None:
        throttle.failed(throttle.PASSWORD, account, user_id=service.account_id(account))
        return Attempt()
    throttle.succeeded(throttle.PASSWORD, account)
    if two_factor.needs_second_step(user):
        return Attempt(user=user, second_step=True)
    service.record_login(user)
    return Attempt(user=user)
