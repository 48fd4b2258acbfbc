"""Phone numbers, email addresses and postal addresses as people type them, made sendable or refused.

Each `normalise_*` returns the value to store and send, or raises `AddressError` whose message is
shown next to the field (already translated, so a form can show it as it is).
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l


class AddressError(ValueError):
    """The value cannot be used; `str(error)` (lazy, translated) says why, for the field."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def normalise_mobile(value: str | None) -> str:
    """A UK mobile number in E.164 (+447700900123) from "07700 900123", "+44 (0)7700-900123",
    "447700900123" or "0044 7700 900123"; anything else is refused (texts go only to UK mobiles)."""
    raw = (value or "").strip()
    if not raw:
        raise AddressError(_l("Enter a mobile phone number"))
    digits = _PHONE_PUNCTUATION.sub("", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise AddressError(_l("Enter a mobile phone number using only numbers, spaces and +, like 07700 900123"))
    if digits.startswith("440"):
        digits = "44" + digits[3:]  # "+44 (0)7700 ..." written with its 0
    if digits.startswith("44"):
        national = "0" + digits[2:]
    elif digits.startswith("0"):
        national = digits
    else:
        raise AddressError(_l("Enter a UK mobile number, like 07700 900123 or +44 7700 900123"))
    if not national.startswith("07"):
        raise AddressError(_l("Enter a mobile number (it starts 07): texts cannot go to a landline"))
    if len(national) != 11:
        raise AddressError(_l("Enter a mobile number with 11 digits, like 07700 900123"))
    return "+44" + national[1:]


def display_mobile(e164: str) -> str:
    """+447700900123 as people write it: 07700 900123."""
    national = "0" + e164[3:] if e164.startswith("+44") else e164
    return f"{national[:5]} {national[5:]}" if len(national) == 11 else national


def normalise_email(value: str | None) -> str:
    """An email address with its domain checked for shape (no DNS: no request leaves for it)."""
    raw = (value or "").strip()
    if not raw:
        raise AddressError(_l("Enter an email address"))
    try:
        valid = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise AddressError(_l("Enter an email address in the right format, like name@example.com")) from None
    return valid.normalized


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_postcode(value: str | None) -> str:
    raw = re.sub(r"\s+", " ", (value or "").strip().upper())
    match = _POSTCODE.match(raw)
    if not match:
        raise AddressError(_l("Enter a UK postcode, like NR1 3SR"))
    return f"{match.group(1)} {match.group(2)}"


def normalise_letter_address(lines: str | list[str] | None, postcode: str | None) -> dict[str, list[str] | str]:
    """A postal address as lines (2 to 6, each at most 50 characters) and a postcode."""
    return {"lines": normalise_address_lines(lines), "postcode": normalise_postcode(postcode)}


def normalise_address_lines(lines: str | list[str] | None) -> list[str]:
    given = lines.splitlines() if isinstance(lines, str) else list(lines or [])
    cleaned = [re.sub(r"\s+", " ", line).strip().rstrip(",") for line in given]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) < 2:
        raise AddressError(_l("Enter the address on at least two lines: a name or house, and a street or town"))
    if len(cleaned) > 6:
        raise AddressError(_l("Enter the address on at most six lines"))
    if any(len(line) > 50 for line in cleaned):
        raise AddressError(_l("Keep each line of the address to 50 characters or fewer"))
    return cleaned


def letter_lines(address: dict) -> dict[str, str]:
    """A stored address as Notify's `address_line_1` ... (the postcode on the last line)."""
    lines = [*address.get("lines", []), address.get("postcode", "")]
    return {f"address_line_{number}": line for number, line in enumerate(lines, start=1) if line}
