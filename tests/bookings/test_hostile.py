"""The staff and booking forms (which the shared fuzz test cannot reach: their pages take ids) fed hostile
input: never a 500, never unescaped output, never more booked than offered."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.helpers.hostile import HOSTILE, MARKER, forms_on
from webapp.bookings import places
from webapp.bookings.models import Slot
from webapp.extensions import db


def test_booking_and_staff_forms_survive_hostile_input(app, login, make_user, publish, norwich, parent,
                                                       frozen_clock):
    session = publish(norwich, date(2026, 6, 16), "16:00", "17:00", 30, 2)[0]
    staff = make_user(role="base_staff")
    places.assign_staff(staff.id, norwich.id)
    db.session.commit()
    pages = {
        parent: [f"/bookings/slots/{session.slots[0].id}/book", "/bookings/"],
        staff: ["/staff/bookings/bases/norwich-one-stop-shop/sessions/new",
                "/staff/bookings/bases/norwich-one-stop-shop/day?date=2026-06-16",
                f"/staff/bookings/sessions/{session.id}"],
    }
    for person, urls in pages.items():
        _fuzz_forms(app, login, person, urls)
    db.session.expire_all()
    assert all(slot.booked + slot.held <= slot.places for slot in db.session.scalars(select(Slot)))


def _fuzz_forms(app, login, person, urls):
    client = app.test_client()
    login(client, person)
    forms = {}
    for url in urls:
        for action, form in forms_on(client, url):
            forms[(action.split("?")[0] if form["method"] == "get" else action, form["method"],
                   tuple(sorted(form["fields"])))] = form
    assert forms, urls

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def fuzz(data):
        for (action, method, names), _form in sorted(forms.items()):
            values = {name: data.draw(HOSTILE, label=f"{action}:{name}") for name in names}
            if method == "post":
                response = client.post_form(action, values)
            else:
                response = client.get(action, query_string=values)
            assert response.status_code < 500, f"{method} {action} -> {response.status_code} {values!r}"[:500]
            assert MARKER not in response.get_data(as_text=True), action

    fuzz()
