"""Who the front door is for: 0 to 25, meaning up to the day before the 26th birthday."""

from __future__ import annotations

from datetime import date

from webapp import clock
from webapp.accounts.service import age_on

OLDEST = 25
YOUNGEST_ASKING_FOR_THEMSELVES = 13
YOUNGEST_DECIDING_ABOUT_PARENTS = 16  # 13-15-year-olds are asked whether to involve a parent or carer


def age_today(date_of_birth: date) -> int:
    return age_on(date_of_birth, clock.today_local())


def age_outcome(date_of_birth: date, audience: str, today: date | None = None) -> str | None:
    """None when the request can go ahead; else "future", "too_old" or "too_young" (asking for oneself)."""
    today = today or clock.today_local()
    if date_of_birth > today:
        return "future"
    age = age_on(date_of_birth, today)
    if age > OLDEST:
        return "too_old"
    if audience == "self" and age < YOUNGEST_ASKING_FOR_THEMSELVES:
        return "too_young"
    return None
