"""Drop-in booking in a real Chromium at phone size: without JavaScript, axe-core on every page, print."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import sign_in
from tests.helpers.axe import assert_accessible
from tests.helpers.dates import fill_date
from webapp import clock
from webapp.bookings import places, service, sessions
from webapp.extensions import db

TUESDAY = date(2026, 6, 16)


@pytest.fixture
def drop_ins(app, frozen_clock, make_user):
    places.load_bases()
    db.session.commit()
    admin = make_user(role="admin", email="admin@example.org")
    norwich = places.base_by_slug("norwich-one-stop-shop")
    made = sessions.create(admin, sessions.SessionDraft(norwich.id, TUESDAY, time(16), time(17), 30, 1,
                                                        "Drop-in chat", "young_people", repeat_weeks=2))
    db.session.commit()
    staff = make_user(role="base_staff", email="staff@example.org")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    return {"admin": admin, "staff": staff, "norwich": norwich, "sessions": made}


def test_a_young_person_books_moves_and_cancels_without_javascript(browser, live_server, drop_ins, make_user):
    make_user(role="young_person", email="sam@example.org", date_of_birth=date(2010, 5, 1))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, "sam@example.org")
    page.goto("/bookings/")
    page.get_by_label("Your postcode district").fill("NR2")
    page.get_by_role("button", name="Find bases").click()
    expect(page.get_by_role("heading", name="Nearest to NR2")).to_be_visible()
    page.get_by_role("link", name="Norwich One Stop Shop").first.click()
    expect(page.get_by_text("All times are UK time.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Book Tuesday")).first.click()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Booked. We have added it to My bookings.")).to_be_visible()
    expect(page.get_by_role("heading", name="Norwich One Stop Shop")).to_be_visible()
    page.get_by_role("link", name=re.compile("Change the time")).click()
    page.get_by_role("button", name="Move my booking").click()
    expect(page.get_by_text("Choose a new time.").first).to_be_visible()
    page.get_by_label(re.compile(r"16:30")).first.check()
    page.get_by_role("button", name="Move my booking").click()
    expect(page.get_by_text("Your booking has moved to the new time.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"16:30 to 17:00")).first).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    context.close()


def test_booking_pages_have_no_axe_violations(page, drop_ins, make_user):
    parent = make_user(role="parent", email="alex@example.org")
    slot = drop_ins["sessions"][0].slots[0]
    service.book(make_user(role="young_person"), slot.id)
    db.session.commit()
    sign_in(page, parent.email)
    for district in ("NR27", "XX"):  # sent by POST: found by the form, never in the address
        page.goto("/bookings/")
        page.get_by_label("Your postcode district").fill(district)
        page.get_by_role("button", name="Find bases").click()
        expect(page.locator("#nearest, .error-summary").first).to_be_visible()
        assert page.url.endswith("/bookings/")
        assert_accessible(page)
    for url in ("/bookings/", "/bookings/bases/norwich-one-stop-shop"):
        page.goto(url)
        assert_accessible(page)
    page.goto(f"/bookings/slots/{slot.id}/book")  # full: "just taken" with the next free times
    page.get_by_label("Your child's first name").fill("Mia")
    page.get_by_label("Your child's age").fill("15")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Sorry, that place was just taken by someone else.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/bookings/slots/{slot.id}/wait")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Your child's first name")).to_be_visible()
    assert_accessible(page)
    free = drop_ins["sessions"][0].slots[1]
    page.goto(f"/bookings/slots/{free.id}/book")
    page.get_by_label("Your child's first name").fill("Mia")
    page.get_by_label("Your child's age").fill("9")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_label("Your child's age")).to_have_value("9")
    assert_accessible(page)
    page.get_by_label("Your child's age").fill("15")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    assert_accessible(page)
    booking = service.my_bookings(parent.id)[0]
    for url in (f"/bookings/mine/{booking.id}/move", f"/bookings/mine/{booking.id}/cancel",
                f"/bookings/mine/{booking.id}/cancel?reply=yes"):
        page.goto(url)
        assert_accessible(page)


def test_staff_pages_have_no_axe_violations_and_the_list_prints(page, drop_ins, make_user):
    session = drop_ins["sessions"][0]
    booking = service.book(make_user(role="parent"), session.slots[0].id, "Mia", 15)
    db.session.commit()
    now = clock.now()
    clock.freeze(session.starts_at)  # attendance is recorded from the session's start
    sessions.mark_attendance(drop_ins["staff"], booking.id, "not_brought")
    db.session.commit()
    clock.freeze(now)
    sign_in(page, "staff@example.org")
    page.goto("/staff/bookings/")
    expect(page.get_by_text(re.compile("not brought and needs a follow-up call"))).to_be_visible()
    assert_accessible(page)
    page.goto("/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16")
    expect(page.get_by_text("Mia, age 15")).to_be_visible()
    expect(page.get_by_role("button", name="Print this list")).to_be_visible()
    page.locator("details.booking-walk-in summary").nth(0).click()
    page.get_by_role("button", name="Book in").first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("Book someone in").first).to_be_hidden()
    expect(page.get_by_text("Mia, age 15")).to_be_visible()
    page.emulate_media(media="screen")
    page.goto("/staff/bookings/follow-ups")
    assert_accessible(page)
    page.goto("/staff/bookings/bases/norwich-one-stop-shop/sessions/new")
    assert_accessible(page)
    fill_date(page, "Date", "2026-10-25")
    page.get_by_label("Start time (UK time)").fill("01:30")
    page.get_by_label("End time (UK time)").fill("02:30")
    page.get_by_label("What it is for").fill("Late chat")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Which one do you mean?")).to_be_visible()
    expect(page.get_by_label("What it is for")).to_have_value("Late chat")
    assert_accessible(page)
    page.goto(f"/staff/bookings/sessions/{session.id}")
    assert_accessible(page)


def test_admin_assignment_page_is_accessible(page, drop_ins):
    sign_in(page, "admin@example.org")
    page.goto("/staff/bookings/staff")
    expect(page.get_by_role("cell", name="staff@example.org", exact=True)).to_be_visible()
    assert_accessible(page)
