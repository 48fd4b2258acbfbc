"""Which status a request for support may move to next: the rules, written down as data.

The front door's own system (the status API) follows them, and the clinicians' triage form can
offer only what `allowed_next` gives. The journey, and why each step may follow another:

- received: just arrived, or the requester answered a question. The front door may ask a question,
  triage it, allocate it straight to a service, give advice, or close it. Only the requester's
  answer ever moves a request back to `received`, so it is nobody's target here.
- more_information_needed: a question is open. The front door may ask another, or carry on
  without the answer (triage, allocate, advise, close).
- triaged: looked at. Next: a question, a service, advice, or closing.
- allocated: on a service's waiting list. It may be allocated again (another service), go back
  to triage (the service declined it), need a question answered, get its first appointment,
  get advice instead, or close.
- first_appointment: booked with the service. It may be rebooked, go back to the waiting list
  (the appointment was cancelled or missed), or close.
- advice_given: advice was the help. More advice, a question, triage again, a service, or close.
- closed: finished. Nothing follows, except through an explicit reopen (`"reopen": true` with the
  status to reopen it to, one of REOPEN_TO), so a late or replayed message cannot quietly bring a
  finished request back.

A move to the status a request already has (where the table allows it) must carry news: a new
note or question for the requester, another service or another needs-based grouping. With nothing
new it would only repeat a timeline entry and send the requester a "news" notification with no
news, which is what a retried POST without an Idempotency-Key looks like.
"""

from __future__ import annotations

from types import MappingProxyType

from webapp.support.models import (
    ADVICE_GIVEN,
    ALLOCATED,
    CLOSED,
    FIRST_APPOINTMENT,
    MORE_INFORMATION_NEEDED,
    RECEIVED,
    TRIAGED,
)

TRANSITIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    RECEIVED: (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, ADVICE_GIVEN, CLOSED),
    MORE_INFORMATION_NEEDED: (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, ADVICE_GIVEN, CLOSED),
    TRIAGED: (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, ADVICE_GIVEN, CLOSED),
    ALLOCATED: (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, FIRST_APPOINTMENT, ADVICE_GIVEN, CLOSED),
    FIRST_APPOINTMENT: (ALLOCATED, FIRST_APPOINTMENT, CLOSED),
    ADVICE_GIVEN: (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED, ADVICE_GIVEN, CLOSED),
    CLOSED: (),
})
# A closed request comes back only to the front door's own work, never straight to an appointment.
REOPEN_TO: tuple[str, ...] = (MORE_INFORMATION_NEEDED, TRIAGED, ALLOCATED)


class TransitionRefused(ValueError):
    """A move the rules do not allow; `field` is the payload field to correct."""

    def __init__(self, reason: str, field: str = "status"):
        super().__init__(reason)
        self.field, self.reason = field, reason


def allowed_next(current: str) -> tuple[str, ...]:
    """The statuses a request at `current` may move to (without a reopen); its own means "with news"."""
    return TRANSITIONS.get(current, ())


def check_transition(current: str, new: str, *, reopen: bool = False, carries_news: bool = False) -> None:
    """Refuse (TransitionRefused) a move the rules above do not allow.

    `carries_news`: the move brings the requester something new (see the module's docstring); only
    then may a request move to the status it already has.
    """
    if current == CLOSED:
        _check_reopen(new, reopen)
        return
    if reopen:
        raise TransitionRefused(f"reopen is only for a closed request; this one is {current}", field="reopen")
    if new not in allowed_next(current):
        raise TransitionRefused(f"a request that is {current} cannot move to {new}; "
                                f"it can move to {_listed(allowed_next(current))}")
    if new == current and not carries_news:
        raise TransitionRefused(f"the request is already {current}; to record it again send something new "
                                "(a note_for_requester or question, another service_id or thrive_group)")


def _check_reopen(new: str, reopen: bool) -> None:
    if not reopen:
        raise TransitionRefused(f"the request is closed; to reopen it send \"reopen\": true with the status "
                                f"to reopen it to ({_listed(REOPEN_TO)})")
    if new not in REOPEN_TO:
        raise TransitionRefused(f"a closed request can be reopened to {_listed(REOPEN_TO)}, not {new}")


def _listed(statuses: tuple[str, ...]) -> str:
    return ", ".join(statuses) or "nothing"
