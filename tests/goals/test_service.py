"""Goals logic without a request: limits, ratings, the stall rule at its edges, idempotent check-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp import clock
from webapp.extensions import db
from webapp.goals import service
from webapp.goals.models import NOT_WANTED, REACHED, Goal, GoalRating


def _goal(user, text="To feel calmer at school", rating=3, **kwargs):
    goal = service.add_goal(user.id, text, rating, **kwargs)
    db.session.commit()
    return goal


def test_a_goal_is_set_with_its_first_rating(app, frozen_clock, young):
    goal = _goal(young, "  To   sleep before midnight ", 4)
    assert goal.text == "To sleep before midnight"
    assert [(r.rating, r.recorded_at) for r in goal.ratings] == [(4, frozen_clock.now())]


def test_a_fourth_active_goal_is_refused_clearly(app, young):
    for n in range(3):
        _goal(young, f"goal {n}")
    with pytest.raises(service.GoalError) as refused:
        service.add_goal(young.id, "a fourth", 5)
    assert refused.value.field == "text"
    assert "already have three goals" in str(refused.value.message)
    db.session.rollback()
    assert service.count_active(young.id) == 3


def test_closing_a_goal_makes_room_and_keeps_its_history(app, young):
    goals = [_goal(young, f"goal {n}") for n in range(3)]
    service.check_in(young.id, goals[0].id, 6)
    service.close_goal(young.id, goals[0].id, REACHED)
    service.close_goal(young.id, goals[1].id, NOT_WANTED)
    db.session.commit()
    _goal(young, "a new one")
    closed = service.closed_goals(young.id)
    assert {g.status for g in closed} == {REACHED, NOT_WANTED}
    reached = next(g for g in closed if g.status == REACHED)
    assert [r.rating for r in reached.ratings] == [3, 6]
    with pytest.raises(service.GoalError):
        service.check_in(young.id, reached.id, 7)
    with pytest.raises(service.GoalError):
        service.close_goal(young.id, goals[2].id, "bored")


@pytest.mark.parametrize("bad", [-1, 11, 5.5, "abc", "-1", "11", "5.5", "", None, True, "５"])
def test_ratings_outside_0_to_10_whole_numbers_are_refused(app, young, bad):
    with pytest.raises(service.GoalError) as refused:
        service.parse_rating(bad)
    assert refused.value.field == "rating"
    goal = _goal(young)
    with pytest.raises(service.GoalError):
        service.check_in(young.id, goal.id, bad)
    with pytest.raises(service.GoalError):
        service.add_goal(young.id, "another", bad)


@pytest.mark.parametrize(("given", "kept"), [(0, 0), (10, 10), ("0", 0), ("10", 10), (" 7 ", 7)])
def test_every_rating_from_0_to_10_is_kept(app, given, kept):
    assert service.parse_rating(given) == kept


def test_someone_elses_goal_cannot_be_rated_or_closed(app, young, make_user):
    other = make_user(role="young_person")
    goal = _goal(young)
    with pytest.raises(service.GoalError):
        service.check_in(other.id, goal.id, 5)
    with pytest.raises(service.GoalError):
        service.close_goal(other.id, goal.id, REACHED)
    assert service.goal_for(other.id, goal.id) is None


def test_the_same_client_id_records_once(app, young):
    goal = service.add_goal(young.id, "text", 2, client_id="form-aaaa-1111")
    again = service.add_goal(young.id, "text", 2, client_id="form-aaaa-1111")
    assert again.id == goal.id
    first, added = service.check_in(young.id, goal.id, 4, "note", client_id="check-bbbb-2222")
    second, added_again = service.check_in(young.id, goal.id, 4, "note", client_id="check-bbbb-2222")
    db.session.commit()
    assert (added, added_again, first.id) == (True, False, second.id)
    assert db.session.scalar(select(func.count()).select_from(GoalRating)) == 2
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 1


def test_a_duplicate_at_the_same_moment_is_caught_by_the_unique_constraint(app, young):
    goal = _goal(young)
    db.session.add(GoalRating(goal_id=goal.id, rating=5, recorded_at=clock.now(), created_at=clock.now(),
                              client_id="race-cccc-3333"))
    db.session.commit()
    calls = []

    def racing():
        calls.append(1)
        if len(calls) == 1:  # the first run did not see the row another request was adding
            db.session.add(GoalRating(goal_id=goal.id, rating=5, recorded_at=clock.now(),
                                      created_at=clock.now(), client_id="race-cccc-3333"))
            db.session.flush()
        return service.check_in(young.id, goal.id, 5, client_id="race-cccc-3333")

    _row, added = service.once(racing)
    db.session.commit()
    assert added is False and len(calls) == 2
    assert db.session.scalar(select(func.count()).select_from(GoalRating)
                             .where(GoalRating.client_id == "race-cccc-3333")) == 1


def test_offline_check_ins_are_kept_once_and_bad_ones_alone_refused(app, frozen_clock, young, make_user):
    goal = _goal(young)
    others = _goal(make_user(role="young_person"))
    clock.advance(timedelta(days=1))
    at = (clock.now() - timedelta(hours=2)).isoformat()
    items = [
        {"id": "device-0001-aaaa", "goal_id": goal.id, "rating": 6, "note": "went in twice", "recorded_at": at},
        {"id": "device-0002-bbbb", "goal_id": goal.id, "rating": 11, "recorded_at": at},
        {"id": "device-0003-cccc", "goal_id": others.id, "rating": 6, "recorded_at": at},
        {"id": "device-0004-dddd", "goal_id": goal.id, "rating": 5.5, "recorded_at": at},
        {"id": "device-0005-eeee", "goal_id": goal.id, "rating": 7, "recorded_at": "yesterday"},
    ]
    result = service.import_check_ins(young.id, items)
    db.session.commit()
    assert result.added == ["device-0001-aaaa"]
    assert sorted(result.refused) == ["device-0002-bbbb", "device-0003-cccc", "device-0004-dddd",
                                      "device-0005-eeee"]
    again = service.import_check_ins(young.id, items[:1])
    db.session.commit()
    assert again.added == [] and again.already == ["device-0001-aaaa"]
    kept = service.goal_for(young.id, goal.id).ratings
    assert [(r.rating, r.note, r.recorded_at) for r in kept][-1] == (6, "went in twice",
                                                                      clock.now() - timedelta(hours=2))
    assert len(kept) == 2
    with pytest.raises(service.GoalError):
        service.import_check_ins(young.id, "not a list")


def _ratings(values, start, every=timedelta(days=7)):
    return [GoalRating(rating=v, recorded_at=start + i * every) for i, v in enumerate(values)]


@pytest.mark.parametrize(("values", "stalled"), [
    ([3], None), ([3, 3], None),
    ([3, 3, 3], service.STALLED_THREE),
    ([3, 4, 3], service.STALLED_THREE),  # back to where the three began
    ([5, 4, 3], service.STALLED_THREE),
    ([3, 3, 4], None), ([3, 2, 4], None),
    ([1, 2, 6, 6, 6], service.STALLED_THREE),
    ([1, 6, 6, 7], None),
])
def test_stall_rule_last_three_ratings(app, frozen_clock, values, stalled):
    start = clock.now() - timedelta(weeks=2)  # too soon for the six-week rule
    assert service.stall_reason(_ratings(values, start, timedelta(days=1)), clock.now()) == stalled


def test_stall_rule_six_weeks_after_the_first_rating(app, frozen_clock):
    first = clock.now()
    ratings = _ratings([4, 4], first, timedelta(days=1))
    assert service.stall_reason(ratings, first + timedelta(weeks=6) - timedelta(seconds=1)) is None
    assert service.stall_reason(ratings, first + timedelta(weeks=6)) == service.STALLED_SIX_WEEKS
    assert service.stall_reason(_ratings([4], first), first + timedelta(weeks=6)) == service.STALLED_SIX_WEEKS
    assert service.stall_reason(_ratings([4, 3], first), first + timedelta(weeks=7)) == service.STALLED_SIX_WEEKS
    assert service.stall_reason(_ratings([4, 5], first), first + timedelta(weeks=7)) is None


def test_closed_goals_are_never_flagged(app, frozen_clock, young):
    goal = _goal(young)
    service.check_in(young.id, goal.id, 3)
    service.check_in(young.id, goal.id, 3)
    assert service.progress_for(service.goal_for(young.id, goal.id)).stalled == service.STALLED_THREE
    service.close_goal(young.id, goal.id, NOT_WANTED)
    assert service.progress_for(service.goal_for(young.id, goal.id)).stalled is None


@pytest.mark.parametrize(("first", "latest", "count", "words"), [
    (3, 3, 1, "first step"), (3, 6, 2, "moved 3"), (4, 4, 3, "keeping going counts"),
    (6, 2, 2, "not your fault"), (2, 10, 4, "reached"),
])
def test_encouraging_words_never_shame(app, first, latest, count, words):
    text = str(service.encouragement(first, latest, count))
    assert words in text
    for shaming in ("fail", "bad", "should have", "only", "worse", "lazy"):
        assert shaming not in text.lower()


def test_device_copy_and_export(app, frozen_clock, young):
    goal = _goal(young, "To see friends at weekends", 2)
    service.check_in(young.id, goal.id, 5, "saw Jo")
    db.session.commit()
    copy = service.device_copy(young.id)
    assert copy["user"] == young.id
    assert copy["goals"][0]["text"] == "To see friends at weekends"
    assert (copy["goals"][0]["first"]["rating"], copy["goals"][0]["latest"]["rating"]) == (2, 5)
    exported = service.export_for(young)
    assert exported["goals"][0]["ratings"][1] == {"rating": 5, "note": "saw Jo",
                                                  "recorded_at": clock.now().isoformat()}
    assert exported["shared_with_worker"] is False


def test_deleting_the_account_deletes_the_goals(app, young):
    from webapp.accounts import service as accounts
    from webapp.goals.models import GoalSettings

    goal_id = _goal(young).id
    service.settings_for(young.id)
    db.session.commit()
    accounts.delete_account(young)
    db.session.commit()
    assert db.session.get(Goal, goal_id) is None
    assert db.session.scalar(select(func.count()).select_from(GoalRating)) == 0
    assert db.session.scalar(select(func.count()).select_from(GoalSettings)) == 0
