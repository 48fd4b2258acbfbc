"""Retention: a worker job that deletes what we no longer need, as docs/data-inventory.yaml says.

Each rule is a table, the column that dates a row, how long to keep it, and which rows qualify.
Rows still needed (pending notifications, open requests) never qualify.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from webapp import clock
from webapp.extensions import db


@dataclass(frozen=True)
class RetentionRule:
    name: str
    model: Callable[[], type]
    dated_by: str
    keep_for: timedelta
    only_when: Callable[[type], object] | None = None


def _notifications():
    from webapp.notifications.models import ScheduledNotification

    return ScheduledNotification


def _audit():
    from webapp.audit import AuditEvent

    return AuditEvent


RULES: list[RetentionRule] = [
    RetentionRule("finished notifications", _notifications, "created_at", timedelta(days=90),
                  lambda model: model.status.in_(("sent", "failed", "cancelled", "no_device", "expired"))),
    RetentionRule("audit events", _audit, "at", timedelta(days=365 * 8)),
]


def register_rule(rule: RetentionRule) -> None:
    """Packages add their own rules (e.g. closed requests) from their init_app."""
    if all(existing.name != rule.name for existing in RULES):
        RULES.append(rule)


def apply_retention() -> int:
    """Delete every row past its retention period. Returns how many rows went."""
    now = clock.now()
    removed = 0
    for rule in RULES:
        model = rule.model()
        condition = getattr(model, rule.dated_by) < now - rule.keep_for
        if rule.only_when is not None:
            condition = condition & rule.only_when(model)
        result = db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
        removed += result.rowcount or 0
    return removed
