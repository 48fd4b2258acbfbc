"""Checks on a request's answers that the web form and the FHIR record builder both need, kept here so
the record (and the front-door API) never imports the web form module."""

from __future__ import annotations

import re

# The risk questions, in the order asked. "Not sure" is a real answer, and counts as a possible risk
# (see drafts.any_risk). Their wording is the form's (forms.RISK_QUESTIONS, one per name here).
RISK_FIELDS = ("risk_ending_life", "risk_self_harm", "risk_unsafe_tonight", "risk_being_hurt")
NOT_SURE = "not_sure"


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the first nine (weights 10 to 2)."""
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])
