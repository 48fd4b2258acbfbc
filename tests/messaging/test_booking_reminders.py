"""Drop-in reminders by the channels a person chose (texts here), cancelled with the booking."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bookings.conftest import admin, bases, norwich, one_slot, publish, young_person  # noqa: F401 - fixtures
from webapp.accounts.models import User
from webapp.bookings import service as bookings
from webapp.extensions import db
from webapp.messaging import channels
from webapp.messaging.models import Message


def test_reminders_go_by_text_to_someone_who_chose_texts_and_a_cancelled_booking_cancels_them(
        one_slot, young_person):  # noqa: F811 - the fixtures imported above
    person_id = young_person.id
    channels.save(person_id, order=["sms"], phone="+447700900123", email=None, address=None, name_service=False)
    db.session.commit()
    booking_id = bookings.book(young_person, one_slot.id).id
    starts_at = one_slot.starts_at
    db.session.commit()
    rows = list(db.session.scalars(select(Message).order_by(Message.next_attempt_at)))
    assert [(m.channel, m.template, m.subject_type, m.subject_id) for m in rows] == [
        ("sms", "discreet_news", "booking", str(booking_id))] * 2
    assert [m.next_attempt_at for m in rows] == [starts_at - timedelta(hours=24), starts_at - timedelta(hours=2)]
    assert all(m.expires_at == starts_at and m.quiet_hours for m in rows)
    bookings.cancel(db.session.get(User, person_id), booking_id)
    db.session.commit()
    db.session.remove()
    assert set(db.session.scalars(select(Message.status))) == {"cancelled"}
