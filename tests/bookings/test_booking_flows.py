"""Booking and staff flows a person would expect (issue 15, items 7 and 8): a young person without a
date of birth is asked for it (never told only young people can book), `create-user --date-of-birth`,
staff land on the staff home, and system health never says all is well while anything is overdue."""

from __future__ import annotations

from datetime import date, timedelta

from webapp import clock
from webapp.accounts.models import User
from webapp.bookings import service
from webapp.extensions import db


def _signed_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def test_create_user_takes_a_date_of_birth_for_a_young_person(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "--email", "sam@example.org", "--role", "young_person",
                               "--date-of-birth", "2009-03-04"], env={"FLOURISH_PASSWORD": "a long walk by the sea"})
    assert made.exit_code == 0, made.output
    assert db.session.query(User).filter_by(email="sam@example.org").one().date_of_birth == date(2009, 3, 4)
    staff = runner.invoke(args=["create-user", "--email", "ops2@example.org", "--role", "admin",
                                "--date-of-birth", "1990-01-01"], env={"FLOURISH_PASSWORD": "a long walk by the sea"})
    assert staff.exit_code != 0 and "young people's accounts only" in staff.output
    too_old = runner.invoke(args=["create-user", "--email", "old@example.org", "--role", "young_person",
                                  "--date-of-birth", "1980-01-01"], env={"FLOURISH_PASSWORD": "a long walk by the sea"})
    assert too_old.exit_code != 0
    assert db.session.query(User).filter_by(email="old@example.org").one_or_none() is None


def test_a_young_person_without_a_date_of_birth_gives_it_when_booking(app, login, one_slot, make_user):
    person = make_user(role="young_person", date_of_birth=None)
    client = _signed_in(app, login, person)
    form = client.get(f"/bookings/slots/{one_slot.id}/book").get_data(as_text=True)
    assert "Your date of birth" in form
    asked = client.post_form(f"/bookings/slots/{one_slot.id}/book")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and "Enter your date of birth" in page and "Only young people" not in page
    wrong = client.post_form(f"/bookings/slots/{one_slot.id}/book", {"date_of_birth": "2030-01-01"})
    assert wrong.status_code == 422 and "must be in the past" in wrong.get_data(as_text=True)
    assert 'name="date_of_birth-year" type="text" inputmode="numeric" value="2030"' in wrong.get_data(as_text=True)
    done = client.post_form(f"/bookings/slots/{one_slot.id}/book", {"date_of_birth": "2010-05-06"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, person.id).date_of_birth == date(2010, 5, 6)
    assert [b.slot_id for b in service.my_bookings(person.id)] == [one_slot.id]


def test_staff_land_on_the_staff_home_and_young_people_on_the_home_page(app, make_user, frozen_clock):
    from tests.helpers.two_factor import sign_in

    staff = make_user(role="clinician")
    assert sign_in(app.test_client(), staff).headers["Location"] == "/staff/"
    young = make_user(role="young_person")
    assert sign_in(app.test_client(), young).headers["Location"] == "/"


def test_health_is_never_all_well_while_the_front_door_has_not_read_records(app, make_user, frozen_clock):
    from webapp.admin import service as admin_service
    from webapp.worker import beat

    assert not app.config.get("FRONT_DOOR_WEBHOOK_URL")  # pull only: waiting records are expected, for a while
    beat(clock.now())
    with app.test_request_context("/staff/admin/health"):
        assert admin_service.health().problems == 0
    from tests.support.helpers import send

    send(app.test_client())  # a request for support: its record waits for the front door
    db.session.commit()
    clock.advance(timedelta(minutes=30))
    beat(clock.now())
    with app.test_request_context("/staff/admin/health"):
        health = admin_service.health()
    assert health.front_door.overdue >= 1 and health.problems >= 1


def test_bases_with_times_come_first_and_no_distance_reads_0_km(app, client, publish, bases, frozen_clock):
    from webapp.bookings import places

    lowestoft = bases["lowestoft-community-base"]
    publish(lowestoft, date(2026, 6, 16), "10:00", "10:30")
    district = bases["norwich-one-stop-shop"].postcode_district
    page = client.post_form("/bookings/", {"district": district}).get_data(as_text=True)
    assert "about 0 km" not in page and "less than 1 km away" in page
    nearest = places.nearest_bases(district)
    assert nearest[0][0].slug != "lowestoft-community-base"  # not the nearest, but the only one with times
    listed = page.split('id="nearest"', 1)[1]
    assert listed.index("Lowestoft") < listed.index(nearest[0][0].name)
    assert "No drop-in times to book in the next 8 weeks" in listed


def test_a_discreet_calendar_file_says_appointment_and_names_the_place_only_in_its_location(
        app, login, one_slot, young_person):
    from webapp.notifications.preferences import update_preferences

    booking = service.book(young_person, one_slot.id)
    db.session.commit()
    client = _signed_in(app, login, young_person)
    discreet = client.get(f"/bookings/mine/{booking.id}/booking.ics").get_data(as_text=True)
    event = discreet.split("BEGIN:VEVENT", 1)[1]
    assert "SUMMARY:Appointment" in event and "Drop-in" not in event and "Flourish" not in event
    assert "LOCATION:" in discreet
    update_preferences(young_person.id, appointment_reminders=True, goal_checkins=True, request_updates=True,
                       discreet=False, quiet_hours=True, quiet_start=None, quiet_end=None)
    db.session.commit()
    detailed = client.get(f"/bookings/mine/{booking.id}/booking.ics").get_data(as_text=True)
    assert "SUMMARY:Drop-in at Norwich One Stop Shop" in detailed


def test_staff_see_upcoming_sessions_attendance_from_the_start_and_no_failing_button(
        app, login, make_user, norwich, publish, frozen_clock, parent):
    from webapp.bookings import places

    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 1)[0]
    first, _second = session.slots
    booking = service.book(parent, first.id, "Mia", 15)
    db.session.commit()
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    client = _signed_in(app, login, staff)
    home = client.get("/staff/bookings/").get_data(as_text=True)
    assert "Coming up in the next 14 days" in home and "1 of 2 places booked" in home
    assert home.index("Coming up") < home.index("Your bases")
    day = client.get("/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16").get_data(as_text=True)
    assert "Full: no place to book someone into" in day  # the first slot: no "Book someone in" that would fail
    assert day.count("Book someone in") == 1 and "Attendance from 16:00" in day
    early = client.post_form(f"/staff/bookings/bookings/{booking.id}/attendance", {"attendance": "attended"},
                             follow_redirects=True)
    assert "Attendance can be recorded from the start of the session." in early.get_data(as_text=True)
    db.session.expire_all()
    from webapp.bookings.models import Booking

    assert db.session.get(Booking, booking.id).attendance is None
    frozen_clock.freeze(session.starts_at)
    client = _signed_in(app, login, staff)  # a day later: the staff session has ended
    assert client.post_form(f"/staff/bookings/bookings/{booking.id}/attendance",
                            {"attendance": "attended"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).attendance == "attended"


def test_moving_shows_free_times_by_day_two_weeks_at_a_time(app, login, publish, norwich, frozen_clock,
                                                             young_person):
    sessions_made = publish(norwich, date(2026, 6, 16), "16:00", "18:00", 30, 2, weeks=6)
    booking = service.book(young_person, sessions_made[0].slots[0].id)
    db.session.commit()
    client = _signed_in(app, login, young_person)
    first = client.get(f"/bookings/mine/{booking.id}/move").get_data(as_text=True)
    assert "Free times in the next 2 weeks" in first
    assert first.count('type="radio"') == 7  # two Tuesdays of 4 slots, less the one booked
    assert first.count('class="booking-move__day"') == 2 and "Later times" in first
    later = client.get(f"/bookings/mine/{booking.id}/move?later=2").get_data(as_text=True)
    assert "Free times 2 to 4 weeks from now" in later and later.count('type="radio"') == 8
    moved = client.post_form(f"/bookings/mine/{booking.id}/move?later=2",
                             {"slot_id": str(sessions_made[2].slots[1].id)})
    assert moved.status_code == 303


def test_a_second_booking_the_same_day_asks_first_and_an_overlap_offers_to_move(
        app, login, publish, norwich, frozen_clock, young_person):
    afternoon = publish(norwich, date(2026, 6, 16), "16:00", "18:00", 30, 2)[0]
    first, _second, third, _fourth = afternoon.slots
    booking = service.book(young_person, first.id)
    db.session.commit()
    client = _signed_in(app, login, young_person)
    asked = client.post_form(f"/bookings/slots/{third.id}/book")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "You already have a booking at Norwich One Stop Shop that day" in page
    assert "Book this time as well" in page and "Move that booking to this time" in page
    assert len(service.my_bookings(young_person.id)) == 1  # nothing booked yet
    confirmed = client.post_form(f"/bookings/slots/{third.id}/book", {"confirm_same_day": "1"})
    assert confirmed.status_code == 303
    assert sorted(b.slot_id for b in service.my_bookings(young_person.id)) == [first.id, third.id]

    evening = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 2, purpose="Art group")[0]
    clash = client.post_form(f"/bookings/slots/{evening.slots[0].id}/book", {"confirm_same_day": "1"})
    body = clash.get_data(as_text=True)
    assert clash.status_code == 422 and "This time overlaps your booking" in body
    assert f'action="/bookings/mine/{booking.id}/move"' in body
    moved = client.post_form(f"/bookings/mine/{booking.id}/move", {"slot_id": str(evening.slots[0].id)})
    assert moved.status_code == 303
