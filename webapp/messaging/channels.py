"""Which channels a person wants, in their order: chosen in settings (people with an account) or in
the request for support's safe-contact answers (requesters without one).

A requester's answers (the contact step) hold, besides the safe-contact answers already there:
`updates_text`, `updates_email`, `updates_letter` (may we send updates this way) and
`updates_first` ("sms", "email" or "letter": which to try first). Updates go only by ways the
requester also said are safe (texts ticked for the number, letters ticked for the address).
"""

from __future__ import annotations

from typing import Any

from webapp import clock
from webapp.extensions import db
from webapp.messaging import addresses
from webapp.messaging.models import ALL_CHANNELS, EMAIL, LETTER, SMS, ChannelPreferences

DEFAULT_ORDER = (SMS, EMAIL, LETTER)


def preferences_of(user_id: int) -> ChannelPreferences | None:
    return db.session.get(ChannelPreferences, user_id)


def save(user_id: int, *, order: list[str], phone: str | None, email: str | None, address: dict | None,
         name_service: bool) -> ChannelPreferences:
    """Keep a person's choice (already normalised by the form); the caller commits."""
    prefs = preferences_of(user_id)
    if prefs is None:
        prefs = ChannelPreferences(user_id=user_id)
        db.session.add(prefs)
    prefs.order = [channel for channel in dict.fromkeys(order) if channel in ALL_CHANNELS]
    prefs.phone, prefs.email, prefs.address = phone or None, email or None, address or None
    prefs.name_service = name_service
    prefs.updated_at = clock.now()
    return prefs


def saved_route(prefs: ChannelPreferences, channel: str) -> Any:
    """Where the person now wants `channel` to go (None: that channel is no longer in their order)."""
    if channel not in (prefs.order or []):
        return None
    if channel == LETTER:
        try:
            return addresses.normalise_letter_address((prefs.address or {}).get("lines"),
                                                      (prefs.address or {}).get("postcode"))
        except addresses.AddressError:
            return None
    return {SMS: prefs.phone, EMAIL: prefs.email}.get(channel)


def still_wanted(prefs: ChannelPreferences | None, channel: str, to: Any) -> bool:
    """Whether a message queued for `channel` to `to` (a number, an email, a letter's address dict)
    still matches the person's saved choice: the channel still in their order, the same address."""
    if prefs is None:
        return False
    saved = saved_route(prefs, channel)
    if saved is None:
        return False
    if channel == SMS:
        return _mobile(to) == saved
    if channel == EMAIL:
        return _email(to) == saved
    if isinstance(to, dict) and "lines" in to:
        try:
            to = addresses.normalise_letter_address(to.get("lines"), to.get("postcode"))
        except addresses.AddressError:
            return False
    return to == saved


def address_from_text(text: str | None) -> dict | None:
    """A letter address typed in one box (the request form's), its postcode on the last line."""
    lines = [line.strip().rstrip(",") for line in (text or "").splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    try:
        return addresses.normalise_letter_address(lines[:-1], lines[-1])
    except addresses.AddressError:
        return None


def _mobile(value: Any) -> str | None:
    try:
        return addresses.normalise_mobile(str(value or ""))
    except addresses.AddressError:
        return None


def _email(value: Any) -> str | None:
    try:
        return addresses.normalise_email(str(value or ""))
    except addresses.AddressError:
        return None


def requester_routes(answers: dict[str, Any]) -> dict[str, Any]:
    """Where updates may go for a requester without an account (only what they allowed and said is safe)."""
    if not answers or answers.get("no_safe_contact"):
        return {}
    if answers.get("requester_type") == "professional":
        # Their own work email only: the phone and email on the form are the young person's or family's.
        email = _email(answers.get("requester_email")) if answers.get("updates_email") else None
        return {EMAIL: email} if email else {}
    routes: dict[str, Any] = {}
    if answers.get("updates_text") and answers.get("can_text"):
        routes[SMS] = _mobile(answers.get("phone"))
    if answers.get("updates_email"):
        routes[EMAIL] = _email(answers.get("email"))
    if answers.get("updates_letter") and answers.get("can_letter"):
        routes[LETTER] = address_from_text(answers.get("address"))
    return {channel: to for channel, to in routes.items() if to}


def requester_order(answers: dict[str, Any]) -> list[str]:
    first = answers.get("updates_first")
    return [first, *[c for c in DEFAULT_ORDER if c != first]] if first in DEFAULT_ORDER else list(DEFAULT_ORDER)


def requester_steps(answers: dict[str, Any]) -> list[dict[str, Any]]:
    routes = requester_routes(answers)
    return [{"channel": channel, "to": routes[channel], "quiet": True}
            for channel in requester_order(answers) if channel in routes]
