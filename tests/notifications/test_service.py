"""The outbox API, preferences and quiet hours, and checking subscriptions: no request, no push service."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.notifications.helpers import b64, subscription
from webapp import clock
from webapp.extensions import db
from webapp.notifications import devices, service
from webapp.notifications.models import NotificationPreferences, PushSubscription, ScheduledNotification
from webapp.notifications.preferences import quiet_until, update_preferences, wants

PRODUCTION = devices.EndpointRules(https_only=True, allowed_hosts=devices.KNOWN_PUSH_SERVICES)
DEVELOPMENT = devices.EndpointRules(https_only=False, allowed_hosts=None)


# ---------------------------------------------------------------- the outbox API

def test_schedule_reschedule_cancel_keep_to_what_is_pending(app, frozen_clock, make_user):
    user = make_user()
    due = clock.now() + timedelta(days=1)
    first = service.schedule(user_id=user.id, kind="appointment_reminder", due_at=due, title="t", body="b",
                             subject_type="booking", subject_id=5)
    other = service.schedule(user_id=user.id, kind="goal_checkin", due_at=due, title="t", body="b",
                             subject_type="booking", subject_id=5)
    db.session.commit()
    assert [n.id for n in service.pending_for("booking", 5)] == [first.id, other.id]
    later = due + timedelta(days=3)
    assert service.reschedule("booking", 5, due_at=later, kind="appointment_reminder", url="/bookings/my/5") == 1
    db.session.commit()
    db.session.refresh(first)
    assert first.due_at == later and first.next_attempt_at == later and first.url == "/bookings/my/5"
    assert first.expires_at is None  # unchanged unless given
    assert service.cancel("booking", 5) == 2
    db.session.commit()
    assert service.pending_for("booking", 5) == []
    assert service.reschedule("booking", 5, due_at=later) == 0


def test_schedule_refuses_an_unknown_kind(app, make_user):
    with pytest.raises(ValueError):
        service.schedule(user_id=make_user().id, kind="marketing", due_at=clock.now(), title="t", body="b")


def test_preferences_start_most_private(app, make_user):
    prefs = service.preferences_for(make_user().id)
    assert prefs.discreet is True and prefs.quiet_hours is True
    assert (prefs.quiet_start, prefs.quiet_end) == (time(21), time(8))
    assert wants(prefs, "appointment_reminder") and wants(prefs, "test")


# ---------------------------------------------------------------- quiet hours

def prefs_with(start: time, end: time, on: bool = True) -> NotificationPreferences:
    return NotificationPreferences(quiet_start=start, quiet_end=end, quiet_hours=on)


@pytest.mark.parametrize(("utc", "expected"), [
    (datetime(2026, 6, 15, 19, 59, tzinfo=UTC), None),  # 20:59 BST: before quiet hours
    (datetime(2026, 6, 15, 20, 0, tzinfo=UTC), datetime(2026, 6, 16, 7, 0, tzinfo=UTC)),  # 21:00 BST
    (datetime(2026, 6, 15, 23, 30, tzinfo=UTC), datetime(2026, 6, 16, 7, 0, tzinfo=UTC)),  # past midnight
    (datetime(2026, 6, 16, 6, 59, tzinfo=UTC), datetime(2026, 6, 16, 7, 0, tzinfo=UTC)),  # 07:59 BST
    (datetime(2026, 6, 16, 7, 0, tzinfo=UTC), None),  # 08:00 BST: over
    (datetime(2026, 12, 15, 21, 0, tzinfo=UTC), datetime(2026, 12, 16, 8, 0, tzinfo=UTC)),  # winter, GMT
])
def test_default_quiet_hours_wrap_midnight_in_uk_time(utc, expected):
    assert quiet_until(prefs_with(time(21), time(8)), utc) == expected


def test_quiet_hours_within_one_day_and_turned_off():
    afternoon = prefs_with(time(13), time(15))
    assert quiet_until(afternoon, datetime(2026, 6, 15, 12, 30, tzinfo=UTC)) == datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
    assert quiet_until(afternoon, datetime(2026, 6, 15, 14, 0, tzinfo=UTC)) is None
    assert quiet_until(prefs_with(time(21), time(8), on=False), datetime(2026, 6, 15, 23, 0, tzinfo=UTC)) is None


def test_quiet_hours_across_the_clock_changes():
    autumn_saturday_night = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 23:00 BST
    assert quiet_until(prefs_with(time(21), time(8)), autumn_saturday_night) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    spring_saturday_night = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # 22:00 GMT
    assert quiet_until(prefs_with(time(21), time(8)), spring_saturday_night) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_quiet_hours_that_end_at_a_time_the_clocks_skip_or_repeat():
    # Ending 01:30 on the spring-forward Sunday (01:00-02:00 GMT does not exist): quiet until 02:00 BST.
    skipped = prefs_with(time(23), time(1, 30))
    assert quiet_until(skipped, datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # Ending 01:30 on the autumn Sunday (happens twice): the second, so never early.
    repeated = prefs_with(time(23), time(1, 30))
    assert quiet_until(repeated, datetime(2026, 10, 24, 23, 0, tzinfo=UTC)) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_update_preferences(app, make_user):
    user = make_user()
    update_preferences(user.id, appointment_reminders=False, goal_checkins=True, request_updates=False,
                       discreet=False, quiet_hours=True, quiet_start=time(22, 15), quiet_end=time(7))
    db.session.commit()
    prefs = service.preferences_for(user.id)
    assert not prefs.appointment_reminders and not wants(prefs, "place_offer") and wants(prefs, "goal_checkin")
    assert prefs.quiet_start == time(22, 15)


# ---------------------------------------------------------------- subscriptions

def test_a_good_subscription_is_kept_with_a_label_not_the_user_agent(app, make_user):
    user = make_user()
    agent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML) Chrome/131.0 Mobile Safari/537.36"
    kept, added = devices.subscribe(user.id, subscription(), PRODUCTION, agent)
    db.session.commit()
    assert added and kept.device_label == "Chrome on Android"
    again, added_again = devices.subscribe(user.id, {**subscription(), "endpoint": kept.endpoint}, PRODUCTION, agent)
    assert not added_again and again.id == kept.id


def test_an_endpoint_moves_to_whoever_signs_in_on_that_device(app, make_user):
    first, second = make_user(), make_user()
    data = subscription()
    devices.subscribe(first.id, data, PRODUCTION)
    devices.subscribe(second.id, data, PRODUCTION)
    db.session.commit()
    assert [d.user_id for d in db.session.scalars(select(PushSubscription))] == [second.id]


@pytest.mark.parametrize(("data", "field", "words"), [
    ("not a dict", "subscription", "JSON object"),
    (subscription(endpoint=""), "endpoint", "missing"),
    (subscription(endpoint="ftp://push.example/x"), "endpoint", "https://"),
    (subscription(endpoint="http://fcm.googleapis.com/fcm/send/x"), "endpoint", "https://"),
    (subscription(endpoint="https://127.0.0.1/push"), "endpoint", "push service"),
    (subscription(endpoint="https://fcm.googleapis.com:8443/x"), "endpoint", "push service"),
    (subscription(endpoint="https://evil.example/collect"), "endpoint", "push service we know"),
    (subscription(endpoint="https://user:pw@fcm.googleapis.com/x"), "endpoint", "https://"),
    (subscription(endpoint="https://fcm.googleapis.com/" + "x" * 1000), "endpoint", "too long"),
    (subscription(p256dh=b64(b"\x04" + b"a" * 63)), "keys.p256dh", "65 bytes; it is 64"),
    (subscription(p256dh=b64(b"\x02" + b"a" * 64)), "keys.p256dh", "uncompressed"),
    (subscription(p256dh=b64(b"\x04" + b"\x01" * 64)), "keys.p256dh", "curve"),
    (subscription(p256dh="not base64!"), "keys.p256dh", "base64url"),
    (subscription(auth=b64(b"a" * 12)), "keys.auth", "16 bytes; it is 12"),
    (subscription(auth=""), "keys.auth", "base64url"),
    ({"endpoint": "https://fcm.googleapis.com/x"}, "keys", "p256dh and auth"),
])
def test_a_malformed_subscription_says_what_is_wrong(app, make_user, data, field, words):
    with pytest.raises(devices.SubscriptionError) as raised:
        devices.validate_subscription(data, PRODUCTION)
    assert raised.value.field == field
    assert words in str(raised.value.message)


def test_plain_http_is_allowed_outside_production_only(app):
    local = subscription(endpoint="http://127.0.0.1:8123/push/abc")
    assert devices.validate_subscription(local, DEVELOPMENT)["endpoint"] == local["endpoint"]
    with pytest.raises(devices.SubscriptionError):
        devices.validate_subscription(local, PRODUCTION)


def test_each_person_keeps_at_most_ten_devices_newest_first(app, frozen_clock, make_user):
    user = make_user()
    for n in range(devices.MAX_DEVICES + 2):
        clock.advance(timedelta(minutes=1))
        devices.subscribe(user.id, subscription(endpoint=f"https://fcm.googleapis.com/fcm/send/{n}"), PRODUCTION)
    db.session.commit()
    kept = devices.devices_for(user.id)
    assert len(kept) == devices.MAX_DEVICES and kept[0].endpoint.endswith("/2")


def test_remove_and_unsubscribe_only_touch_your_own_devices(app, make_user):
    owner, other = make_user(), make_user()
    kept, _ = devices.subscribe(owner.id, subscription(), PRODUCTION)
    db.session.commit()
    assert not devices.remove_device(other.id, kept.id)
    assert not devices.unsubscribe(other.id, kept.endpoint)
    assert devices.unsubscribe(owner.id, kept.endpoint)
    db.session.commit()
    assert devices.devices_for(owner.id) == []


def test_export_and_account_deletion_cover_devices_preferences_and_notifications(app, frozen_clock, make_user):
    from webapp.accounts import service as accounts

    user = make_user()
    devices.subscribe(user.id, subscription(), PRODUCTION, "Firefox/130.0 (Windows NT 10.0)")
    update_preferences(user.id, appointment_reminders=True, goal_checkins=False, request_updates=True,
                       discreet=True, quiet_hours=True, quiet_start=time(22), quiet_end=time(7, 30))
    service.send_test(user.id)
    db.session.commit()

    exported = accounts.export_personal_data(user)["notifications"]
    assert exported["preferences"]["quiet_start"] == "22:00" and exported["preferences"]["goal_checkins"] is False
    assert exported["devices"][0]["label"] == "Firefox on Windows"
    assert exported["notifications"][0]["kind"] == "test"

    accounts.delete_account(user)
    db.session.commit()
    for model in (PushSubscription, NotificationPreferences, ScheduledNotification):
        assert db.session.scalars(select(model)).all() == [], model.__name__
