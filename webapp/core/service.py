"""Shared page data: crisis lines and system health."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import data
from webapp.extensions import db

EMERGENCY = "emergency"  # 999 or A&E: always shown, always first
# What urgent help can be for (each risk question's situation, see webapp.support.drafts.RISK_SITUATIONS),
# and "general" when we do not know.
SITUATIONS = ("suicidal_thoughts", "self_harm", "unsafe_tonight", "being_hurt", "general")
DEFAULT_SITUATION = "general"
AUDIENCES = ("self", "other")


@dataclass(frozen=True)
class CrisisLine:
    id: str
    kind: str  # call | text
    number: str
    display: str
    name: str
    when: str
    hours: str
    ages: str
    last_checked: date
    body: str | None = None
    situations: tuple[str, ...] = ()  # what the line is for (SITUATIONS)
    audiences: tuple[str, ...] = AUDIENCES  # "self" (a young person for themselves), "other" (for someone)
    under_age: int | None = None  # only for a young person younger than this

    @property
    def href(self) -> str:
        if self.kind == "text":
            return f"sms:{self.number}?body={self.body}" if self.body else f"sms:{self.number}"
        return f"tel:{self.number}"

    def fits(self, audience: str | None, age: int | None) -> bool:
        """For this person? Unknown audience or age never hides a line."""
        if audience is not None and audience not in self.audiences:
            return False
        return not (self.under_age is not None and age is not None and age >= self.under_age)


def crisis_lines() -> list[CrisisLine]:
    return [CrisisLine(**{key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()})
            for entry in data.load("crisis_lines")]


def lines_for(situations: Iterable[str] | None = None, audience: str | None = None,
              age: int | None = None) -> list[CrisisLine]:
    """The crisis lines for what a person said: 999 first, always; then the lines for their situations
    (those fitting more of them first, else in the file's order), for who is asking and the young
    person's age where known. No known situation: the general lines (999, 111 option 2, Shout,
    Samaritans, Papyrus, Childline)."""
    wanted = {situation for situation in situations or () if situation in SITUATIONS} or {DEFAULT_SITUATION}
    lines = crisis_lines()
    emergency = [line for line in lines if line.id == EMERGENCY]
    chosen = [(index, line) for index, line in enumerate(lines)
              if line.id != EMERGENCY and wanted & set(line.situations) and line.fits(audience, age)]
    chosen.sort(key=lambda pair: (-len(wanted & set(pair[1].situations)), pair[0]))
    return emergency + [line for _index, line in chosen]


def crisis_line(line_id: str) -> CrisisLine:
    return next(line for line in crisis_lines() if line.id == line_id)


def database_is_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
