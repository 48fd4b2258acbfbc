"""The "How we contact you" settings page, the request form's update choices, staff's view and /dev/messages."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.helpers import fill_form
from webapp.extensions import db
from webapp.messaging import channels, service
from webapp.messaging.models import ChannelPreferences, Message


def test_settings_save_channels_in_order_with_normalised_details(client, make_user, login):
    user = make_user()
    login(client, user)
    page = client.get("/settings/contact")
    assert page.status_code == 200 and "How we contact you" in page.get_data(as_text=True)
    assert "/settings/contact" in client.get("/settings/").get_data(as_text=True)
    response = client.post_form("/settings/contact", {"first": "sms", "second": "email", "third": "letter",
                                                      "phone": "+44 (0)7700 900123", "email": " Me@Example.org ",
                                                      "address": "Alex\n1 Elm Road\nNorwich", "postcode": "nr13sr"})
    assert response.status_code == 303
    prefs = db.session.get(ChannelPreferences, user.id)
    assert prefs.order == ["sms", "email", "letter"] and prefs.phone == "+447700900123"
    assert prefs.address == {"lines": ["Alex", "1 Elm Road", "Norwich"], "postcode": "NR1 3SR"}
    assert prefs.name_service is False  # discreet unless chosen
    assert "07700 900123" in client.get("/settings/contact").get_data(as_text=True)


def test_bad_details_are_refused_next_to_their_field_and_nothing_typed_is_lost(client, make_user, login):
    user = make_user()
    login(client, user)
    response = client.post_form("/settings/contact", {"first": "sms", "second": "sms", "third": "letter",
                                                      "phone": "01603 123456", "email": "",
                                                      "address": "just one line", "postcode": "12345"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="phone-error"' in page and "texts cannot go to a landline" in page
    assert 'id="second-error"' in page and 'id="postcode-error"' in page and 'id="address-error"' in page
    assert 'value="01603 123456"' in page and "just one line" in page
    assert db.session.get(ChannelPreferences, user.id) is None


def test_a_person_who_chose_text_first_is_told_by_text_discreetly_until_their_number_is_proved(make_user, db):
    user = make_user()
    channels.save(user.id, order=["push", "sms", "email"], phone="+447700900123", email="me@example.org",
                  address=None, name_service=True)
    db.session.commit()
    used = service.tell(user.id, kind="request_update", template="request_update",
                        personalisation={"reference": "FL-1", "link": "https://x.test"},
                        push={"title": "t", "body": "b"})
    db.session.commit()
    assert used == "sms"  # no device for push, so the next in their order
    [row] = db.session.scalars(select(Message)).all()
    assert row.template == "discreet_news" and not row.sensitive  # not proved: never the details
    assert row.fallbacks == [{"channel": "email", "to": "me@example.org", "quiet": True}]
    assert row.quiet_hours


def test_someone_who_never_chose_gets_push_as_before(make_user, db):
    from webapp.notifications.models import ScheduledNotification

    user = make_user()
    assert service.tell(user.id, kind="request_update", template="request_update",
                        personalisation={"reference": "FL-1", "link": "x"}, push={"title": "t", "body": "b"}) == "push"
    db.session.commit()
    assert db.session.scalar(select(ScheduledNotification.user_id)) == user.id
    assert db.session.scalar(select(Message.id)) is None


def test_the_request_form_asks_for_updates_and_refuses_a_way_not_said_to_be_safe(client):
    fill_form(client, "parent", stop_before_check=True)
    page = client.get("/request-support/contact").get_data(as_text=True)
    assert 'name="updates_text"' in page and 'name="updates_first"' in page
    response = client.post_form("/request-support/contact", {"phone": "01603 123456", "can_call": "y",
                                                              "updates_text": "y", "updates_letter": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="updates_text-error"' in page and 'id="updates_letter-error"' in page


def test_a_professionals_request_never_texts_the_young_person_they_asked_about():
    answers = {"requester_type": "professional", "phone": "07700900123", "can_text": True, "updates_text": True,
               "requester_email": "gp@nhs.example", "updates_email": True, "email": "young@example.org"}
    assert channels.requester_steps(answers) == [{"channel": "email", "to": "gp@nhs.example", "quiet": True}]
    assert channels.requester_steps({**answers, "requester_type": "parent", "no_safe_contact": True}) == []


def test_staff_messages_is_for_admins_only(client, make_user, login):
    login(client, make_user("clinician"))
    assert client.get("/staff/messages").status_code == 403


def test_dev_messages_shows_what_the_stand_in_received_newest_first(app, client, notify, send):
    for code in ("111111", "222222"):
        service.send_to_address(channel="sms", to="07700900123", template="verify_code",
                                personalisation={"code": code}, language="en")
        db.session.commit()
        send()
    page = client.get("/dev/messages").get_data(as_text=True)
    assert page.index("222222") < page.index("111111")
    assert "+447700900123" in page


def test_dev_messages_is_a_404_in_production(app, client):
    app.config["ENV_NAME"], before = "production", app.config["ENV_NAME"]
    try:
        assert client.get("/dev/messages").status_code == 404
    finally:
        app.config["ENV_NAME"] = before


def test_a_letter_goes_only_where_the_requester_allowed_letters_for_updates():
    answers = {"requester_type": "parent", "phone": "07700900123", "can_text": True, "updates_text": True,
               "can_letter": True, "address": "Alex Morgan\n1 Elm Road\nNorwich\nNR1 3SR"}
    assert [step["channel"] for step in channels.requester_steps(answers)] == ["sms"]  # no letter as a fallback
    allowed = {**answers, "updates_letter": True, "updates_first": "letter"}
    assert [step["channel"] for step in channels.requester_steps(allowed)] == ["letter", "sms"]
    assert channels.requester_steps({**allowed, "can_letter": False}) == [
        {"channel": "sms", "to": "+447700900123", "quiet": True}]  # letters not said to be safe


def test_system_health_counts_failed_messages_as_a_problem(client, make_user, login):
    from webapp.admin import service as admin_service

    row = service.queue(channel="sms", to="07700900123", template="verify_code", personalisation={"code": "1"},
                        language="en")
    row.status, row.last_error = "failed", "Notify refused the message (400): phone_number Not a UK mobile number"
    db.session.commit()
    health = admin_service.health()
    assert health.messages.failed == 1 and health.problems >= 1
    login(client, make_user("admin"))
    page = client.get("/staff/admin/health").get_data(as_text=True)
    assert "Texts, emails and letters" in page and "/staff/messages" in page
    staff = client.get("/staff/messages").get_data(as_text=True)
    assert "Not a UK mobile number" in staff and "+447700900123" not in staff
    assert "Last error (as recorded)" in staff


def test_a_proved_number_with_details_chosen_gets_the_details(client, make_user, login, db):
    from webapp.accounts import verification

    user = make_user()
    channels.save(user.id, order=["sms"], phone="+447700900123", email=None, address=None, name_service=True)
    db.session.commit()
    login(client, user)
    assert "/contact/prove/" in client.get("/settings/contact").get_data(as_text=True)  # offered the proof
    verification.record_proof(user.id, "sms", "+447700900123")
    db.session.commit()
    assert "/contact/prove/" not in client.get("/settings/contact").get_data(as_text=True)
    service.tell(user.id, kind="request_update", template="request_update",
                 personalisation={"reference": "FL-1", "link": "https://x.test"}, push={"title": "t", "body": "b"})
    db.session.commit()
    row = db.session.scalar(select(Message))
    assert row.template == "request_update" and row.sensitive
