"""Issue 15 in Chromium at 320 px, checked with axe-core: one clock on /waits, a service with no waiting
list, the waiting list saying how people will be told, the last test notification, and a young person
asked for their date of birth when booking."""

from __future__ import annotations

from datetime import date, time, timedelta

from playwright.sync_api import expect

from tests.browser.journeys import sign_in
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.bookings import places, service, sessions
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.outbox import FAILED

DAY = timedelta(days=1)
NARROW = {"width": 320, "height": 720}


def test_waits_at_320px_one_clock_bands_and_no_waiting_list(browser, live_server, frozen_clock):
    now = clock.now()
    make_service("talk", name="Talking service", thrive_group="getting_help")
    make_service("crisis", name="Crisis team", thrive_group="getting_risk_support", waiting_list=False,
                 how_to_get="Same day: call 111 and choose option 2, at any time of day or night.")
    for days in (10, 14, 21, 28, 35, 42):
        allocated = now - (days + 5) * DAY
        make_journey("talk", allocated - 4 * DAY, triaged=allocated - 2 * DAY, allocated=allocated,
                     first_appointment=allocated + days * DAY)
    for days in (3, 4, 5, 6, 8, 50):
        make_journey("talk", now - (days + 2) * DAY, triaged=now - (days + 1) * DAY, allocated=now - days * DAY)
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    page.goto("/waits")
    talk = page.locator("#service-talk").locator("xpath=..")
    expect(talk.get_by_text("from asking for support to their first appointment here")).to_be_visible()
    expect(talk.get_by_text("the front door's step")).to_be_visible()
    expect(talk.get_by_role("cell", name="fewer than 5")).to_be_visible()
    crisis = page.locator("#service-crisis").locator("xpath=..")
    expect(crisis.get_by_text("Same day: call 111 and choose option 2")).to_be_visible()
    expect(crisis.get_by_text("Waiting now")).to_have_count(0)
    expect(talk.get_by_text("Short-term help (THRIVE: Getting Help)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    context.close()


def test_offers_and_date_of_birth_pages_at_320px(browser, live_server, frozen_clock, make_user):
    places.load_bases()
    db.session.commit()
    admin = make_user(role="admin")
    norwich = places.base_by_slug("norwich-one-stop-shop")
    made = sessions.create(admin, sessions.SessionDraft(norwich.id, date(2026, 6, 16), time(16), time(17), 30, 1,
                                                        "Drop-in chat", "young_people"))
    db.session.commit()
    full, free = made[0].slots
    service.book(make_user(role="young_person"), full.id)
    person = make_user(role="young_person", email="kit@example.org", date_of_birth=None)
    db.session.add(ScheduledNotification(user_id=person.id, kind="test", due_at=clock.now(), title="t", body="b",
                                         next_attempt_at=clock.now(),
                                         status=FAILED, attempts=1, created_at=clock.now(),
                                         last_error="push service refused the message (413)"))
    db.session.commit()
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    sign_in(page, "kit@example.org")

    page.goto(f"/bookings/slots/{full.id}/wait")
    expect(page.get_by_text("Notifications are off, so we could not tell you")).to_be_visible()
    expect(page.get_by_role("group", name="Your date of birth")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator(".error-summary")).to_be_visible()  # the date of birth, asked by the field
    assert_accessible(page)
    fill_date(page, "Your date of birth", "2010-02-03")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("Notifications are off on all your devices")).to_be_visible()
    expect(page.get_by_role("link", name="Turn on notifications")).to_be_visible()
    assert_accessible(page)

    later = sessions.create(admin, sessions.SessionDraft(norwich.id, date(2026, 6, 16), time(18), time(18, 30), 30, 1,
                                                         "Art group", "young_people"))[0].slots[0]
    db.session.commit()
    page.goto(f"/bookings/slots/{free.id}/book")
    expect(page.get_by_role("group", name="Your date of birth")).to_have_count(0)  # kept with the account now
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    page.goto(f"/bookings/slots/{later.id}/book")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("button", name="Move that booking to this time")).to_be_visible()
    expect(page.get_by_role("button", name="Book this time as well")).to_be_visible()
    assert_accessible(page)
    page.goto("/settings/notifications")
    expect(page.get_by_text("It did not reach your devices")).to_be_visible()
    assert_accessible(page)
    context.close()
