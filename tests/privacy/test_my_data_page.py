""""Your data" as a page reads in the person's language: every part of the file is named in words
(a request's answers by the questions asked, a safety plan by its steps), and codes such as who a
person is read as words, while the downloaded file keeps its English keys for programs."""

from __future__ import annotations

import html
import re
from datetime import date, time, timedelta

import pytest

from tests.bookings.conftest import admin, bases, norwich, publish, reachable  # noqa: F401 - fixtures
from tests.support.conftest import services  # noqa: F401 - fixture
from tests.support.helpers import send
from webapp import clock
from webapp.accounts.verification import record_proof
from webapp.bookings import service as bookings
from webapp.bookings import waiting_list
from webapp.checkins.models import STILL_NEED, WaitCheckIn
from webapp.checkins.offers import HelpFeedback, HelpOffer
from webapp.extensions import db
from webapp.goals import service as goals
from webapp.messaging import service as messaging
from webapp.messaging.models import ChannelPreferences
from webapp.notifications import service as notifications
from webapp.notifications.preferences import update_preferences
from webapp.privacy import service as privacy
from webapp.privacy.data_names import NAMES
from webapp.safety_plan import service as safety_plan
from webapp.safety_plan.models import SafetyPlanAddition
from webapp.selfhelp import service as selfhelp
from webapp.support import lookups
from webapp.support import service as support

NAMED = re.compile(r"<(dt|h2)\b[^>]*>(.*?)</\1>", re.S)
SHOWN = re.compile(r"<(dd|li)\b[^>]*>([^<]*)</\1>")
A_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")  # young_person, goal_checkin, warning_signs
MARKED_ENGLISH = 'lang="en"'


@pytest.fixture
def someone_with_everything(app, make_user, login, services, publish, norwich, reachable, frozen_clock):  # noqa: F811
    """A young person with something in every part of "download my data"."""
    person = make_user(role="young_person", email="everything@example.org", date_of_birth=date(2010, 1, 1))
    client = app.test_client()
    login(client, person)
    send(client, "young_person")
    client.post_form("/request-support/")  # a second request, started and not sent
    client.post_form("/request-support/who", {"requester_type": "young_person"})
    goal = goals.add_goal(person.id, "Sleep better", 3)
    goals.check_in(person.id, goal.id, 5, "A bit better")
    settings = goals.settings_for(person.id)
    settings.reminder_weekday, settings.reminder_time = 2, time(17, 30)
    selfhelp.add_entry(person.id, 4, "OK today", ["worried"])
    safety_plan.set_keep_in_account(person.id, True)
    safety_plan.save(person.id, {"warning_signs": "Not sleeping", "helper_1_name": "Gran",
                                 "helper_1_phone": "07700 900123"})
    update_preferences(person.id, appointment_reminders=True, goal_checkins=True, request_updates=True,
                       discreet=True, quiet_hours=True, quiet_start=time(21), quiet_end=time(8))
    reachable(person)
    db.session.add(ChannelPreferences(user_id=person.id, order=["push", "sms"], phone="+447700900123"))
    messaging.queue(channel="sms", to="+447700900123", template="request_update", user_id=person.id,
                    personalisation={"reference": "FL-TEST", "link": "https://example.org"}, language="pl")
    request = support.requests_for(person)[0]
    lookups.record_lookup(request)
    support.report_worse(request, "Not sleeping at all now", person.id)
    db.session.add(WaitCheckIn(request_id=request.id, asked_by="worker", answer=STILL_NEED, words="Still waiting",
                               answered_at=clock.now()))
    privacy.raise_concern("Please delete my old goal", "everything@example.org", person.id)
    db.session.add(SafetyPlanAddition(plan_user_id=person.id, step="warning_signs", text="Not eating"))
    notifications.schedule(user_id=person.id, kind="goal_checkin", due_at=clock.now(), title="Flourish",
                           body="Something new", subject_type="goal_checkin")
    notifications.schedule(user_id=person.id, kind="place_offer", due_at=clock.now(), title="Flourish",
                           body="Something new", subject_type="waiting_list",
                           params={"until": (clock.now() + timedelta(hours=2)).isoformat()})
    offer = HelpOffer(request_id=request.id, items=["tool:breathing"])
    db.session.add(offer)
    db.session.flush()
    db.session.add(HelpFeedback(offer_id=offer.id, item="tool:breathing", helped=True))
    record_proof(person.id, "email", "everything@example.org")
    slot = publish(norwich, clock.now().date() + timedelta(days=2), "16:00", "16:30", 30, 1)[0].slots[0]
    bookings.book(make_user(role="young_person", date_of_birth=date(2009, 1, 1)), slot.id)
    db.session.commit()  # the place taken, as the next person sees it
    waiting_list.join(person, slot.id)
    later = publish(norwich, clock.now().date() + timedelta(days=3), "16:00", "16:30", 30, 1)[0].slots[0]
    bookings.book(person, later.id)
    db.session.commit()
    return client, person


def _every_key(data, keys: set[str]) -> set[str]:
    if isinstance(data, dict):
        for key, inner in data.items():
            keys.add(key)
            _every_key(inner, keys)
    elif isinstance(data, list):
        for inner in data:
            _every_key(inner, keys)
    return keys


def test_every_part_of_the_file_is_named_in_the_readers_language(someone_with_everything):
    client, person = someone_with_everything
    data = client.get("/settings/data/flourish-my-data.json").get_json()
    assert all(data[section] for section in data if section != "two_factor")  # something in every part
    assert all(data["messages"].values()) and all(data["notifications"].values())
    person.locale = "pl"
    db.session.commit()
    page = client.get("/settings/data/page").get_data(as_text=True)

    names = [inner for _, inner in NAMED.findall(page)]
    english_names = [name for name in names if MARKED_ENGLISH in name]
    assert not english_names, f"named only by the file's English key: {english_names}"
    codes = [value for _, value in SHOWN.findall(page) if A_CODE.match(value.strip())]
    assert not codes, f"codes shown as they are kept: {codes}"
    assert "<h1>Wszystko, co o tobie przechowujemy</h1>" in page
    for shown_in_polish in ("Data urodzenia", "Cele", "Plan bezpieczeństwa"):
        assert shown_in_polish in page
    assert "last_login_at" not in page and "Last login at" not in page
    for code in ("young_person", "worried", "self"):  # who they are, a feeling, a chosen answer: as words
        assert f">{code}<" not in page

    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}", page), "a date or time left as the file writes it"
    assert '<time datetime="2010-01-01">1 stycznia 2010</time>' in page  # the date of birth, as Polish writes it
    keys = _every_key(data, set())
    assert len(keys) > 60  # the whole file was looked at, not one part


def test_the_file_holds_what_they_told_us_after_sending_and_their_check_in_answers(someone_with_everything):
    client, _ = someone_with_everything
    data = client.get("/settings/data/flourish-my-data.json").get_json()
    request = data["requests_for_support"][0]
    assert [(u["kind"], u["words"]) for u in request["what_you_told_us_since"]] == [
        ("worse", "Not sleeping at all now")]
    assert [(c["request"], c["answer"], c["words"]) for c in data["check_ins_while_waiting"]] == [
        (request["reference"], "still_need", "Still waiting")]
    assert "updates" not in request["answers"]  # a list nothing filled since the updates have their own table


def test_the_file_keeps_its_english_keys_and_every_fixed_key_has_a_name(someone_with_everything):
    client, _ = someone_with_everything
    data = client.get("/settings/data/flourish-my-data.json").get_json()
    assert {"account", "requests_for_support", "safety_plan", "drop_in_bookings"} <= set(data)
    assert "last_login_at" in data["account"]
    assert set(data) <= set(NAMES)
    assert set(data["account"]) <= set(NAMES)


def test_a_parents_page_names_their_childs_answers_as_asked_of_them(app, make_user, login, services,  # noqa: F811
                                                                     frozen_clock):
    """A parent's request is about their child: its answers are named as the parent was asked them
    ("The young person's first name", "Are they...?"), never as if the parent were the young person."""
    parent = make_user(role="parent", email="parent@example.org")
    client = app.test_client()
    login(client, parent)
    send(client, "parent")
    page = client.get("/settings/data/page").get_data(as_text=True)
    names = [html.unescape(inner.strip()) for _, inner in NAMED.findall(page)]
    assert "The young person's first name" in names
    assert "Are they having thoughts of ending their life right now?" in names
    assert "Your first name" not in names and "Are you having thoughts of ending your life right now?" not in names
