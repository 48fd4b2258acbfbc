"""Check-in answers on the requester's timeline, in their words."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from webapp.checkins.models import NOT_SURE, OK_NOW, STILL_NEED, WORSE

ANSWER_WORDS = {
    STILL_NEED: _l("I still need help"),
    OK_NOW: _l("I'm OK now"),
    WORSE: _l("Things are worse"),
    NOT_SURE: _l("Not sure"),
}
DECISION_WORDS = {
    "closed": _l("closed by a clinician"),
    "kept": _l("kept open by a clinician"),
    "called": _l("called"),
}
WHAT_HAPPENS = {
    STILL_NEED: _l("Your request stays where it is. Thank you for letting us know."),
    OK_NOW: _l("A clinician will check with you before anything changes."),
    WORSE: _l("A clinician will look at your request again, first."),
    NOT_SURE: _l("The front door will offer you a call to talk it through."),
}


def check_in_entries(req, entry_class) -> list[Any]:
    """One timeline entry per answered check-in (built by the support package's TimelineEntry)."""
    from webapp.checkins.service import answered_for

    return [entry_class(check_in.answered_at, _l("You told us how things are: %(answer)s",
                                                 answer=ANSWER_WORDS[check_in.answer]),
                        WHAT_HAPPENS[check_in.answer], mine=check_in.words)
            for check_in in answered_for(req)]
