"""Mood check-ins, the signposting directory and the "what would help" suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.selfhelp import service
from webapp.selfhelp.models import MoodEntry


def test_add_and_list_newest_first(make_user, frozen_clock):
    user = make_user()
    service.add_entry(user.id, 2, " rough day ", ["tired", "sad", "tired"])
    frozen_clock.advance(timedelta(hours=1))
    service.add_entry(user.id, 4)
    db.session.commit()
    entries = service.entries_for(user.id)
    assert [e.score for e in entries] == [4, 2]
    assert entries[1].words == "rough day" and entries[1].tags == ["sad", "tired"]


@pytest.mark.parametrize("score, words, tags", [(0, None, []), (6, None, []), ("3", None, []), (True, None, []),
                                                (3, "x" * 281, []), (3, None, ["not-a-tag"]), (3, 5, [])])
def test_bad_check_ins_are_refused(make_user, score, words, tags):
    user = make_user()
    with pytest.raises(service.MoodError):
        service.add_entry(user.id, score, words, tags)


def test_delete_only_your_own(make_user):
    owner, other = make_user(), make_user()
    entry = service.add_entry(owner.id, 3)
    db.session.commit()
    assert service.delete_entry(other.id, entry.id) is False
    assert service.delete_entry(owner.id, entry.id) is True
    db.session.commit()
    assert service.entries_for(owner.id) == []


def _device_entry(n: int, **fields):
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "score": 3, "words": "ok", "tags": ["calm"],
            "recorded_at": "2026-06-14T09:30:00.000Z", **fields}


def test_import_is_idempotent(make_user, frozen_clock):
    user = make_user()
    items = [_device_entry(1), _device_entry(2, score=5)]
    assert service.import_entries(user.id, items) == (2, 0)
    db.session.commit()
    assert service.import_entries(user.id, items + [_device_entry(3)]) == (1, 2)
    db.session.commit()
    entries = service.entries_for(user.id)
    assert len(entries) == 3
    assert entries[-1].recorded_at.isoformat() == "2026-06-14T09:30:00+00:00"


def test_import_is_all_or_nothing(make_user, frozen_clock):
    user = make_user()
    with pytest.raises(service.MoodError):
        service.import_entries(user.id, [_device_entry(1), _device_entry(2, score=9)])
    db.session.rollback()
    assert db.session.scalars(select(MoodEntry)).all() == []


@pytest.mark.parametrize("item", [
    _device_entry(1, recorded_at="2026-06-20T09:00:00Z"),  # in the future
    _device_entry(1, recorded_at="2026-06-14T09:00:00"),  # no time zone
    _device_entry(1, id="x"),
    "not an object",
])
def test_import_refuses_bad_entries(make_user, frozen_clock, item):
    user = make_user()
    with pytest.raises(service.MoodError):
        service.import_entries(user.id, [item])


def test_deleting_the_account_deletes_check_ins(make_user):
    from webapp.accounts.service import delete_account

    user = make_user()
    service.add_entry(user.id, 3)
    db.session.commit()
    delete_account(user)
    db.session.commit()
    assert db.session.scalars(select(MoodEntry)).all() == []


def test_export(make_user):
    user = make_user()
    service.add_entry(user.id, 1, "words", ["sad"])
    db.session.commit()
    [row] = service.export_for(user)
    assert row["score"] == 1 and row["words"] == "words" and row["tags"] == ["sad"]


def test_chart_places_low_scores_lower(make_user, frozen_clock):
    user = make_user()
    for score in (1, 5, 3):
        service.add_entry(user.id, score)
        frozen_clock.advance(timedelta(minutes=1))
    chart = service.chart(service.entries_for(user.id))
    ys = [p.y for p in chart.points]
    assert [p.entry.score for p in chart.points] == [1, 5, 3]
    assert ys[0] > ys[2] > ys[1]
    assert chart.points[0].x < chart.points[1].x < chart.points[2].x


def test_directory_keeps_allocatable_and_signposts_apart():
    signposts = {s.id: s for s in service.signposts()}
    assert {"childline", "shout", "samaritans", "papyrus-hopeline247"} <= set(signposts)
    assert not any(s.allocatable for s in signposts.values())
    childline = signposts["childline"]
    assert childline.contacts[0].href == "tel:08001111"
    assert signposts["shout"].contacts[0].href == "sms:85258?body=SHOUT"
    assert "point-1" in {s.id for s in service.allocatable_entries()}


def _answers(**fields):
    values = {"situation": "worry", "urgency": "while", "age": "13-15", "area": "norwich", **fields}
    return service.Answers(**values)


def test_danger_answers():
    assert _answers(urgency="danger").in_danger
    assert _answers(situation="suicidal").in_danger
    assert not _answers().in_danger


def test_danger_answers_count_with_the_rest_of_the_form_empty():
    """What the page decides before the form is checked (the route asks the service, never decides itself)."""
    assert service.in_danger("suicidal", None) and service.in_danger(None, "danger")
    assert service.in_danger("worry", "danger") and service.in_danger("suicidal", "while")
    assert not service.in_danger(None, None) and not service.in_danger("worry", "while")
    assert not service.in_danger("", "")


def test_suggestions_for_worry(app):
    result = service.suggest(_answers(), "en")
    assert result.topic.slug == "worry"
    assert {t.slug for t in result.tools} >= {"breathing", "worry-time"}
    assert result.ask_for_support and not result.talk_now
    assert "childline" in {s.id for s in result.national}
    assert "kooth-sign-up" in {s.id for s in result.local}


def test_suggestions_fit_age_area_and_urgency(app):
    adult = service.suggest(_answers(age="26+", urgency="today"), "en")
    assert adult.over_age and not adult.ask_for_support
    assert "childline" not in {s.id for s in adult.national}
    assert "childline" not in adult.talk_now_lines and adult.talk_now
    outside = service.suggest(_answers(area="outside"), "en")
    assert outside.local == [] and not outside.ask_for_support
    waveney = service.suggest(_answers(situation="unsafe-at-home", area="waveney"), "en")
    local_ids = {s.id for s in waveney.local}
    assert "suffolk-worried-about-a-child" in local_ids and "norfolk-worried-about-a-child" not in local_ids
    ideas = service.suggest(_answers(urgency="ideas"), "en")
    assert not ideas.ask_for_support
    assert service.suggest(_answers(urgency="ideas", situation="self-harm"), "en").ask_for_support
