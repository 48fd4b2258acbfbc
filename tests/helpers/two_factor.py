"""Signing staff in with their second factor, for every package's tests.

- `enrol(user)`: give a staff member a switched-on authenticator; returns its secret.
- `current_code(user)`: a code the app would show now that the sign-in will accept.
- `sign_in(client, user)`: password then code through the Flask test client.
- `sign_in_page(page, user)`: anyone, through the /login page in Playwright (`sign_in_staff` too).
- `two_factor_required(app)`: STAFF_TWO_FACTOR_REQUIRED on for a `with` block, restored after.
- `SECRET_SHOWN`, `CODES_SHOWN`: the key and the recovery codes as the set-up pages show them.

The helpers work with the flag on or off: with it off the password step is the whole sign-in.
They run in the test's app context and database session (the live server shares both).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pyotp

from tests.conftest import DEFAULT_PASSWORD
from webapp import clock
from webapp.accounts import two_factor
from webapp.accounts.models import TwoFactorCredential
from webapp.extensions import db

CODE_STEP_PATH = "/login/two-factor"
SECRET_SHOWN = re.compile(r'<code class="two-factor-key">([A-Z2-7 ]+)</code>')
CODES_SHOWN = re.compile(r"<li><code>([a-z0-9-]{14})</code></li>")


@contextmanager
def two_factor_required(app, required: bool = True) -> Iterator[None]:
    before = app.config.get("STAFF_TWO_FACTOR_REQUIRED")
    app.config["STAFF_TWO_FACTOR_REQUIRED"] = required
    try:
        yield
    finally:
        app.config["STAFF_TWO_FACTOR_REQUIRED"] = before


def enrol(user) -> str:
    """Switch on an authenticator for `user` (as if they had scanned the QR code); its secret."""
    credential = db.session.get(TwoFactorCredential, user.id)
    if credential is None or credential.confirmed_at is None:
        credential = two_factor.start_enrolment(user)
        credential.confirmed_at = clock.now()
        db.session.commit()
    return credential.secret


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=two_factor.DIGITS, interval=two_factor.STEP_SECONDS).generate_otp(step)


def current_code(user) -> str:
    """A code from `user`'s app that the next sign-in will accept.

    The real rule refuses a code whose 30-second step was already used. So that a test may sign
    the same person in several times within one step (two devices, sign out and in again), this
    offers the next step's code (accepted for clock drift) and, when that is used too, forgets the
    last used step: a test-only shortcut, never something the app does.
    """
    credential = db.session.get(TwoFactorCredential, user.id)
    if credential is None or credential.confirmed_at is None:
        raise AssertionError("enrol(user) first")
    db.session.refresh(credential)
    step = pyotp.TOTP(credential.secret, interval=two_factor.STEP_SECONDS).timecode(clock.now())
    last = credential.last_used_step
    if last is None or last < step:
        return code_at_step(credential.secret, step)
    if last < step + two_factor.DRIFT_STEPS:
        return code_at_step(credential.secret, step + two_factor.DRIFT_STEPS)
    credential.last_used_step = step - two_factor.DRIFT_STEPS - 1
    db.session.commit()
    return code_at_step(credential.secret, step)


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    """Password then (for staff, when required) the code, through the test client."""
    if user.is_staff and two_factor.required():
        enrol(user)
    response = client.post_form("/login", {"email": user.email, "password": password})
    assert response.status_code == 303, "sign-in failed at the password step"
    if response.headers["Location"].startswith(CODE_STEP_PATH):
        response = client.post_form(CODE_STEP_PATH, {"code": current_code(user)})
        assert response.status_code == 303, "sign-in failed at the code step"
    return response


def sign_in_page(page, user, password: str = DEFAULT_PASSWORD) -> None:
    """Sign anyone in through the /login page in Playwright (at the live server's base URL): the
    password, then, for staff when required, a code from their (test-enrolled) authenticator.
    `user` may be a User or an email address."""
    if isinstance(user, str):
        from webapp.accounts.service import find_by_email

        user = find_by_email(user)
    if user.is_staff and two_factor.required():
        enrol(user)
    page.goto("/login")
    page.wait_for_load_state("networkidle")  # the service worker's first install, if any, settles
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if page.url.split("?")[0].endswith(CODE_STEP_PATH):
        page.get_by_label("Code", exact=True).fill(current_code(user))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    assert "/login" not in page.url, f"sign-in did not finish: {page.url}"


sign_in_staff = sign_in_page
