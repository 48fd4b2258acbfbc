"""What the privacy notice says about how long things are kept, read from the retention rules the
worker applies (webapp/retention.py), so the notice cannot drift from the code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

# The layers of the notice: (URL part, its name in the list of layers).
LAYERS = (
    ("13-to-15", _l("If you are 13 to 15")),
    ("16-to-25", _l("If you are 16 to 25")),
    ("parents-and-carers", _l("For parents and carers")),
    ("full", _l("The full privacy notice")),
)

# Each retention rule's data, as the notice names it. A rule missing here fails
# tests/privacy/test_notice.py: a new kind of data must be explained before it ships.
RULE_LABELS: dict[str, Any] = {
    "finished notifications": _l("Reminders and notifications after they are sent"),
    "notifications not wanted": _l("Notifications you turned off"),
    "audit events": _l("The record of who looked at or changed what (ids only)"),
    "old status idempotency keys": _l("Technical receipts of the front door's updates"),
    "past drop-in bookings": _l("Drop-in bookings, after the drop-in"),
    "old drop-in waiting lists": _l("Places on a drop-in waiting list"),
    "sign-ups not finished": _l("Sign-ups that were started but not finished"),
    "password reset links": _l("Password reset links"),
    "contact codes": _l("Codes sent to check an email address or phone number"),
    "contact proofs without an account": _l("A checked email address or phone number with no account"),
    "handled privacy concerns": _l("Privacy concerns you raised, after we have dealt with them"),
    "texts, emails and letters": _l("Texts, emails and letters we sent you, after they are sent"),
}


@dataclass(frozen=True)
class Period:
    what: Any
    how_long: str


def how_long(period: timedelta) -> str:
    """A period as people say it: "8 years", "90 days", "1 day"."""
    days = period.days
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext("%(num)d year", "%(num)d years", years)
    return ngettext("%(num)d day", "%(num)d days", days)


def retention_periods() -> list[Period]:
    """Every period the code keeps data for, in the notice's words."""
    from webapp.retention import RULES
    from webapp.support.drafts import DRAFT_KEPT_FOR

    periods = [Period(_l("A request for support you started but did not send"), how_long(DRAFT_KEPT_FOR))]
    periods += [Period(RULE_LABELS.get(rule.name, rule.name), how_long(rule.keep_for)) for rule in RULES]
    return periods
