"""The reminders settings page, the push API and the admins' page, through the test client."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from tests.notifications.helpers import subscription
from webapp.extensions import db
from webapp.notifications import service
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification

SUBSCRIPTIONS = "/api/v1/push/subscriptions"


def signed_in(client, login, make_user, role="young_person"):
    user = make_user(role=role)
    login(client, user)
    return user


def test_vapid_public_key_is_the_65_byte_application_server_key(client, app):
    body = client.get("/api/v1/push/vapid-public-key").get_json()
    raw = base64.urlsafe_b64decode(body["publicKey"] + "==")
    assert len(raw) == 65 and raw[0] == 4
    assert body["csrfToken"]


def test_subscribe_and_unsubscribe_through_the_api(client, login, make_user):
    user = signed_in(client, login, make_user)
    data = subscription()
    agent = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1"}
    created = client.post_json(SUBSCRIPTIONS, data, headers=agent)
    assert created.status_code == 201 and created.get_json()["device"] == "Safari on iPhone"
    assert client.post_json(SUBSCRIPTIONS, data).status_code == 200  # the same device again
    assert db.session.scalars(select(PushSubscription.user_id)).all() == [user.id]
    gone = client.post_json(SUBSCRIPTIONS, {"endpoint": data["endpoint"]}, method="DELETE")
    assert gone.status_code == 204
    assert client.post_json(SUBSCRIPTIONS, {"endpoint": data["endpoint"]}, method="DELETE").status_code == 404


def test_a_bad_subscription_is_a_clear_400(client, login, make_user):
    signed_in(client, login, make_user)
    response = client.post_json(SUBSCRIPTIONS, subscription(auth="c2hvcnQ"))
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_subscription", "field": "keys.auth",
                                   "message": "keys.auth must be 16 bytes; it is 5."}
    assert client.post_json(SUBSCRIPTIONS, "nonsense").status_code == 400
    assert db.session.scalars(select(PushSubscription)).all() == []


def test_https_is_required_in_production(app, client, login, make_user):
    signed_in(client, login, make_user)
    app.config["PUSH_HTTPS_ONLY"] = True
    try:
        response = client.post_json(SUBSCRIPTIONS, subscription(endpoint="http://fcm.googleapis.com/fcm/send/x"))
    finally:
        del app.config["PUSH_HTTPS_ONLY"]
    assert response.status_code == 400 and response.get_json()["field"] == "endpoint"


def test_the_api_needs_a_signed_in_person_and_the_csrf_token(client, login, make_user):
    assert client.post_json(SUBSCRIPTIONS, subscription()).status_code == 401
    signed_in(client, login, make_user)
    refused = client.post(SUBSCRIPTIONS, json=subscription())  # no X-CSRFToken
    assert refused.status_code == 400 and refused.get_json() == {"error": "csrf_failed"}


def test_settings_links_to_reminders_and_the_page_starts_private(client, login, make_user):
    signed_in(client, login, make_user)
    assert 'href="/settings/notifications"' in client.get("/settings/").get_data(as_text=True)
    page = client.get("/settings/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<input[^>]* checked [^>]*id="discreet"', html)
    assert 'value="21:00"' in html and 'value="08:00"' in html
    assert "needs JavaScript" in html


def test_saving_choices_without_javascript(client, login, make_user):
    user = signed_in(client, login, make_user)
    response = client.post_form("/settings/notifications", {
        "appointment_reminders": "y", "request_updates": "y", "quiet_hours": "y",
        "quiet_start": "22:30", "quiet_end": "07:00"})
    assert response.status_code == 303
    prefs = db.session.get(NotificationPreferences, user.id)
    assert (prefs.appointment_reminders, prefs.goal_checkins, prefs.request_updates, prefs.discreet) == (
        True, False, True, False)
    assert prefs.quiet_start.strftime("%H:%M") == "22:30"


def test_bad_quiet_hours_are_refused_next_to_the_field_keeping_what_was_typed(client, login, make_user):
    user = signed_in(client, login, make_user)
    response = client.post_form("/settings/notifications", {
        "discreet": "y", "quiet_hours": "y", "quiet_start": "25:99", "quiet_end": "07:00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="quiet_start-error"' in html and "Enter a time like 21:00." in html
    assert 'value="07:00"' in html
    same = client.post_form("/settings/notifications", {"quiet_hours": "y", "quiet_start": "07:00",
                                                        "quiet_end": "07:00"})
    assert same.status_code == 400 and "must end at a different time" in same.get_data(as_text=True)
    assert service.preferences_for(user.id).quiet_start.strftime("%H:%M") == "21:00"  # nothing half-saved


def test_devices_are_listed_and_removed_without_javascript(client, login, make_user):
    user = signed_in(client, login, make_user)
    client.post_json(SUBSCRIPTIONS, subscription(), headers={"User-Agent": "Firefox/130.0 (X11; Linux x86_64)"})
    device = db.session.scalars(select(PushSubscription)).one()
    html = client.get("/settings/notifications").get_data(as_text=True)
    assert "Firefox on Linux" in html
    removed = client.post_form(f"/settings/notifications/devices/{device.id}/remove")
    assert removed.status_code == 303
    assert service.preferences_for(user.id) and db.session.scalars(select(PushSubscription)).all() == []
    assert client.post_form(f"/settings/notifications/devices/{device.id}/remove").status_code == 404


def test_someone_elses_device_cannot_be_removed(client, app, login, make_user):
    other = app.test_client()
    signed_in(other, login, make_user)
    other.post_json(SUBSCRIPTIONS, subscription())
    device = db.session.scalars(select(PushSubscription)).one()
    signed_in(client, login, make_user)
    assert client.post_form(f"/settings/notifications/devices/{device.id}/remove").status_code == 404


def test_the_test_button_goes_through_the_outbox(client, login, make_user):
    user = signed_in(client, login, make_user)
    none_yet = client.post_form("/settings/notifications/test", follow_redirects=True)
    assert "Turn on reminders on a device first" in none_yet.get_data(as_text=True)
    client.post_json(SUBSCRIPTIONS, subscription())
    assert client.post_form("/settings/notifications/test").status_code == 303
    [row] = db.session.scalars(select(ScheduledNotification)).all()
    assert (row.user_id, row.kind, row.status) == (user.id, "test", "pending")


def test_admins_see_failed_notifications_and_can_try_again(client, login, make_user, frozen_clock):
    person = make_user()
    row = service.schedule(user_id=person.id, kind="request_update", due_at=frozen_clock.now(), title="t", body="b")
    row.status, row.attempts, row.last_error = "failed", 8, "push service answered 503"
    db.session.commit()
    signed_in(client, login, make_user, role="admin")
    assert 'href="/staff/notifications"' in client.get("/staff/").get_data(as_text=True)
    html = client.get("/staff/notifications").get_data(as_text=True)
    assert "push service answered 503" in html and "t</td>" not in html
    assert client.post_form(f"/staff/notifications/{row.id}/retry").status_code == 303
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)


def test_only_admins_see_the_outbox(client, login, make_user):
    signed_in(client, login, make_user, role="clinician")
    assert client.get("/staff/notifications").status_code == 403
    assert 'href="/staff/notifications"' not in client.get("/staff/").get_data(as_text=True)
