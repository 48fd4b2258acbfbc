"""Answers compared for what they reveal, for the accounts tests that prove two answers are the same
(sign-up in tests/accounts/test_sign_up.py, password reset in tests/accounts/test_password_reset.py)."""

from __future__ import annotations

from tests.conftest import CSRF_META

CLOCK_HEADERS = ("date", "x-ratelimit-reset")


def comparable(response, typed_email: str | None = None) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers, leaving out only what differs for every request: the session
    cookie, the CSRF token (and the email typed, where the form shows it back), and the wall-clock
    readings (`Date`, and `X-RateLimit-Reset`, the second the rate-limit window ends, whose presence
    is kept)."""
    body = response.get_data(as_text=True)
    token = CSRF_META.search(body)
    if token:
        body = body.replace(token.group(1), "TOKEN")
    if typed_email:
        body = body.replace(typed_email, "EMAIL")
    headers = {name: "(a time)" if name.lower() in CLOCK_HEADERS else value for name, value in response.headers.items()
               if name.lower() != "set-cookie"}
    return response.status_code, body, headers
