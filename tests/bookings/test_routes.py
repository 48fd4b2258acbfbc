"""The booking pages through the test client: forms without JavaScript, errors by the field, access rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from webapp import clock
from webapp.bookings import places, service, waiting_list
from webapp.bookings.models import BOOKED, Booking, DropInSession, Slot
from webapp.extensions import db

TUESDAY = date(2026, 6, 16)


def _signed_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_bases_page_lists_bases_and_finds_the_nearest(client, bases):
    page = client.get("/bookings/").get_data(as_text=True)
    assert "Norwich One Stop Shop" in page and "Demo:" in page
    response = client.post_form("/bookings/", {"district": "nr27 9ab"})
    assert response.headers["Cache-Control"] == "no-store"
    nearest = response.get_data(as_text=True)
    assert "Nearest to NR27" in nearest
    assert nearest.index("Cromer One Stop Shop") < nearest.index("Norwich One Stop Shop")
    wrong = client.post_form("/bookings/", {"district": "SW1A"})
    body = wrong.get_data(as_text=True)
    assert "Enter a postcode district in Norfolk or Waveney" in body and 'value="SW1A"' in body


def test_the_district_search_never_puts_a_postcode_in_a_url(client, bases):
    page = client.get("/bookings/").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="booking-district"[^>]*>', page).group(0)
    assert 'method="post"' in form and "?" not in form
    # An old link with a postcode in it is not searched (nor echoed back into the page).
    old = client.get("/bookings/?district=NR27 9ZZ").get_data(as_text=True)
    assert "Nearest to" not in old and 'value="NR27 9ZZ"' not in old
    # Without this session's token the search is refused: shown again with what was typed, not searched
    # (as a kept page's form is sent without JavaScript: webapp/page_cache.py).
    refused = client.post("/bookings/", data={"district": "NR27"})
    assert refused.status_code == 400 and "Nearest to" not in refused.get_data(as_text=True)


def test_a_base_page_shows_slots_in_uk_time(client, one_slot):
    page = client.get("/bookings/bases/norwich-one-stop-shop").get_data(as_text=True)
    assert "(UK time)" in page and "Accessibility" in page and "Getting there" in page
    assert "2 places free" in page
    assert client.get("/bookings/bases/nowhere").status_code == 404


def test_a_base_page_shows_two_weeks_at_a_time(client, publish, norwich, frozen_clock):
    publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 2, weeks=7)  # eight Tuesdays
    first = client.get("/bookings/bases/norwich-one-stop-shop").get_data(as_text=True)
    assert "Tuesday, 16 June 2026" in first and "Tuesday, 23 June 2026" in first
    assert "Tuesday, 30 June 2026" not in first and "Earlier times" not in first
    later = client.get("/bookings/bases/norwich-one-stop-shop?later=2").get_data(as_text=True)
    assert "Tuesday, 30 June 2026" in later and "Tuesday, 7 July 2026" in later
    assert "Tuesday, 16 June 2026" not in later and "Earlier times" in later and "Later times" in later
    last = client.get("/bookings/bases/norwich-one-stop-shop?later=99").get_data(as_text=True)
    assert "Tuesday, 28 July 2026" in last and "Later times" not in last


def test_booking_through_the_form(app, login, one_slot, young_person):
    client = _signed_in(app, login, young_person)
    assert "Book this time" in client.get(f"/bookings/slots/{one_slot.id}/book").get_data(as_text=True)
    response = client.post_form(f"/bookings/slots/{one_slot.id}/book")
    assert response.status_code == 303 and "/bookings/mine" in response.headers["Location"]
    mine = client.get("/bookings/mine").get_data(as_text=True)
    assert "Norwich One Stop Shop" in mine and "Add to calendar" in mine and "(UK time)" in mine
    again = client.post_form(f"/bookings/slots/{one_slot.id}/book", follow_redirects=True)
    assert "You have already booked this place." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_parents_error_keeps_what_they_typed(app, login, one_slot, parent):
    client = _signed_in(app, login, parent)
    response = client.post_form(f"/bookings/slots/{one_slot.id}/book", {"child_first_name": "Mia", "child_age": "8"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is for ages 14 to 25" in body and 'value="Mia"' in body and 'value="8"' in body
    assert 'id="child_age-error"' in body
    response = client.post_form(f"/bookings/slots/{one_slot.id}/book", {"child_first_name": "Mia", "child_age": "x"})
    assert "age, in numbers." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_just_taken_offers_the_next_free_slots(app, login, publish, norwich, frozen_clock, make_user):
    session = publish(norwich, TUESDAY, "16:00", "17:00", 30, 1)[0]
    full, free = session.slots
    service.book(make_user(role="young_person"), full.id)
    db.session.commit()
    client = _signed_in(app, login, make_user(role="young_person"))
    response = client.post_form(f"/bookings/slots/{full.id}/book")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "just taken" in body and f"/bookings/slots/{free.id}/book" in body
    assert f"/bookings/slots/{full.id}/wait" in body


def test_bad_slot_ids(app, login, one_slot, young_person, admin):
    client = _signed_in(app, login, young_person)
    assert client.get("/bookings/slots/987654/book").status_code == 404
    from webapp.bookings import sessions

    sessions.cancel(admin, db.session.get(DropInSession, one_slot.session_id), whole_series=False)
    db.session.commit()
    response = client.post_form(f"/bookings/slots/{one_slot.id}/book")
    assert response.status_code == 422 and "cancelled by the base" in response.get_data(as_text=True)


def test_cancel_move_and_calendar_file(app, login, publish, norwich, frozen_clock, young_person):
    session = publish(norwich, TUESDAY, "16:00", "17:00", 30, 1)[0]
    first, second = session.slots
    booking = service.book(young_person, first.id)
    db.session.commit()
    client = _signed_in(app, login, young_person)
    ics = client.get(f"/bookings/mine/{booking.id}/booking.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VTIMEZONE" in ics.data and b"TZID:Europe/London" in ics.data
    move_page = client.get(f"/bookings/mine/{booking.id}/move").get_data(as_text=True)
    assert f'value="{second.id}"' in move_page and 'type="radio"' in move_page
    nothing_chosen = client.post_form(f"/bookings/mine/{booking.id}/move")
    assert nothing_chosen.status_code == 422 and "Choose a new time." in nothing_chosen.get_data(as_text=True)
    moved = client.post_form(f"/bookings/mine/{booking.id}/move", {"slot_id": str(second.id)})
    assert moved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).slot_id == second.id
    assert "Yes, cancel it" in client.get(f"/bookings/mine/{booking.id}/cancel").get_data(as_text=True)
    assert client.post_form(f"/bookings/mine/{booking.id}/cancel").status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "cancelled"
    assert db.session.get(Slot, second.id).booked == 0


def test_people_see_only_their_own_bookings(app, login, one_slot, young_person, make_user):
    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    other = _signed_in(app, login, make_user(role="young_person"))
    for url in (f"/bookings/mine/{booking.id}/cancel", f"/bookings/mine/{booking.id}/move",
                f"/bookings/mine/{booking.id}/booking.ics"):
        assert other.get(url).status_code == 404, url
    assert other.post_form(f"/bookings/mine/{booking.id}/cancel").status_code == 404
    assert "Norwich" not in other.get("/bookings/mine").get_data(as_text=True)
    assert db.session.get(Booking, booking.id).status == BOOKED


def test_a_booking_cancelled_by_the_base_says_so(app, login, one_slot, young_person, admin):
    from webapp.bookings import sessions

    service.book(young_person, one_slot.id)
    sessions.cancel(admin, db.session.get(DropInSession, one_slot.session_id), whole_series=False)
    db.session.commit()
    page = _signed_in(app, login, young_person).get("/bookings/mine").get_data(as_text=True)
    assert "Cancelled by the base." in page


def test_waiting_list_through_the_pages(app, login, publish, norwich, frozen_clock, make_user, reachable):
    session = publish(norwich, TUESDAY, "16:00", "16:30", 30, 1)[0]
    slot = session.slots[0]
    booker = make_user(role="young_person")
    booking = service.book(booker, slot.id)
    db.session.commit()
    waiter = reachable(make_user(role="young_person"))
    client = _signed_in(app, login, waiter)
    assert "Tell me if a place comes up" in client.get("/bookings/bases/norwich-one-stop-shop").get_data(as_text=True)
    assert client.post_form(f"/bookings/slots/{slot.id}/wait").status_code == 303
    assert "Leave the waiting list" in client.get("/bookings/mine").get_data(as_text=True)
    service.cancel(booker, booking.id)
    db.session.commit()
    page = client.get("/bookings/mine").get_data(as_text=True)
    assert "A place came up for you" in page
    entry_id = waiting_list.my_waiting(waiter.id)[0].id
    assert client.post_form(f"/bookings/waiting/{entry_id}/take").status_code == 303
    assert [b.slot_id for b in service.my_bookings(waiter.id)] == [slot.id]


# -- staff --------------------------------------------------------------------------------

def _staff_for(make_user, base):
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, base.id)
    db.session.commit()
    return staff


def test_staff_publish_a_session_without_javascript(app, login, make_user, norwich, frozen_clock):
    client = _signed_in(app, login, _staff_for(make_user, norwich))
    form = client.get("/staff/bookings/bases/norwich-one-stop-shop/sessions/new").get_data(as_text=True)
    assert 'name="day-day"' in form and 'inputmode="numeric"' in form and 'type="time"' in form
    bad = {"base_id": str(norwich.id), "day": "2026-06-16", "start": "16:00", "end": "15:00", "slot_minutes": "30",
           "places_per_slot": "0", "purpose": "Exam stress chat", "audience": "young_people", "repeat_weeks": ""}
    response = client.post_form("/staff/bookings/bases/norwich-one-stop-shop/sessions/new", bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Offer from 1 to 50 places" in body and 'value="Exam stress chat"' in body and 'value="15:00"' in body
    good = {**bad, "end": "17:00", "places_per_slot": "2", "repeat_weeks": "3"}
    assert client.post_form("/staff/bookings/bases/norwich-one-stop-shop/sessions/new", good).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(DropInSession)) == 3


def test_an_ambiguous_time_asks_which_one(app, login, make_user, norwich):
    clock.freeze(datetime(2026, 10, 1, 12, tzinfo=UTC))
    client = _signed_in(app, login, _staff_for(make_user, norwich))
    data = {"base_id": str(norwich.id), "day": "2026-10-25", "start": "01:30", "end": "02:30", "slot_minutes": "30",
            "places_per_slot": "1", "purpose": "Night chat", "audience": "everyone"}
    response = client.post_form("/staff/bookings/bases/norwich-one-stop-shop/sessions/new", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "happens twice" in body and "Which one do you mean?" in body
    response = client.post_form("/staff/bookings/bases/norwich-one-stop-shop/sessions/new", {**data, "fold": "1"})
    assert response.status_code == 303
    session = db.session.scalar(select(DropInSession))
    assert session.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert len(session.slots) == 2  # 01:30 GMT to 02:30 GMT


def test_staff_of_one_base_cannot_touch_anothers(app, login, make_user, bases, publish, frozen_clock):
    cromer = publish(bases["cromer-one-stop-shop"], TUESDAY)[0]
    client = _signed_in(app, login, _staff_for(make_user, bases["norwich-one-stop-shop"]))
    assert client.get("/staff/bookings/bases/cromer-one-stop-shop/day").status_code == 404
    assert client.get("/staff/bookings/bases/cromer-one-stop-shop/sessions/new").status_code == 404
    assert client.get(f"/staff/bookings/sessions/{cromer.id}").status_code == 404
    assert client.post_form(f"/staff/bookings/sessions/{cromer.id}/cancel", {"scope": "one"}).status_code == 404
    assert client.post_form(f"/staff/bookings/slots/{cromer.slots[0].id}/walk-in",
                            {f"slot{cromer.slots[0].id}-name": "A", f"slot{cromer.slots[0].id}-contact": "B"}
                            ).status_code == 404
    sneaky = {"base_id": str(bases["cromer-one-stop-shop"].id), "day": "2026-06-16", "start": "16:00",
              "end": "17:00", "slot_minutes": "30", "places_per_slot": "2", "purpose": "x", "audience": "everyone"}
    response = client.post_form("/staff/bookings/bases/norwich-one-stop-shop/sessions/new", sneaky)
    assert response.status_code == 422 and "only add sessions at your own bases" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DropInSession, cromer.id).cancelled_at is None


def test_the_day_list_walk_ins_and_attendance(app, login, make_user, norwich, publish, frozen_clock, parent):
    session = publish(norwich, TUESDAY, "16:00", "17:00", 30, 1)[0]
    first, second = session.slots
    service.book(parent, first.id, "Mia", 15)
    db.session.commit()
    frozen_clock.freeze(session.starts_at)  # attendance is recorded from the session's start
    client = _signed_in(app, login, _staff_for(make_user, norwich))
    day = client.get("/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16").get_data(as_text=True)
    assert "Mia, age 15" in day and "Not brought" in day and "Book someone in" in day
    missing = client.post_form(f"/staff/bookings/slots/{second.id}/walk-in", {f"slot{second.id}-name": "Jordan"})
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and 'value="Jordan"' in body
    assert "Enter a phone number or email, so the base can reach them." in body
    ok = client.post_form(f"/staff/bookings/slots/{second.id}/walk-in",
                          {f"slot{second.id}-name": "Jordan", f"slot{second.id}-contact": "07700 900123"})
    assert ok.status_code == 303
    full = client.post_form(f"/staff/bookings/slots/{second.id}/walk-in",
                            {f"slot{second.id}-name": "Sam", f"slot{second.id}-contact": "sam@example.org"})
    assert full.status_code == 409 and 'value="Sam"' in full.get_data(as_text=True)
    booking = db.session.scalar(select(Booking).where(Booking.child_first_name == "Mia"))
    assert client.post_form(f"/staff/bookings/bookings/{booking.id}/attendance",
                            {"attendance": "not_brought"}).status_code == 303
    follow_ups = client.get("/staff/bookings/follow-ups").get_data(as_text=True)
    assert "Mia" in follow_ups and "Call made" in follow_ups
    home = client.get("/staff/bookings/").get_data(as_text=True)
    assert "not brought and needs a follow-up call" in home


def test_admins_link_staff_to_bases(app, login, make_user, admin, norwich):
    staff = make_user(role="base_staff", email="jo@example.org")
    client = _signed_in(app, login, admin)
    unknown = client.post_form("/staff/bookings/staff", {"email": "nobody@example.org", "base_id": str(norwich.id)})
    assert unknown.status_code == 422 and 'value="nobody@example.org"' in unknown.get_data(as_text=True)
    assert client.post_form("/staff/bookings/staff", {"email": "jo@example.org", "base_id": str(norwich.id)}
                            ).status_code == 303
    assert places.may_manage(staff, norwich.id)
    assert client.post_form(f"/staff/bookings/staff/{staff.id}/{norwich.id}/remove").status_code == 303
    assert not places.may_manage(staff, norwich.id)


def test_a_reminders_reply_links_open_a_page_ready_to_confirm(app, login, one_slot, young_person):
    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    reminder_url = service.notifications.pending_for("booking", booking.id)[0].url
    assert reminder_url == f"/bookings/mine/{booking.id}/cancel"
    client = _signed_in(app, login, young_person)
    coming = client.get(f"{reminder_url}?reply=yes").get_data(as_text=True)
    assert "See you there" in coming
    not_coming = client.get(f"{reminder_url}?reply=no").get_data(as_text=True)
    assert "Cancel your booking?" in not_coming and "Yes, cancel it" in not_coming
    assert db.session.get(Booking, booking.id).status == BOOKED  # a GET never acts


def test_text_staff_typed_is_marked_english_on_a_page_in_another_language(client, norwich, publish, frozen_clock):
    # WCAG 3.1.2: a screen reader reads staff's English with English rules on a Polish page.
    norwich.getting_there = "Bus 25 from Castle Meadow, stop outside the library."
    db.session.commit()
    publish(norwich, date(2026, 6, 16), purpose="Exam stress drop-in & chat")
    polish = client.get("/bookings/bases/norwich-one-stop-shop", headers={"Accept-Language": "pl"}
                        ).get_data(as_text=True)
    assert '<span lang="en">Bus 25 from Castle Meadow, stop outside the library.</span>' in polish
    assert '<span lang="en">Exam stress drop-in &amp; chat</span>' in polish
    english = client.get("/bookings/bases/norwich-one-stop-shop", headers={"Accept-Language": "en"}
                         ).get_data(as_text=True)
    assert "Exam stress drop-in &amp; chat" in english and '<span lang="en">' not in english
