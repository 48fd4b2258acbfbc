"""Goals in a real Chromium: axe on every page, forms without JavaScript, reading goals offline, and
a check-in made offline sent exactly once when the connection returns."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.helpers.axe import assert_accessible
from tests.helpers.two_factor import sign_in_page
from webapp import clock
from webapp.extensions import db
from webapp.goals import service, sharing
from webapp.goals.models import GoalRating


def _sign_in(page, user):
    sign_in_page(page, user)


def _ratings(goal_id):
    db.session.expire_all()
    return list(db.session.scalars(select(GoalRating).where(GoalRating.goal_id == goal_id)
                                   .order_by(GoalRating.recorded_at, GoalRating.id)))


@pytest.fixture
def young(make_user):
    return make_user(role="young_person")


def _request_for(young, clinician=None, goals=None):
    from datetime import date

    from webapp.support.models import SupportRequest

    row = SupportRequest(reference="FL-GOAL-TEST", requester_user_id=young.id, requester_type="young_person",
                         status="allocated", assigned_clinician_id=clinician.id if clinician else None,
                         young_person_date_of_birth=date(2010, 1, 1), answers={"goals": goals or []})
    db.session.add(row)
    db.session.commit()
    return row


def test_every_goals_page_passes_axe(page, young, make_user):
    clinician = make_user(role="clinician")
    _request_for(young, clinician, goals=["To feel OK on the bus"])
    _sign_in(page, young)
    page.goto("/goals/")
    expect(page.get_by_role("heading", name="Goals from your request for support")).to_be_visible()
    assert_accessible(page)
    page.goto("/goals/new")
    page.get_by_role("button", name="Save my goal").click()
    expect(page.get_by_role("link", name="Write your goal in your own words.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your goal, in your own words").fill("To go to the shop on my own")
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Save my goal").click()
    expect(page.get_by_text("Your goal is set.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="To go to the shop on my own").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To go to the shop on my own")
    assert_accessible(page)
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_role("link", name=re.compile("Choose a whole number"))).to_be_visible()
    assert_accessible(page)
    for value in ("4", "4"):
        page.get_by_label(value, exact=True).check()
        page.get_by_role("button", name="Save my rating").click()
        expect(page.get_by_text("Your rating is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Would a review help?")).to_be_visible()
    assert_accessible(page)
    page.goto("/goals/settings")
    page.get_by_label("Yes, my worker can see my goals and ratings").check()
    page.get_by_role("button", name="Save sharing choice").click()
    page.get_by_role("button", name="Turn on reminders").click()
    expect(page.get_by_text("You get a reminder on Sundays at 18:00 (UK time).")).to_be_visible()
    assert_accessible(page)
    page.goto("/goals/offline")
    expect(page.get_by_role("heading", name="To go to the shop on my own")).to_be_visible()
    assert_accessible(page)

    worker = page.context.browser.new_context(base_url=page.url.split("/goals")[0])
    worker_page = worker.new_page()
    _sign_in(worker_page, clinician)
    worker_page.goto(f"/goals/shared/{young.id}")
    expect(worker_page.get_by_role("heading", name="To go to the shop on my own")).to_be_visible()
    expect(worker_page.get_by_role("heading", name="A review may help")).to_be_visible()
    assert_accessible(worker_page)
    worker.close()


def test_offline_page_without_a_copy_passes_axe(page):
    page.goto("/goals/offline")
    expect(page.get_by_text("No goals are kept on this device.")).to_be_visible()
    assert_accessible(page)


def test_goals_work_without_javascript(browser, live_server, young):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, young)
    page.goto("/goals/new")
    page.get_by_label("Your goal, in your own words").fill("To sleep before midnight")
    page.get_by_label("10 reached").check()
    page.get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Save my goal").click()
    page.get_by_role("link", name="To sleep before midnight").click()
    page.get_by_label("5 halfway").check()
    page.get_by_label("Anything you want to add? (optional)").fill("Phone in the kitchen")
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Up 3 points since you started")).to_be_visible()
    rows = page.locator("[data-goal-ratings] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Phone in the kitchen")
    page.get_by_label("I have reached it").check()
    page.get_by_role("button", name="Close this goal").click()
    expect(page.get_by_text("Well done for reaching your goal.")).to_be_visible()
    context.close()


def _controlled(page):
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_offline_check_in_is_sent_once_after_reconnecting(context, page, young, frozen_clock):
    clock.freeze(None)
    goal = service.add_goal(young.id, "To walk the dog every day", 3)
    db.session.commit()
    _sign_in(page, young)
    page.goto(f"/goals/{goal.id}")
    _controlled(page)
    context.set_offline(True)
    try:
        page.get_by_label("6", exact=True).check()
        page.get_by_label("Anything you want to add? (optional)").fill("made offline")
        page.get_by_role("button", name="Save my rating").click()
        expect(page.get_by_text("No connection, so your rating is kept on this device.")).to_be_visible()
        assert [r.rating for r in _ratings(goal.id)] == [3]
        queued = page.evaluate("""() => new Promise((resolve) => {
            const open = indexedDB.open("flourish-goals", 1);
            open.onsuccess = () => {
                const request = open.result.transaction("queue").objectStore("queue").getAll();
                request.onsuccess = () => resolve(request.result);
            };
        })""")
        assert [(q["goal_id"], q["rating"], q["note"]) for q in queued] == [(goal.id, 6, "made offline")]
    finally:
        context.set_offline(False)
    expect(page.get_by_text("The check-ins you made offline have been saved.")).to_be_visible()
    expect(page.locator("[data-goal-ratings] tbody tr").first).to_contain_text("made offline")
    kept = _ratings(goal.id)
    assert [(r.rating, r.note) for r in kept] == [(3, None), (6, "made offline")]
    assert kept[1].client_id == queued[0]["id"]

    # The service worker's Background Sync sending the same check-in again records nothing new.
    page.evaluate("""(item) => new Promise((resolve) => {
        const open = indexedDB.open("flourish-goals", 1);
        open.onsuccess = () => {
            const tx = open.result.transaction("queue", "readwrite");
            tx.objectStore("queue").put(item);
            tx.oncomplete = () => resolve();
        };
    })""", queued[0])
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    origin = page.url.split("/goals")[0]
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": origin, "registrationId": registrations[0]["registrationId"],
                                                 "tag": "flourish-goals-check-ins", "lastChance": False})
    page.wait_for_function("""() => new Promise((resolve) => {
        const open = indexedDB.open("flourish-goals", 1);
        open.onsuccess = () => {
            const request = open.result.transaction("queue").objectStore("queue").count();
            request.onsuccess = () => resolve(request.result === 0);
        };
    })""")
    assert [(r.rating, r.note) for r in _ratings(goal.id)] == [(3, None), (6, "made offline")]


def test_goals_are_readable_offline_and_an_offline_check_in_is_sent(context, page, young):
    goal = service.add_goal(young.id, "To text a friend each week", 4)
    db.session.commit()
    clock.freeze(None)
    _sign_in(page, young)
    page.goto("/goals/")
    _controlled(page)
    expect(page.get_by_role("link", name="To text a friend each week")).to_be_visible()
    context.set_offline(True)
    try:
        page.goto("/goals/")
        expect(page.get_by_role("heading", level=1)).to_have_text("My goals on this device")
        expect(page.get_by_role("heading", name="To text a friend each week")).to_be_visible()
        expect(page.get_by_text("Last rating: 4 out of 10")).to_be_visible()
        page.get_by_label("7", exact=True).check()
        page.get_by_role("button", name="Save on this device").click()
        expect(page.get_by_text("Check-ins waiting to be sent: 1")).to_be_visible()
        assert len(_ratings(goal.id)) == 1
    finally:
        context.set_offline(False)
    expect(page.get_by_text("The check-ins you made offline have been saved.")).to_be_visible()
    expect(page.get_by_text("Last rating: 7 out of 10")).to_be_visible()
    assert [r.rating for r in _ratings(goal.id)] == [4, 7]


def test_sharing_turned_off_hides_goals_from_the_worker_at_once(browser, live_server, young, make_user):
    clinician = make_user(role="clinician")
    _request_for(young, clinician)
    service.add_goal(young.id, "Shared goal words", 5)
    sharing.set_sharing(young.id, True)
    db.session.commit()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    _sign_in(page, clinician)
    page.goto(f"/goals/shared/{young.id}")
    expect(page.get_by_role("heading", name="Shared goal words")).to_be_visible()
    sharing.set_sharing(young.id, False)
    db.session.commit()
    response = page.goto(f"/goals/shared/{young.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Shared goal words")).to_have_count(0)
    context.close()


def test_six_weeks_without_change_suggests_a_review(page, young, frozen_clock):
    service.add_goal(young.id, "Slow goal", 5)
    db.session.commit()
    clock.advance(timedelta(weeks=6))
    _sign_in(page, young)
    page.goto("/goals/")
    expect(page.get_by_role("heading", name="Would a review help?")).to_be_visible()


def test_signing_out_clears_the_goals_kept_on_the_device(page, young):
    service.add_goal(young.id, "Private words", 5)
    db.session.commit()
    _sign_in(page, young)
    page.goto("/goals/")
    count_copies = """() => new Promise((resolve) => {
        const open = indexedDB.open("flourish-goals", 1);
        open.onupgradeneeded = () => {
            open.result.createObjectStore("copy");
            open.result.createObjectStore("queue", { keyPath: "id" });
        };
        open.onsuccess = () => {
            const request = open.result.transaction("copy").objectStore("copy").count();
            request.onsuccess = () => { open.result.close(); resolve(request.result); };
        };
    })"""
    page.wait_for_function(f"async () => (await ({count_copies})()) === 1")
    page.goto("/logout")
    page.get_by_role("button", name=re.compile("Sign out")).click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert page.evaluate(count_copies) == 0
    page.goto("/goals/offline")
    expect(page.get_by_text("No goals are kept on this device.")).to_be_visible()
    expect(page.get_by_text("Private words")).to_have_count(0)



def test_without_background_sync_the_next_visit_sends_them(page, young):
    goal = service.add_goal(young.id, "To cook a meal", 2)
    db.session.commit()
    _sign_in(page, young)
    page.goto("/")
    item = {"id": "next-visit-0001", "goal_id": goal.id, "rating": 5, "note": None,
            "recorded_at": clock.now().isoformat()}
    page.evaluate("""(item) => new Promise((resolve) => {
        const open = indexedDB.open("flourish-goals", 1);
        open.onupgradeneeded = () => {
            open.result.createObjectStore("copy");
            open.result.createObjectStore("queue", { keyPath: "id" });
        };
        open.onsuccess = () => {
            const tx = open.result.transaction("queue", "readwrite");
            tx.objectStore("queue").put(item);
            tx.oncomplete = () => { open.result.close(); resolve(); };
        };
    })""", item)
    page.goto("/goals/")
    expect(page.get_by_text("The check-ins you made offline have been saved.")).to_be_visible()
    expect(page.get_by_text("Now: 5 out of 10")).to_be_visible()
    assert [(r.rating, r.client_id) for r in _ratings(goal.id)] == [(2, None), (5, "next-visit-0001")]
