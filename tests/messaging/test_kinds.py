"""What each message is about (`kind`), checked again when it is sent: a kind the person turned off
after it was queued is not sent (staff see why), kinds that must always go still go, and turning the
kind on again does not bring a dropped message back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.bookings.conftest import admin, bases, norwich, one_slot, publish, young_person  # noqa: F401 - fixtures
from webapp import clock
from webapp.accounts.models import User
from webapp.bookings import service as bookings
from webapp.extensions import db
from webapp.messaging import channels, service, templates
from webapp.messaging.models import (
    ALWAYS_SENT_KINDS,
    CHOSEN_KINDS,
    KINDS,
    NOT_WANTED,
    Message,
)
from webapp.notifications.models import APPOINTMENT_REMINDER, REQUEST_UPDATE, SAFETY_PLAN_REVIEW
from webapp.notifications.preferences import PREFERENCE_FOR_KIND, update_preferences
from webapp.outbox import FAILED, PENDING, SENT

PHONE = "+447700900123"


def _messages() -> list[Message]:
    db.session.remove()
    return list(db.session.scalars(select(Message).order_by(Message.next_attempt_at, Message.id)))


def _reminders_form(appointment_reminders: bool) -> dict[str, str]:
    """The /settings/notifications form as a person sends it (a box left unticked is off)."""
    form = {"goal_checkins": "y", "request_updates": "y", "discreet": "y", "quiet_hours": "y",
            "quiet_start": "21:00", "quiet_end": "08:00"}
    return {**form, "appointment_reminders": "y"} if appointment_reminders else form


def _switches(user_id: int, **off: bool) -> None:
    on = {"appointment_reminders": True, "goal_checkins": True, "request_updates": True}
    update_preferences(user_id, **{**on, **off}, discreet=True, quiet_hours=False, quiet_start=None, quiet_end=None)
    db.session.commit()


def test_a_reminder_turned_off_after_queuing_is_not_sent_staff_see_why_and_turning_it_on_does_not_bring_it_back(
        app, client, login, make_user, notify, send, frozen_clock, one_slot, young_person):  # noqa: F811
    person_id = young_person.id
    channels.save(person_id, order=["sms"], phone=PHONE, email=None, address=None, name_service=False)
    db.session.commit()
    starts_at = one_slot.starts_at
    bookings.book(young_person, one_slot.id)
    db.session.commit()
    queued = _messages()  # 24 hours and 2 hours before, queued by messaging.service.notify
    assert [(m.kind, m.template) for m in queued] == [(APPOINTMENT_REMINDER, "discreet_news")] * 2  # discreet words
    (first, first_due), (second, _due) = [(m.id, m.next_attempt_at) for m in queued]

    login(client, db.session.get(User, person_id))
    assert client.post_form("/settings/notifications", _reminders_form(False)).status_code == 303
    frozen_clock.advance(first_due - clock.now())
    send()
    assert notify.received == []  # nothing reached Notify
    dropped = db.session.get(Message, first)
    assert dropped.status == NOT_WANTED and dropped.personalisation == {}
    assert dropped.last_error is None  # Notify said nothing: the state says why (below)
    assert db.session.get(Message, second).status == PENDING  # not due yet: decided when it is

    staff = app.test_client()
    login(staff, make_user("admin"))
    page = staff.get("/staff/messages").get_data(as_text=True)
    row = page.split(f'<tr data-message="{first}">', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="not_wanted"' in row and "Turned off by the person" in row
    assert "Appointment reminders" in row and "appointment_reminder" not in row  # in words, in the page's language

    assert client.post_form("/settings/notifications", _reminders_form(True)).status_code == 303
    frozen_clock.advance(starts_at - timedelta(hours=2) - clock.now())
    send()
    assert [m.to for m in notify.received] == [PHONE]  # the 2-hour reminder only
    db.session.remove()
    assert db.session.get(Message, first).status == NOT_WANTED  # never brought back
    assert db.session.get(Message, second).status == SENT


def test_kinds_that_must_always_go_are_sent_whatever_the_person_turned_off(make_user, notify, send):
    person_id = make_user().id
    channels.save(person_id, order=["sms"], phone=PHONE, email=None, address=None, name_service=False)
    _switches(person_id, appointment_reminders=False, goal_checkins=False, request_updates=False)
    always = [
        ("verify_code", {"code": "424242"}, None),
        ("password_reset", {"link": "https://x.test/reset"}, None),
        ("sign_up_finish", {"link": "https://x.test/finish"}, None),
        ("already_registered", {"link": "https://x.test/in", "reset_link": "https://x.test/reset"}, None),
        ("discreet_news", {"link": "https://x.test/"}, SAFETY_PLAN_REVIEW),
    ]
    rows = [service.queue(channel="sms", to=PHONE, template=template, personalisation=words, language="en",
                          user_id=person_id, kind=kind) for template, words, kind in always]
    control = service.queue(channel="sms", to=PHONE, template="discreet_news", personalisation={"link": "x"},
                            language="en", user_id=person_id, kind=REQUEST_UPDATE)
    db.session.commit()
    ids, turned_off = [row.id for row in rows], control.id
    send()
    assert {db.session.get(Message, row_id).kind for row_id in ids} == ALWAYS_SENT_KINDS
    assert [db.session.get(Message, row_id).status for row_id in ids] == [SENT] * len(always)
    assert len(notify.received) == len(always)
    assert db.session.get(Message, turned_off).status == NOT_WANTED


def test_a_fallback_keeps_the_kind_and_is_not_sent_once_the_kind_is_turned_off(app, make_user, notify, send):
    person_id = make_user().id
    channels.save(person_id, order=["sms", "email"], phone=PHONE, email="me@example.org", address=None,
                  name_service=False)
    db.session.commit()
    service.notify(user_id=person_id, kind=REQUEST_UPDATE, template="request_update",
                   personalisation={"reference": "FL-1", "link": "https://x.test/r"}, push={})
    db.session.commit()
    notify.fail_next(400)  # the text is refused for good: the email is queued next

    @notify.app.after_request
    def meanwhile_the_person_turns_updates_off(response):
        with app.app_context():
            _switches(person_id, request_updates=False)
            db.session.remove()
        return response

    send()
    text, email = _messages()
    assert (text.status, text.kind) == (FAILED, REQUEST_UPDATE)
    assert (email.channel, email.kind, email.status) == ("email", REQUEST_UPDATE, NOT_WANTED)
    assert notify.answers == [400] and notify.received == []


def test_a_message_notify_already_has_is_recorded_as_sent_though_the_kind_was_turned_off(make_user, notify, send):
    """A worker died after Notify took it, and the person turned the kind off before it was claimed
    again: it went, so staff must see it as sent, not "turned off" (and it is not sent twice)."""
    person_id = make_user("young_person").id
    channels.save(person_id, order=["sms"], phone=PHONE, email=None, address=None, name_service=False)
    row = service.queue(channel="sms", to=PHONE, template="discreet_news", personalisation={"link": "x"},
                        language="en", user_id=person_id, kind=REQUEST_UPDATE)
    db.session.commit()
    row_id = row.id
    send()
    assert len(notify.received) == 1
    kept = db.session.get(Message, row_id)
    kept.status, kept.notify_id, kept.attempts = PENDING, None, 1  # as a worker killed before recording it
    db.session.commit()
    _switches(person_id, request_updates=False)
    send()
    assert len(notify.received) == 1  # found at Notify by its reference, not sent again
    assert db.session.get(Message, row_id).status == SENT

def test_the_kind_list_says_which_kinds_a_person_can_turn_off_and_which_always_go(app):
    assert set(PREFERENCE_FOR_KIND) == CHOSEN_KINDS  # every switch in settings is checked at send time
    assert not ALWAYS_SENT_KINDS & set(PREFERENCE_FOR_KIND)  # nothing that must go can be switched off
    assert {t.kind for t in templates.TEMPLATES.values() if t.name in templates.SECRET_TEMPLATES} <= ALWAYS_SENT_KINDS
    assert all(t.kind in KINDS for t in templates.TEMPLATES.values() if t.name != templates.DISCREET)  # each says
    with pytest.raises(ValueError, match="unknown message kind"):
        service.queue(channel="sms", to=PHONE, template="discreet_news", personalisation={"link": "x"},
                      language="en", kind="marketing")


def test_messages_queued_before_0023_get_their_kind_from_the_template_or_what_they_are_about(tmp_path, worker_id):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.helpers.databases import fresh_url
    from webapp import create_app

    url = fresh_url(tmp_path, worker_id)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path)})
    queued = [("verify_code", None, "proof_code"), ("password_reset", None, "account_recovery"),
              ("sign_up_finish", None, "sign_up"), ("already_registered", None, "sign_up"),
              ("booking_reminder", "booking", "appointment_reminder"), ("check_in", "wait_check_in", "request_update"),
              ("request_update", "support_request", "request_update"),
              ("discreet_news", "booking", "appointment_reminder"),
              ("discreet_news", "support_request", "request_update"),
              ("discreet_news", None, "request_update")]
    with app.app_context():
        upgrade(revision="0022")
        for number, (template, subject_type, _kind) in enumerate(queued):
            db.session.execute(text(
                "INSERT INTO messages (notice, channel, recipient, template, language, personalisation, reference, "
                "sensitive, subject_type, fallbacks, created_at, status, attempts, next_attempt_at) "
                "VALUES (:notice, 'sms', '+447700900123', :template, 'en', '{}', :reference, false, :subject_type, "
                "'[]', CURRENT_TIMESTAMP, 'pending', 0, CURRENT_TIMESTAMP)"),
                {"notice": f"notice-{number}", "template": template, "reference": f"ref-{number}",
                 "subject_type": subject_type})
        db.session.commit()
        db.session.remove()
        upgrade()
        kinds = db.session.execute(text("SELECT kind FROM messages ORDER BY reference")).scalars().all()
        assert kinds == [kind for _template, _subject_type, kind in queued]  # ref-0 to ref-9, in order
        db.session.remove()
        downgrade(revision="base")
