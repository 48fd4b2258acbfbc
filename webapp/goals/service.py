"""Goal Based Outcomes: goals in the person's own words, 0-10 ratings, progress and review prompts.

Plain functions over the session (no `request`); callers commit. Sharing with the worker lives in
`sharing.py`, check-in reminders in `reminders.py`, chart geometry in `charts.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import audit, clock
from webapp.extensions import db
from webapp.goals.models import ACTIVE, NOT_WANTED, REACHED, Goal, GoalRating, GoalSettings

MAX_ACTIVE_GOALS = 3
GOAL_TEXT_LIMIT = 300
NOTE_LIMIT = 500
RATING_MIN, RATING_MAX = 0, 10
# Review when stuck: the last three ratings show no improvement, or none six weeks after the first.
STALL_RATINGS = 3
STALL_AFTER = timedelta(weeks=6)
IMPORT_LIMIT = 100  # check-ins in one send from a device
CLOSE_OUTCOMES = (REACHED, NOT_WANTED)

T = TypeVar("T")

STALLED_THREE = "three_ratings"
STALLED_SIX_WEEKS = "six_weeks"


class GoalError(ValueError):
    """A rule the person's input broke, tied to the form field it belongs next to."""

    def __init__(self, field: str, message: Any):
        super().__init__(str(message))
        self.field = field
        self.message = message


RATING_MESSAGE = _l("Choose a whole number from 0 (not at all) to 10 (reached).")
TOO_MANY_MESSAGE = _l("You already have three goals. To add a new one, first close one of them, "
                      "as reached or as no longer wanted.")


def parse_rating(value: Any) -> int:
    """A rating from 0 to 10: a whole number, or a string of digits only ("5", never "5.5" or "-1")."""
    if isinstance(value, bool):
        raise GoalError("rating", RATING_MESSAGE)
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            raise GoalError("rating", RATING_MESSAGE)
        value = int(value)
    if not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise GoalError("rating", RATING_MESSAGE)
    return value


def _clean_text(text: Any) -> str:
    text = " ".join(text.split()) if isinstance(text, str) else ""
    if not text:
        raise GoalError("text", _l("Write your goal in your own words."))
    if len(text) > GOAL_TEXT_LIMIT:
        raise GoalError("text", _l("Use %(limit)d characters or fewer.", limit=GOAL_TEXT_LIMIT))
    return text


def _clean_note(note: Any) -> str | None:
    if note is not None and not isinstance(note, str):
        raise GoalError("note", _l("A note must be text."))
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LIMIT:
        raise GoalError("note", _l("Use %(limit)d characters or fewer.", limit=NOTE_LIMIT))
    return note


def clean_client_id(value: Any) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not value.replace("-", "").isalnum():
        raise GoalError("id", _l("This check-in could not be read."))
    return value


# ---------------------------------------------------------------- reading goals

def _goals(user_id: int, *conditions) -> list[Goal]:
    query = (select(Goal).where(Goal.user_id == user_id, *conditions)
             .options(selectinload(Goal.ratings)).order_by(Goal.created_at, Goal.id))
    return list(db.session.scalars(query))


def active_goals(user_id: int) -> list[Goal]:
    return _goals(user_id, Goal.status == ACTIVE)


def closed_goals(user_id: int) -> list[Goal]:
    return sorted(_goals(user_id, Goal.status != ACTIVE), key=lambda g: g.closed_at or g.created_at, reverse=True)


def goal_for(user_id: int, goal_id: int) -> Goal | None:
    """One of this person's goals, or None (someone else's goal is as good as missing)."""
    return db.session.scalar(select(Goal).where(Goal.id == goal_id, Goal.user_id == user_id)
                             .options(selectinload(Goal.ratings)))


def count_active(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Goal)
                             .where(Goal.user_id == user_id, Goal.status == ACTIVE)) or 0


def settings_for(user_id: int) -> GoalSettings:
    """The person's goal settings, made with the most private defaults (sharing off) on first use."""
    settings = db.session.get(GoalSettings, user_id)
    if settings is None:
        settings = GoalSettings(user_id=user_id, share_with_worker=False, dismissed_request_ids=[],
                                updated_at=clock.now())
        db.session.add(settings)
        db.session.flush()
    return settings


def _lock_goals_of(user_id: int) -> None:
    """Take a write lock on the person's settings row so two adds at once cannot make a fourth goal."""
    settings_for(user_id)
    db.session.execute(update(GoalSettings).where(GoalSettings.user_id == user_id)
                       .values(updated_at=clock.now()).execution_options(synchronize_session=False))


# ---------------------------------------------------------------- changing goals

def once(operation: Callable[[], T]) -> T:
    """Run a whole change; if the same goal or check-in was kept by another request at that very
    moment (the unique device id said no), start again: the second run finds it and adds nothing."""
    try:
        return operation()
    except IntegrityError:
        db.session.rollback()
        return operation()


def add_goal(user_id: int, text: Any, rating: Any, client_id: str | None = None,
             source_request_id: int | None = None, source_goal_index: int | None = None) -> Goal:
    """Set a new goal with its first rating. Sent twice with the same `client_id`, it adds one goal."""
    text, rating = _clean_text(text), parse_rating(rating)
    if client_id is not None:
        existing = db.session.scalar(select(Goal).where(Goal.user_id == user_id, Goal.client_id == client_id))
        if existing is not None:
            return existing
    _lock_goals_of(user_id)
    if count_active(user_id) >= MAX_ACTIVE_GOALS:
        raise GoalError("text", TOO_MANY_MESSAGE)
    now = clock.now()
    goal = Goal(user_id=user_id, text=text, status=ACTIVE, created_at=now, client_id=client_id,
                source_request_id=source_request_id, source_goal_index=source_goal_index)
    goal.ratings.append(GoalRating(rating=rating, recorded_at=now, created_at=now, client_id=client_id))
    db.session.add(goal)
    db.session.flush()
    audit.record("goal.added", actor_id=user_id, subject_type="goal", subject_id=goal.id)
    return goal


def check_in(user_id: int, goal_id: int, rating: Any, note: Any = None, client_id: str | None = None,
             recorded_at: datetime | None = None) -> tuple[GoalRating, bool]:
    """Rate a goal again. Returns (rating, added); a `client_id` seen before adds nothing."""
    goal = goal_for(user_id, goal_id)
    if goal is None:
        raise GoalError("goal", _l("That goal is not one of yours."))
    rating, note = parse_rating(rating), _clean_note(note)
    if client_id is not None:
        existing = db.session.scalar(select(GoalRating).where(GoalRating.goal_id == goal.id,
                                                              GoalRating.client_id == client_id))
        if existing is not None:
            return existing, False
    if not goal.is_active and recorded_at is None:
        raise GoalError("rating", _l("This goal is closed, so it cannot be rated again."))
    now = clock.now()
    row = GoalRating(goal_id=goal.id, rating=rating, note=note, recorded_at=recorded_at or now, created_at=now,
                     client_id=client_id)
    db.session.add(row)
    db.session.flush()
    db.session.expire(goal, ["ratings"])
    return row, True


def close_goal(user_id: int, goal_id: int, outcome: str) -> Goal:
    """Close a goal as reached or no longer wanted; its ratings are kept."""
    if outcome not in CLOSE_OUTCOMES:
        raise GoalError("outcome", _l("Choose whether you reached this goal or no longer want it."))
    goal = goal_for(user_id, goal_id)
    if goal is None:
        raise GoalError("goal", _l("That goal is not one of yours."))
    if goal.is_active:
        goal.status, goal.closed_at = outcome, clock.now()
        audit.record(f"goal.closed_{outcome}", actor_id=user_id, subject_type="goal", subject_id=goal.id)
    return goal


def _parse_moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GoalError("recorded_at", _l("This check-in could not be read."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GoalError("recorded_at", _l("This check-in could not be read.")) from None
    if moment.tzinfo is None or moment.year < 2020 or moment > clock.now() + timedelta(minutes=5):
        raise GoalError("recorded_at", _l("This check-in could not be read."))
    return moment.astimezone(UTC)


@dataclass
class ImportResult:
    added: list[str]
    already: list[str]
    refused: list[str]


def import_check_ins(user_id: int, items: Any) -> ImportResult:
    """Check-ins made on a device while offline. Each is kept at most once (its device id is unique
    for the goal); one that can never be kept (bad rating, someone else's goal) is refused on its own,
    so it cannot hold the others back. A few queries whatever the number of check-ins."""
    if not isinstance(items, list) or len(items) > IMPORT_LIMIT:
        raise GoalError("check_ins", _l("These check-ins could not be read."))
    result = ImportResult([], [], [])
    cleaned: list[tuple[str, int, int, str | None, datetime]] = []
    for item in items:
        client_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise GoalError("check_ins", "not an object")
            client_id = clean_client_id(client_id)
            goal_id = item.get("goal_id")
            if isinstance(goal_id, bool) or not isinstance(goal_id, int):
                raise GoalError("goal", "goal")
            cleaned.append((client_id, goal_id, parse_rating(item.get("rating")), _clean_note(item.get("note")),
                            _parse_moment(item.get("recorded_at"))))
        except GoalError:
            result.refused.append(client_id if isinstance(client_id, str) else "")
    own_goals = set(db.session.scalars(select(Goal.id).where(
        Goal.user_id == user_id, Goal.id.in_({goal_id for _c, goal_id, *_rest in cleaned}))))
    kept = set(db.session.execute(select(GoalRating.goal_id, GoalRating.client_id).where(
        GoalRating.goal_id.in_(own_goals), GoalRating.client_id.in_({c for c, *_rest in cleaned}))).all())
    now = clock.now()
    for client_id, goal_id, rating, note, recorded_at in cleaned:
        if goal_id not in own_goals:
            result.refused.append(client_id)
        elif (goal_id, client_id) in kept:
            result.already.append(client_id)
        else:
            kept.add((goal_id, client_id))
            db.session.add(GoalRating(goal_id=goal_id, rating=rating, note=note, recorded_at=recorded_at,
                                      created_at=now, client_id=client_id))
            result.added.append(client_id)
    db.session.flush()
    if result.added:
        audit.record("goal.check_ins_synced", actor_id=user_id, subject_type="user", subject_id=user_id)
    return result


# ---------------------------------------------------------------- progress and review prompts

def stall_reason(ratings: list[GoalRating], now: datetime | None = None) -> str | None:
    """Why a review might help, or None.

    - the last three ratings show no improvement: the newest is no higher than the oldest of the three;
    - six weeks (or more) after the first rating, the newest is still no higher than the first.
    """
    if not ratings:
        return None
    now = now or clock.now()
    values = [r.rating for r in ratings]
    if len(values) >= STALL_RATINGS and values[-1] <= values[-STALL_RATINGS]:
        return STALLED_THREE
    if now - ratings[0].recorded_at >= STALL_AFTER and values[-1] <= values[0]:
        return STALLED_SIX_WEEKS
    return None


@dataclass(frozen=True)
class Progress:
    goal: Goal
    first: GoalRating
    latest: GoalRating
    change: int
    stalled: str | None
    encouragement: Any

    @property
    def checked_in(self) -> bool:
        return self.first is not self.latest


def encouragement(first: int, latest: int, count: int) -> Any:
    """Kind words about the change so far. Never shaming: staying the same or going down is normal."""
    change = latest - first
    if latest == RATING_MAX:
        return _l("You rated this goal 10: reached. That is something to be proud of. You can close it "
                  "as reached whenever you are ready.")
    if count == 1:
        return _l("You have set this goal and said where you are now. That is the first step. Rate it again "
                  "whenever you like, to see how it changes.")
    if change > 0:
        return _l("You have moved %(change)d on the scale since you started. Whatever helped, it is worth "
                  "noticing.", change=change)
    if change == 0:
        return _l("Where you are now is where you started. Change can take time, and keeping going counts. "
                  "It can help to talk about what would make a difference.")
    return _l("Things have felt harder lately. Ups and downs are a normal part of change, and it is not "
              "your fault. Talking to someone you trust, or your worker, can help.")


def progress_for(goal: Goal, now: datetime | None = None) -> Progress | None:
    ratings = list(goal.ratings)
    if not ratings:
        return None
    first, latest = ratings[0], ratings[-1]
    stalled = stall_reason(ratings, now) if goal.is_active else None
    return Progress(goal=goal, first=first, latest=latest, change=latest.rating - first.rating,
                    stalled=stalled, encouragement=encouragement(first.rating, latest.rating, len(ratings)))


def any_stalled(progress: list[Progress | None]) -> bool:
    return any(p is not None and p.stalled for p in progress)


# ---------------------------------------------------------------- the device copy and data export

def device_copy(user_id: int, active: list[Goal] | None = None) -> dict[str, Any]:
    """What the goals page keeps on the device so the goals and last ratings can be read offline."""
    goals = []
    for goal in active_goals(user_id) if active is None else active:
        ratings = goal.ratings
        goals.append({
            "id": goal.id, "text": goal.text,
            "first": {"rating": ratings[0].rating, "recorded_at": ratings[0].recorded_at.isoformat()},
            "latest": {"rating": ratings[-1].rating, "recorded_at": ratings[-1].recorded_at.isoformat()},
            "recent": [{"rating": r.rating, "recorded_at": r.recorded_at.isoformat()} for r in ratings[-5:]],
        })
    return {"user": user_id, "saved_at": clock.now().isoformat(), "goals": goals}


def export_for(user) -> dict[str, Any]:
    """This person's goals, ratings and goal settings for "download my data"."""
    settings = db.session.get(GoalSettings, user.id)
    goals = [{
        "text": goal.text, "status": goal.status, "created_at": goal.created_at.isoformat(),
        "closed_at": goal.closed_at.isoformat() if goal.closed_at else None,
        "from_request_for_support": goal.source_request_id is not None,
        "ratings": [{"rating": r.rating, "note": r.note, "recorded_at": r.recorded_at.isoformat()}
                    for r in goal.ratings],
    } for goal in _goals(user.id)]
    return {
        "goals": goals,
        "shared_with_worker": bool(settings and settings.share_with_worker),
        "check_in_reminder": ({"weekday": settings.reminder_weekday,
                               "time": settings.reminder_time.strftime("%H:%M")}
                              if settings and settings.reminders_on else None),
    }
