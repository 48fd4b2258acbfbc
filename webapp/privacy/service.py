"""Privacy concerns: raised by anyone, listed for admins (open first), audited by id only."""

from __future__ import annotations

from sqlalchemy import select

from webapp import audit, clock
from webapp.extensions import db
from webapp.privacy.models import PrivacyConcern


def raise_concern(concern: str, reply_to: str | None, user_id: int | None) -> PrivacyConcern:
    row = PrivacyConcern(created_at=clock.now(), user_id=user_id, concern=concern.strip(),
                         reply_to=(reply_to or "").strip() or None)
    db.session.add(row)
    db.session.flush()
    audit.record("privacy_concern_raised", actor_id=user_id, subject_type="privacy_concern", subject_id=row.id)
    return row


def open_concerns() -> list[PrivacyConcern]:
    return list(db.session.scalars(select(PrivacyConcern).where(PrivacyConcern.handled_at.is_(None))
                                   .order_by(PrivacyConcern.created_at)))


def handled_concerns(limit: int = 50) -> list[PrivacyConcern]:
    return list(db.session.scalars(select(PrivacyConcern).where(PrivacyConcern.handled_at.is_not(None))
                                   .order_by(PrivacyConcern.handled_at.desc()).limit(limit)))


def mark_handled(concern_id: int, admin_id: int) -> PrivacyConcern | None:
    row = db.session.get(PrivacyConcern, concern_id, with_for_update=True)
    if row is None:
        return None
    if row.handled_at is None:
        row.handled_at = clock.now()
        row.handled_by_id = admin_id
        audit.record("privacy_concern_handled", actor_id=admin_id, subject_type="privacy_concern",
                     subject_id=row.id)
    return row


def export_for(user) -> list[dict]:
    rows = db.session.scalars(select(PrivacyConcern).where(PrivacyConcern.user_id == user.id))
    return [{"raised_at": row.created_at.isoformat(), "concern": row.concern, "reply_to": row.reply_to,
             "handled_at": row.handled_at.isoformat() if row.handled_at else None} for row in rows]
