"""How the front door may reach the people a request is about, safely.

One reading of a request's contact answers, for the clinician's card (support/staff/_contact.html),
the requester's sent page (support/_contact_next.html) and the FHIR record: which ways are allowed
(call, text, voicemail, email, letter), to whom (the young person, a parent or carer, the
professional who asked), the best times, and whether there is no safe way at all.

Only ways the requester said are safe are routes: a phone number given with no call, text or
voicemail allowed is `unused_phone`, never a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CALL, TEXT, VOICEMAIL, EMAIL, LETTER = "call", "text", "voicemail", "email", "letter"
ROUTE_KINDS = (CALL, TEXT, VOICEMAIL, EMAIL, LETTER)
PHONE_KINDS = (CALL, TEXT, VOICEMAIL)
YOUNG_PERSON, PARENT_CARER, PROFESSIONAL = "young_person", "parent_carer", "professional"
KNOWS_ANSWERS = ("yes", "no", "not_sure")


def display_phone(digits: str) -> str:
    """A UK number as people write it: 07700 900123, 01603 123456, 020 7946 0000."""
    if len(digits) == 11 and digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) in (10, 11):
        return f"{digits[:5]} {digits[5:]}"
    return digits


@dataclass(frozen=True)
class Route:
    kind: str  # one of ROUTE_KINDS
    to: str  # YOUNG_PERSON, PARENT_CARER or PROFESSIONAL
    value: str  # the phone number (digits), the email address, or the address for letters

    @property
    def shown(self) -> str:
        return display_phone(self.value) if self.kind in PHONE_KINDS else self.value


@dataclass(frozen=True)
class Person:
    role: str  # YOUNG_PERSON, PARENT_CARER or PROFESSIONAL
    name: str
    detail: str = ""  # a parent or carer's relationship; a professional's role and organisation


@dataclass(frozen=True)
class ContactSummary:
    requester_type: str | None
    contact: Person  # whose details were given: the young person, or a parent or carer (a parent asking: themselves)
    routes: tuple[Route, ...]  # every allowed way: to `contact` first, then to the professional who asked
    no_safe_contact: bool  # the requester said there is no safe way to contact `contact`
    best_times: str = ""
    unused_phone: str | None = None  # a number given with no call, text or voicemail allowed: do not use
    professional: Person | None = None  # the professional who asked, if one did
    young_person_knows: str | None = None  # a professional's request: "yes", "no", "not_sure" (None: not asked)
    young_person_knows_why_not: str = ""
    family_knows: str | None = None  # a professional's request for an under-16: does a parent or carer know
    family_knows_why_not: str = ""
    communication_needs: str = ""
    preferred_language: str = ""

    @property
    def allowed(self) -> tuple[str, ...]:
        """The kinds of contact allowed to anyone, in ROUTE_KINDS order."""
        kinds = {route.kind for route in self.routes}
        return tuple(kind for kind in ROUTE_KINDS if kind in kinds)

    def routes_to(self, role: str) -> tuple[Route, ...]:
        return tuple(route for route in self.routes if route.to == role)

    def allows(self, kind: str, to: str | None = None) -> bool:
        return any(route.kind == kind and (to is None or route.to == to) for route in self.routes)

    @property
    def reachable(self) -> bool:
        """Someone can be contacted at all (for a professional's request, the professional at least)."""
        return bool(self.routes)

    @property
    def contact_reachable(self) -> bool:
        return bool(self.routes_to(self.contact.role))

    def phone_kinds(self, role: str) -> tuple[str, ...]:
        return tuple(kind for kind in PHONE_KINDS if self.allows(kind, role))

    def phone(self, role: str) -> str | None:
        """The number (as written) that may be called, texted or left a voicemail, or None."""
        route = next((r for r in self.routes_to(role) if r.kind in PHONE_KINDS), None)
        return route.shown if route else None

    def email(self, role: str) -> str | None:
        return next((r.value for r in self.routes_to(role) if r.kind == EMAIL), None)

    def letter_address(self, role: str) -> str | None:
        return next((r.value for r in self.routes_to(role) if r.kind == LETTER), None)

    @property
    def consent_asked(self) -> bool:
        """A professional asked, so they said whether the young person (and family) know and agree."""
        return self.requester_type == "professional"


def contact_person(answers: dict[str, Any]) -> str:
    """Whose contact details the requester gave: a young person and a parent their own; a professional
    the young person's, or for an under-16 a parent or carer's (then the family answers are there)."""
    kind = answers.get("requester_type")
    if kind == "parent":
        return PARENT_CARER
    if kind == "professional" and ("family_knows" in answers or answers.get("parent_carer_name")):
        return PARENT_CARER
    return YOUNG_PERSON


def _text(answers: dict[str, Any], name: str) -> str:
    value = answers.get(name)
    return value.strip() if isinstance(value, str) else ""


def _contact(answers: dict[str, Any], role: str) -> Person:
    kind = answers.get("requester_type")
    if role == PARENT_CARER and kind == "parent":
        return Person(PARENT_CARER, _text(answers, "requester_name"), _text(answers, "relationship"))
    if role == PARENT_CARER:
        return Person(PARENT_CARER, _text(answers, "parent_carer_name"), _text(answers, "parent_carer_relationship"))
    name = " ".join(part for part in (_text(answers, "given_name"), _text(answers, "family_name")) if part)
    return Person(YOUNG_PERSON, name)


def _knows(value: Any) -> str | None:
    return value if value in KNOWS_ANSWERS else None


def contact_summary(answers: dict[str, Any]) -> ContactSummary:
    """How the front door may reach the people a request (its `answers`) is about, safely."""
    answers = answers or {}
    role = contact_person(answers)
    no_safe_contact = bool(answers.get("no_safe_contact"))
    phone, email, address = _text(answers, "phone"), _text(answers, "email"), _text(answers, "address")
    routes: list[Route] = []
    if not no_safe_contact:
        if phone:
            routes += [Route(kind, role, phone) for kind, name in ((CALL, "can_call"), (TEXT, "can_text"),
                                                                   (VOICEMAIL, "can_voicemail")) if answers.get(name)]
        if email:
            routes.append(Route(EMAIL, role, email))
        if address and answers.get("can_letter"):
            routes.append(Route(LETTER, role, address))
    unused_phone = display_phone(phone) if phone and not any(r.kind in PHONE_KINDS for r in routes) else None
    professional = None
    if answers.get("requester_type") == "professional":
        detail = ", ".join(part for part in (_text(answers, "professional_role"), _text(answers, "organisation"))
                           if part)
        professional = Person(PROFESSIONAL, _text(answers, "requester_name"), detail)
        if _text(answers, "requester_phone"):
            routes.append(Route(CALL, PROFESSIONAL, _text(answers, "requester_phone")))
        if _text(answers, "requester_email"):
            routes.append(Route(EMAIL, PROFESSIONAL, _text(answers, "requester_email")))
    return ContactSummary(
        requester_type=answers.get("requester_type"), contact=_contact(answers, role), routes=tuple(routes),
        no_safe_contact=no_safe_contact, best_times=_text(answers, "best_times"), unused_phone=unused_phone,
        professional=professional, young_person_knows=_knows(answers.get("young_person_knows")),
        young_person_knows_why_not=_text(answers, "young_person_knows_why_not"),
        family_knows=_knows(answers.get("family_knows")),
        family_knows_why_not=_text(answers, "family_knows_why_not"),
        communication_needs=_text(answers, "communication_needs"),
        preferred_language=_text(answers, "preferred_language"),
    )
