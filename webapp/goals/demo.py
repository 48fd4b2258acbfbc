"""Demo goals for the demo young person: one moving on, one stuck (so the review prompt shows)."""

from __future__ import annotations

from datetime import timedelta

from webapp import clock
from webapp.accounts import service as accounts
from webapp.extensions import db
from webapp.goals.models import ACTIVE, Goal, GoalRating

DEMO_GOALS = (
    ("To go into school every day, even when I feel worried", (2, 3, 3, 5, 6)),
    ("To get to sleep before midnight on school nights", (4, 4, 3)),
)


def seed() -> None:
    person = accounts.find_by_email("young.person@demo.flourish")
    if person is None or db.session.query(Goal).filter_by(user_id=person.id).first() is not None:
        return
    now = clock.now()
    for text, ratings in DEMO_GOALS:
        start = now - timedelta(weeks=2 * len(ratings))
        goal = Goal(user_id=person.id, text=text, status=ACTIVE, created_at=start)
        goal.ratings = [GoalRating(rating=value, recorded_at=start + timedelta(weeks=2 * i), created_at=now)
                        for i, value in enumerate(ratings)]
        db.session.add(goal)
