"""Demo check-ins, so every view has something on first run: the demo young person is being asked
"How are things now?", and the demo parent said "I'm OK now", waiting on the clinicians' "to confirm"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp import clock
from webapp.accounts.service import find_by_email
from webapp.checkins.models import OK_NOW, WaitCheckIn
from webapp.checkins.service import SCHEDULE
from webapp.extensions import db
from webapp.support.models import SupportRequest


def _request_of(email: str) -> SupportRequest | None:
    user = find_by_email(email)
    if user is None:
        return None
    return db.session.scalar(select(SupportRequest).where(SupportRequest.requester_user_id == user.id)
                             .order_by(SupportRequest.id).limit(1))


def seed() -> None:
    if db.session.scalar(select(WaitCheckIn.id).limit(1)) is not None:
        return
    now = clock.now()
    asked = _request_of("young.person@demo.flourish")
    if asked is not None:
        db.session.add(WaitCheckIn(request_id=asked.id, asked_at=now - timedelta(hours=2), asked_by=SCHEDULE))
    better = _request_of("parent@demo.flourish")
    if better is not None:
        db.session.add(WaitCheckIn(request_id=better.id, asked_at=now - timedelta(days=2), asked_by=SCHEDULE,
                                   answer=OK_NOW, words="Jamie has settled since the new term started.",
                                   answered_at=now - timedelta(days=1)))
    db.session.flush()
