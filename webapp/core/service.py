"""Shared page data: crisis lines and system health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import data
from webapp.extensions import db


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

    @property
    def href(self) -> str:
        if self.kind == "text":
            return f"sms:{self.number}?body={self.body}" if self.body else f"sms:{self.number}"
        return f"tel:{self.number}"


def crisis_lines() -> list[CrisisLine]:
    return [CrisisLine(**entry) for entry in data.load("crisis_lines")]


def crisis_line(line_id: str) -> CrisisLine:
    return next(line for line in crisis_lines() if line.id == line_id)


def database_is_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
