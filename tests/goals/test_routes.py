"""Goals pages through the test client: forms without JavaScript, errors by the field, the JSON sync."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp import clock
from webapp.extensions import db
from webapp.goals import charts, service
from webapp.goals.models import Goal, GoalRating, GoalSettings


@pytest.fixture
def signed_in(client, login, young):
    login(client, young)
    return client


def _client_id(page: str) -> str:
    return re.search(r'name="client_id" type="hidden" value="([^"]+)"', page).group(1)


def _add(client, text="To feel calmer at school", rating="3"):
    page = client.get("/goals/new").get_data(as_text=True)
    return client.post_form("/goals/new", {"text": text, "rating": rating, "client_id": _client_id(page)})


def test_only_young_people_have_goals(app, client, login, make_user):
    assert client.get("/goals/").status_code == 302
    parent = make_user(role="parent")
    login(client, parent)
    assert client.get("/goals/").status_code == 403
    assert 'href="/goals/"' not in client.get("/").get_data(as_text=True)


def test_set_a_goal_without_javascript(signed_in, young):
    page = signed_in.get("/goals/new").get_data(as_text=True)
    assert "How close are you to reaching this goal?" in page
    for value, word in (("0", "not at all"), ("5", "halfway"), ("10", "reached")):
        assert re.search(rf'value="{value}">\s*<label[^>]*><span class="rating-scale__number">{value}</span>'
                         rf'<span class="rating-scale__word"> {word}</span>', page)
    response = _add(signed_in, "To go to the park with friends", "4")
    assert response.status_code == 303
    index = signed_in.get("/goals/").get_data(as_text=True)
    assert "To go to the park with friends" in index and "Now: 4 out of 10" in index
    assert "Your goals are private" in index


@pytest.mark.parametrize("bad", ["-1", "11", "5.5", "abc", ""])
def test_bad_ratings_are_refused_by_the_field_and_nothing_is_lost(signed_in, bad):
    response = _add(signed_in, "My words stay here", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a whole number from 0 (not at all) to 10 (reached)." in page
    assert 'id="rating-error"' in page and 'href="#rating-0"' in page  # the first radio, not its fieldset
    assert "My words stay here" in page
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 0


def test_a_fourth_goal_is_refused_clearly(signed_in):
    for n in range(3):
        assert _add(signed_in, f"goal {n}").status_code == 303
    page = signed_in.get("/goals/").get_data(as_text=True)
    assert "You have three goals, the most at one time." in page
    assert 'href="/goals/new"' not in page
    assert "already have three goals" in signed_in.get("/goals/new").get_data(as_text=True)
    response = signed_in.post_form("/goals/new", {"text": "a fourth goal", "rating": "5",
                                                  "client_id": "fourth-1234-abcd"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You already have three goals. To add a new one, first close one of them" in body
    assert "a fourth goal" in body
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 3


def test_a_form_sent_twice_adds_one_goal(signed_in):
    page = signed_in.get("/goals/new").get_data(as_text=True)
    data = {"text": "Once only", "rating": "2", "client_id": _client_id(page)}
    assert signed_in.post_form("/goals/new", data).status_code == 303
    assert signed_in.post_form("/goals/new", data).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 1


def _goal_id():
    return db.session.scalar(select(Goal.id))


def test_check_in_close_and_keep_history(signed_in, frozen_clock):
    _add(signed_in, "To sleep before midnight", "2")
    goal_id = _goal_id()
    clock.advance(timedelta(days=7))
    page = signed_in.get(f"/goals/{goal_id}").get_data(as_text=True)
    response = signed_in.post_form(f"/goals/{goal_id}/check-in",
                                   {"rating": "5", "note": "Phone out of the room", "client_id": _client_id(page)})
    assert response.status_code == 303
    page = signed_in.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "Up 3 points since you started" in page and "Phone out of the room" in page
    bad = signed_in.post_form(f"/goals/{goal_id}/check-in", {"rating": "5.5", "note": "kept words",
                                                             "client_id": _client_id(page)})
    assert bad.status_code == 400 and "kept words" in bad.get_data(as_text=True)
    assert signed_in.post_form(f"/goals/{goal_id}/close", {}).status_code == 400
    assert signed_in.post_form(f"/goals/{goal_id}/close", {"outcome": "reached"}).status_code == 303
    index = signed_in.get("/goals/").get_data(as_text=True)
    assert "Closed goals" in index and "reached" in index
    closed_page = signed_in.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "Rate it again" not in closed_page and "Phone out of the room" in closed_page
    refused = signed_in.post_form(f"/goals/{goal_id}/check-in", {"rating": "6", "client_id": "closed-1234-5678"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(GoalRating)) == 2


def test_someone_elses_goal_is_not_found(app, signed_in, make_user):
    other = make_user(role="young_person")
    goal = service.add_goal(other.id, "theirs", 3)
    db.session.commit()
    assert signed_in.get(f"/goals/{goal.id}").status_code == 404
    assert signed_in.post_form(f"/goals/{goal.id}/check-in", {"rating": "4"}).status_code == 404
    assert signed_in.post_form(f"/goals/{goal.id}/close", {"outcome": "reached"}).status_code == 404


def test_the_chart_is_drawn_from_the_goals_own_ratings(app, signed_in, young, frozen_clock, make_user):
    goal = service.add_goal(young.id, "chart me", 2)
    other = service.add_goal(make_user(role="young_person").id, "not me", 9)
    for value in (4, 3, 7):
        clock.advance(timedelta(days=3))
        service.check_in(young.id, goal.id, value)
    service.check_in(other.user_id, other.id, 8)
    db.session.commit()
    page = signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)
    circles = re.findall(r'<circle cx="([\d.]+)%" cy="([\d.]+)" r="7"[^>]*data-rating="(\d+)"', page)
    assert [int(r) for _x, _y, r in circles] == [2, 4, 3, 7]
    assert [float(y) for _x, y, _r in circles] == [round(charts.y_for(v), 1) for v in (2, 4, 3, 7)]
    xs = [float(x) for x, _y, _r in circles]
    assert xs == sorted(xs) and xs[0] == charts.LEFT and xs[-1] == charts.WIDTH - charts.RIGHT
    table = re.findall(r'<td data-rating>(\d+)', page)
    assert table == ["7", "3", "4", "2"]  # the same ratings, newest first
    assert "Chart of 4 ratings for “chart me”" in page
    assert "Up 5 points since you started" in page


def test_review_is_suggested_when_stuck(app, signed_in, young, frozen_clock):
    goal = service.add_goal(young.id, "stuck goal", 4)
    db.session.commit()
    assert "Would a review help?" not in signed_in.get("/goals/").get_data(as_text=True)
    clock.advance(timedelta(weeks=6))
    assert "talk to your worker about a review" in signed_in.get("/goals/").get_data(as_text=True)
    assert "talk to your worker about a review" in signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)


def test_carry_over_goals_from_a_request(app, signed_in, young, make_request):
    request = make_request(young, goals=["To feel less worried at school", "To see my friends"])
    index = signed_in.get("/goals/").get_data(as_text=True)
    assert "Goals from your request for support" in index and request.reference in index
    link = f"/goals/new?request={request.id}&amp;goal=1"
    assert link in index
    page = signed_in.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r">\s*To see my friends</textarea>", page)
    response = signed_in.post_form(link.replace("&amp;", "&"),
                                   {"text": "To see my friends", "rating": "3", "client_id": _client_id(page)})
    assert response.status_code == 303
    goal = db.session.scalar(select(Goal))
    assert (goal.source_request_id, goal.source_goal_index) == (request.id, 1)
    index = signed_in.get("/goals/").get_data(as_text=True)
    assert "To see my friends" in index and link not in index and f"request={request.id}&amp;goal=0" in index
    assert signed_in.post_form(f"/goals/carry-over/{request.id}/dismiss").status_code == 303
    assert "Goals from your request for support" not in signed_in.get("/goals/").get_data(as_text=True)


def test_sharing_and_reminders_settings(app, signed_in, young):
    page = signed_in.get("/goals/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="no"', page)  # off by default
    assert "has not been given to a worker yet" in page
    assert signed_in.post_form("/goals/settings/sharing", {}).status_code == 400
    assert signed_in.post_form("/goals/settings/sharing", {"share": "yes"}).status_code == 303
    assert db.session.get(GoalSettings, young.id).share_with_worker is True
    assert signed_in.post_form("/goals/settings/sharing", {"share": "no"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(GoalSettings, young.id).share_with_worker is False
    service.add_goal(young.id, "goal", 3)
    db.session.commit()
    assert signed_in.post_form("/goals/settings/reminders", {"weekday": "6", "at": "03:00"}).status_code == 400
    assert signed_in.post_form("/goals/settings/reminders", {"weekday": "6", "at": "18:00"}).status_code == 303
    page = signed_in.get("/goals/settings").get_data(as_text=True)
    assert "You get a reminder on Sundays at 18:00 (UK time)." in page and "The next one is on Sunday" in page
    assert signed_in.post_form("/goals/settings/reminders/stop").status_code == 303
    assert "Reminders are off" in signed_in.get("/goals/settings").get_data(as_text=True)


def test_settings_page_links_to_goal_settings(signed_in):
    assert 'href="/goals/settings"' in signed_in.get("/settings/").get_data(as_text=True)


def test_device_copy_and_sync_api(app, signed_in, young, frozen_clock):
    goal = service.add_goal(young.id, "sync me", 3)
    db.session.commit()
    copy = signed_in.get("/goals/api/device").get_json()
    assert copy["csrf_token"] and copy["user"] == young.id and copy["goals"][0]["latest"]["rating"] == 3
    clock.advance(timedelta(hours=1))
    item = {"id": "offline-aaaa-0001", "goal_id": goal.id, "rating": 6, "note": "offline",
            "recorded_at": (clock.now() - timedelta(minutes=30)).isoformat()}
    bad = {"id": "offline-aaaa-0002", "goal_id": goal.id, "rating": "abc", "recorded_at": item["recorded_at"]}
    first = signed_in.post_json("/goals/api/check-ins", {"check_ins": [item, bad]})
    assert first.status_code == 200
    assert first.get_json()["added"] == ["offline-aaaa-0001"]
    assert first.get_json()["refused"] == ["offline-aaaa-0002"]
    assert first.get_json()["device"]["goals"][0]["latest"]["rating"] == 6
    again = signed_in.post_json("/goals/api/check-ins", {"check_ins": [item]})
    assert again.get_json()["already"] == ["offline-aaaa-0001"]
    assert db.session.scalar(select(func.count()).select_from(GoalRating)
                             .where(GoalRating.client_id == "offline-aaaa-0001")) == 1
    assert signed_in.post_json("/goals/api/check-ins", ["not", "an", "object"]).status_code == 400
    assert signed_in.post("/goals/api/check-ins", json={"check_ins": [item]}).status_code == 400  # no CSRF


def test_the_index_keeps_a_device_copy_for_offline(signed_in, young):
    service.add_goal(young.id, "read me offline", 6)
    db.session.commit()
    page = signed_in.get("/goals/").get_data(as_text=True)
    copy = re.search(r'data-copy="([^"]+)"', page).group(1)
    data = json.loads(copy.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    assert data["goals"][0]["text"] == "read me offline"


def test_offline_page_is_public_and_kept_by_the_service_worker(client):
    response = client.get("/goals/offline")
    assert response.status_code == 200 and "no-store" not in response.headers["Cache-Control"]
    assert "read me offline" not in response.get_data(as_text=True)
    script = client.get("/service-worker.js").get_data(as_text=True)
    assert '"/goals/offline"' in script
    assert 'OFFLINE_FALLBACKS.push(["/goals", "/goals/offline"])' in script
    assert 'addEventListener("sync"' in script and "flourish-goals-check-ins" in script


def test_personal_data_export_includes_goals(app, signed_in, young):
    from webapp.accounts import service as accounts

    service.add_goal(young.id, "export me", 6)
    db.session.commit()
    exported = accounts.export_personal_data(young)
    assert exported["goals"]["goals"][0]["text"] == "export me"
