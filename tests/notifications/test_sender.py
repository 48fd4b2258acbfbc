"""The worker's sender against a local push service that checks VAPID and decrypts like a browser."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import jwt
import pytest
from sqlalchemy import inspect, select

from tests.notifications.push_service import Answer
from webapp import clock
from webapp.extensions import db
from webapp.i18n import N_
from webapp.notifications import models, sender, service
from webapp.notifications.models import PushSubscription, ScheduledNotification
from webapp.notifications.preferences import update_preferences
from webapp.worker import run_once


def remind(user, due_at=None, kind=models.APPOINTMENT_REMINDER, expires_in=timedelta(hours=3), **fields):
    fields.setdefault("title", N_("Drop-in at %(place)s"))
    fields.setdefault("body", N_("Your drop-in is at %(time)s."))
    fields.setdefault("params", {"place": "The Garage, Norwich", "time": "13:30"})
    fields.setdefault("subject_type", "booking")
    fields.setdefault("subject_id", 7)
    due_at = due_at or clock.now()
    row = service.schedule(user_id=user.id, kind=kind, due_at=due_at, url="/bookings/my/7",
                           expires_at=None if expires_in is None else due_at + expires_in, **fields)
    db.session.commit()
    return row


def detailed(user, **changes):
    values = dict(appointment_reminders=True, goal_checkins=True, request_updates=True, discreet=False,
                  quiet_hours=True, quiet_start=time(21), quiet_end=time(8))
    values.update(changes)
    update_preferences(user.id, **values)
    db.session.commit()


def reload(row) -> ScheduledNotification:
    """The row as the database has it now (also after the worker ended the session)."""
    db.session.expire_all()
    return db.session.get(ScheduledNotification, inspect(row).identity[0])


def test_a_due_reminder_arrives_discreet_by_default_and_decrypts(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    browser = device(user)
    row = remind(user)

    assert run_once(app)["push"] == 1

    [message] = push_service.received
    assert message.token == browser.token
    assert message.payload["title"] == "Flourish"
    assert message.payload["body"] == "You have a new reminder from Flourish"
    assert "Garage" not in str(message.payload) and "actions" not in message.payload
    assert message.payload["url"] == "/bookings/my/7"
    row = reload(row)
    assert row.status == "sent" and row.sent_at == clock.now() and row.attempts == 1
    assert db.session.get(PushSubscription, row.delivered_to[0]).last_success_at == clock.now()


def test_detailed_text_is_translated_into_their_language_with_reply_actions(app, frozen_clock, make_user, device,
                                                                            push_service):
    user = make_user(locale="pl")
    device(user)
    detailed(user)
    remind(user, title=N_("Get help now"), params={})  # a message id the Polish catalogue already has

    sender.send_due()

    [message] = push_service.received
    assert message.payload["lang"] == "pl"
    assert message.payload["title"] == "Uzyskaj pomoc teraz"
    assert [a["action"] for a in message.payload["actions"]] == ["attend", "cannot-attend"]
    assert [a["url"] for a in message.payload["actions"]] == ["/bookings/my/7?reply=yes", "/bookings/my/7?reply=no"]


def test_detailed_text_fills_in_the_details(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    detailed(user)
    remind(user)
    sender.send_due()
    [message] = push_service.received
    assert message.payload["title"] == "Drop-in at The Garage, Norwich"
    assert message.payload["body"] == "Your drop-in is at 13:30."
    assert [a["title"] for a in message.payload["actions"]] == ["I'll be there", "Can't make it"]


def test_headers_ttl_from_expiry_urgency_by_kind_and_a_stable_opaque_topic(app, frozen_clock, make_user, device,
                                                                          push_service):
    user = make_user()
    device(user)
    remind(user, expires_in=timedelta(minutes=90))
    remind(user, kind=models.GOAL_CHECKIN, expires_in=None, subject_type="goal", subject_id=3)
    sender.send_due()
    appointment, goal = sorted(push_service.received, key=lambda m: m.headers["urgency"])
    assert appointment.headers["urgency"] == "high" and appointment.ttl == 90 * 60
    assert goal.headers["urgency"] == "low" and goal.ttl == sender.DEFAULT_TTL[models.GOAL_CHECKIN]
    assert appointment.headers["topic"] != goal.headers["topic"]
    assert "booking" not in appointment.headers["topic"]
    # A newer reminder about the same booking carries the same topic, so it replaces the older one.
    remind(user)
    sender.send_due()
    assert push_service.received[-1].headers["topic"] == appointment.headers["topic"]


def test_vapid_token_is_reused_per_origin_and_renewed_before_it_expires(app, frozen_clock, make_user, device,
                                                                        push_service):
    user = make_user()
    device(user)
    device(user)
    detailed(user, quiet_hours=False)
    remind(user)
    remind(user, subject_id=8)
    sender.send_due()
    tokens = {m.jwt for m in push_service.received}
    assert len(push_service.received) == 4 and len(tokens) == 1
    claims = jwt.decode(tokens.pop(), options={"verify_signature": False})
    assert claims["aud"] == push_service.origin  # the port is kept: the real origin
    assert claims["exp"] - clock.now().timestamp() <= 24 * 3600
    assert claims["sub"] == app.config["VAPID_SUBJECT"]
    assert push_service.received[0].vapid_key == sender.application_server_key(app)

    clock.advance(timedelta(hours=11, minutes=30))  # within an hour of expiry: a new token
    remind(user, subject_id=9)
    sender.send_due()
    assert len({m.jwt for m in push_service.received}) == 2


def test_gone_devices_are_removed_and_a_person_left_with_none_is_marked_so(app, frozen_clock, make_user, device,
                                                                           push_service):
    user = make_user()
    gone = device(user)
    expired = device(user)
    push_service.answer(gone, Answer(410))
    push_service.answer(expired, Answer(404))
    row = remind(user)
    sender.send_due()
    assert reload(row).status == "no_device"
    assert db.session.scalars(select(PushSubscription)).all() == []
    later = remind(user, subject_id=99)
    sender.send_due()
    assert reload(later).status == "no_device" and reload(later).attempts == 0
    assert sender.send_due() == 0  # not retried


def test_a_person_with_no_devices_is_marked_and_never_retried(app, frozen_clock, make_user, push_service):
    user = make_user()
    row = remind(user)
    sender.send_due()
    assert reload(row).status == "no_device"
    clock.advance(timedelta(hours=2))
    assert sender.send_due() == 0


def test_busy_push_service_is_retried_after_retry_after_then_sent(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    browser = device(user)
    push_service.answer(browser, Answer(429, {"Retry-After": "600"}))
    row = remind(user)
    sender.send_due()
    row = reload(row)
    assert row.status == "pending" and row.attempts == 1 and "429" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=600)
    clock.advance(timedelta(seconds=599))
    assert sender.send_due() == 0
    clock.advance(timedelta(seconds=1))
    sender.send_due()
    assert reload(row).status == "sent"
    assert len(push_service.received) == 1


def test_retry_after_as_an_http_date_and_backoff_when_none_is_given(app, frozen_clock, make_user, device,
                                                                    push_service):
    user = make_user()
    browser = device(user)
    when = clock.now() + timedelta(minutes=20)
    push_service.answer(browser, Answer(503, {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}),
                        Answer(500), Answer(502))
    row = remind(user)
    sender.send_due()
    assert reload(row).next_attempt_at == when
    clock.advance(timedelta(minutes=20))
    sender.send_due()
    first_gap = reload(row).next_attempt_at - clock.now()
    clock.advance(first_gap)
    sender.send_due()
    second_gap = reload(row).next_attempt_at - clock.now()
    assert second_gap == 2 * first_gap  # exponential backoff


def test_attempts_are_bounded_then_failed_for_admins(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    browser = device(user)
    push_service.answer(browser, *[Answer(503)] * sender.MAX_ATTEMPTS)
    row = remind(user, expires_in=timedelta(days=2))
    for _ in range(sender.MAX_ATTEMPTS):
        sender.send_due()
        row = reload(row)
        if row.status != "pending":
            break
        clock.freeze(row.next_attempt_at)
    assert row.status == "failed" and row.attempts == sender.MAX_ATTEMPTS
    assert "503" in row.last_error
    clock.advance(timedelta(days=1))
    assert sender.send_due() == 0
    assert push_service.received == []


def test_a_refused_message_fails_without_retrying(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    browser = device(user)
    push_service.answer(browser, Answer(413))
    row = remind(user)
    sender.send_due()
    assert reload(row).status == "failed" and "413" in reload(row).last_error


def test_a_device_that_got_it_never_gets_it_again_when_another_is_retried(app, frozen_clock, make_user, device,
                                                                          push_service):
    user = make_user()
    phone = device(user)
    laptop = device(user)
    push_service.answer(laptop, Answer(503, {"Retry-After": "60"}))
    row = remind(user)
    sender.send_due()
    assert reload(row).status == "pending"
    clock.advance(timedelta(seconds=60))
    sender.send_due()
    assert reload(row).status == "sent"
    assert len(push_service.for_browser(phone)) == 1 and len(push_service.for_browser(laptop)) == 1


def test_an_unreachable_push_service_is_retried(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    row = remind(user)
    push_service.stop()
    sender.send_due()
    row = reload(row)
    assert row.status == "pending" and row.attempts == 1 and "could not reach" in row.last_error


def test_expired_and_unwanted_notifications_are_not_sent(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    detailed(user, goal_checkins=False)
    stale = remind(user, due_at=clock.now() - timedelta(hours=4), expires_in=timedelta(hours=1))
    unwanted = remind(user, kind=models.GOAL_CHECKIN, subject_type="goal", subject_id=1)
    sender.send_due()
    assert reload(stale).status == "expired"
    assert reload(unwanted).status == "not_wanted"
    assert push_service.received == []


def test_quiet_hours_hold_a_reminder_until_they_end(app, make_user, device, push_service):
    clock.freeze(datetime(2026, 6, 15, 21, 30, tzinfo=UTC))  # 22:30 in London (BST)
    user = make_user()
    device(user)
    row = remind(user, expires_in=timedelta(hours=24))
    sender.send_due()
    row = reload(row)
    assert row.status == "pending" and row.attempts == 0
    assert row.next_attempt_at == datetime(2026, 6, 16, 7, 0, tzinfo=UTC)  # 08:00 BST
    clock.freeze(datetime(2026, 6, 16, 6, 59, tzinfo=UTC))
    assert sender.send_due() == 0
    clock.freeze(datetime(2026, 6, 16, 7, 0, tzinfo=UTC))
    sender.send_due()
    assert reload(row).status == "sent" and len(push_service.received) == 1


def test_the_test_button_is_not_held_by_quiet_hours(app, make_user, device, push_service):
    clock.freeze(datetime(2026, 6, 15, 22, 0, tzinfo=UTC))
    user = make_user()
    device(user)
    service.send_test(user.id)
    db.session.commit()
    sender.send_due()
    [message] = push_service.received
    assert message.headers["urgency"] == "high" and message.payload["url"] == "/settings/notifications"


@pytest.mark.parametrize(("saturday_night", "expected_send"), [
    # Autumn: clocks go back at 02:00 BST on Sunday 25 October 2026. 08:00 GMT is 08:00 UTC, not 07:00.
    (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
    # Spring: clocks go forward at 01:00 GMT on Sunday 29 March 2026. 08:00 BST is 07:00 UTC.
    (datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
])
def test_a_clock_change_inside_quiet_hours_neither_sends_early_nor_twice(app, make_user, device, push_service,
                                                                         saturday_night, expected_send):
    clock.freeze(saturday_night)
    user = make_user()
    device(user)
    row = remind(user, expires_in=timedelta(hours=24))
    sender.send_due()
    assert reload(row).next_attempt_at == expected_send
    for hour in range(1, 12):  # the worker keeps running every hour through the night
        clock.freeze(saturday_night + timedelta(hours=hour))
        sender.send_due()
        if clock.now() < expected_send:
            assert push_service.received == [], f"sent early at {clock.now()}"
    assert len(push_service.received) == 1


def test_payload_stays_under_the_push_size_limit(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    detailed(user)
    remind(user, params={"place": "Norwich " * 400, "time": "ą" * 3000})
    sender.send_due()
    [message] = push_service.received
    assert message.body_size < 4096
    assert message.payload["body"].endswith("…")


def test_cancelled_and_rescheduled_reminders(app, frozen_clock, make_user, device, push_service):
    user = make_user()
    device(user)
    moved = remind(user, due_at=clock.now() + timedelta(hours=1))
    cancelled = remind(user, subject_id=8, due_at=clock.now())
    assert service.cancel("booking", 8) == 1
    new_time = clock.now() + timedelta(days=2)
    assert service.reschedule("booking", 7, due_at=new_time, expires_at=new_time + timedelta(hours=1),
                              params={"place": "Lowestoft", "time": "10:00"}) == 1
    db.session.commit()
    clock.advance(timedelta(hours=1))
    assert sender.send_due() == 0
    assert reload(cancelled).status == "cancelled"
    clock.freeze(new_time)
    sender.send_due()
    assert reload(moved).status == "sent" and len(push_service.received) == 1
    assert service.reschedule("booking", 7, due_at=new_time) == 0  # already sent: nothing pending to move


def test_vapid_keys_may_be_pem_or_raw_base64url(app):
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from webapp.notifications.webpush_client import PushClient, PushConfigError, _pem

    key = ec.generate_private_key(ec.SECP256R1())
    raw_private = base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).decode().rstrip("=")
    raw_public = base64.urlsafe_b64encode(key.public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)).decode().rstrip("=")
    client = PushClient(_pem(raw_private, "private"), _pem(raw_public, "public"), "digital@flourish.example")
    assert client.application_server_key == raw_public
    assert client.subject == "mailto:digital@flourish.example"
    with pytest.raises(PushConfigError):
        _pem("not a key", "VAPID_PRIVATE_KEY")
    with pytest.raises(PushConfigError):
        _pem("", "VAPID_PRIVATE_KEY")


def remind_many(make_user, device, people: int, each: int) -> None:
    """`people` people with a device each, and `each` reminders due for each of them."""
    for person in range(people):
        user = make_user()
        device(user)
        for n in range(each):
            remind(user, subject_id=person * 10 + n)

def test_many_messages_go_concurrently_over_a_few_reused_connections(app, frozen_clock, make_user, device,
                                                                     push_service, monkeypatch):
    """A push service across a network answers after tens of milliseconds: the worker keeps many
    messages in flight at once, on kept-alive connections, never one connection per message."""
    monkeypatch.setitem(app.config, "PUSH_CONCURRENCY", 8)
    push_service.delay = 0.05
    push_service.together = 8  # nothing is answered until 8 messages are in flight at once
    remind_many(make_user, device, people=10, each=6)
    assert sender.send_due() == 60

    assert len(push_service.received) == 60 and not push_service.refused
    assert push_service.most_in_flight == 8  # as many at once as allowed, and no more
    assert len(push_service.connections) <= 8  # each connection carried several messages
    assert len({m.jwt for m in push_service.received}) == 1  # one VAPID token, signed once
    statuses = db.session.scalars(select(ScheduledNotification.status)).all()
    assert statuses == ["sent"] * 60


def test_a_pass_out_of_time_leaves_messages_not_yet_started_for_the_next_pass(app, frozen_clock, make_user, device,
                                                                              push_service, monkeypatch):
    """A slow push service must not hold the worker past the job's time budget: what has not
    started goes back to the outbox, uncounted, and the next pass sends it, each exactly once."""
    from webapp import jobs

    monkeypatch.setitem(app.config, "PUSH_CONCURRENCY", 2)
    push_service.delay = 1.0
    user = make_user()
    device(user)
    rows = [remind(user, subject_id=n) for n in range(10)]
    with jobs.budget(0.2):
        handled = sender.send_due()
    first = [reload(row) for row in rows]
    sent = [row for row in first if row.status == "sent"]
    assert 2 <= len(sent) < 10 and handled == len(sent)  # what was put back is not counted as handled
    assert all(row.status == "pending" and row.attempts == 0 and not row.claimed_by
               for row in first if row.status != "sent")

    push_service.delay = 0
    assert sender.send_due() == 10 - len(sent)
    assert [reload(row).status for row in rows] == ["sent"] * 10
    assert len(push_service.received) == 10


def test_a_batch_is_written_back_in_one_statement_each_row_with_its_own_outcome(app, frozen_clock, make_user, device,
                                                                               push_service, monkeypatch,
                                                                               count_queries):
    """The outcomes of a batch go back together (one UPDATE for the rows, one for the devices
    reached, one DELETE for the devices gone), yet each row keeps its own answer: sent, gone (404
    and 410: the subscription deleted), busy (its own Retry-After), failing (backoff), refused."""
    monkeypatch.setattr(sender, "RECORD_EVERY", 60)  # every answer in before anything is written
    answers = {"sent": Answer(201), "not found": Answer(404), "gone": Answer(410),
               "busy": Answer(429, {"Retry-After": "600"}), "down": Answer(503), "refused": Answer(413)}
    rows, browsers = {}, {}
    for name, answer in answers.items():
        user = make_user()
        browsers[name] = device(user)
        push_service.answer(browsers[name], answer)
        rows[name] = remind(user)
    push_service.together = len(answers)  # all six out at once: one batch

    with count_queries() as statements:
        assert sender.send_due() == len(answers)

    written = [s for s in statements if s.startswith("UPDATE scheduled_notifications") and "delivered_to" in s]
    assert len(written) == 1, statements
    assert len([s for s in statements if s.startswith("UPDATE push_subscriptions")]) == 1
    assert len([s for s in statements if s.startswith("DELETE FROM push_subscriptions")]) == 1
    state = {name: reload(row) for name, row in rows.items()}
    assert state["sent"].status == "sent" and state["sent"].sent_at == clock.now()
    assert state["not found"].status == state["gone"].status == "no_device"
    assert state["busy"].status == "pending" and state["busy"].attempts == 1
    assert state["busy"].next_attempt_at == clock.now() + timedelta(seconds=600)
    assert state["down"].status == "pending" and state["down"].next_attempt_at == clock.now() + sender.FIRST_RETRY
    assert state["refused"].status == "failed" and "413" in state["refused"].last_error
    assert all(row.claimed_by is None for row in state.values())
    endpoints = set(db.session.scalars(select(PushSubscription.endpoint)))
    assert endpoints == {browsers[name].endpoint for name in ("sent", "busy", "down", "refused")}
    reached = db.session.scalars(select(PushSubscription).where(PushSubscription.last_success_at.is_not(None))).all()
    assert [subscription.endpoint for subscription in reached] == [browsers["sent"].endpoint]
    assert state["sent"].delivered_to == [reached[0].id]


def test_a_slow_device_does_not_hold_back_another_rows_outcome(app, frozen_clock, make_user, device, push_service,
                                                               monkeypatch):
    fast_user, slow_user = make_user(), make_user()
    device(fast_user)
    slow = device(slow_user)
    fast_id, slow_id = remind(fast_user).id, remind(slow_user).id
    written: list[set[int]] = []
    fast_written = threading.Event()
    record = sender._record

    def recording(answered, now):
        written.append({sending.state.id for sending in answered})
        record(answered, now)
        if fast_id in written[-1]:
            fast_written.set()

    handle = push_service.handle

    def holding(path, headers, body, peer):
        if path.endswith(slow.token):
            fast_written.wait(timeout=10)  # the slow device answers once the other row's outcome is written
        return handle(path, headers, body, peer)

    monkeypatch.setattr(sender, "_record", recording)
    monkeypatch.setattr(push_service, "handle", holding)
    assert sender.send_due() == 2
    assert written == [{fast_id}, {slow_id}]
    assert reload_id(fast_id).status == reload_id(slow_id).status == "sent"


def test_the_next_batch_is_claimed_while_the_last_is_still_out(app, frozen_clock, make_user, device, push_service,
                                                              monkeypatch):
    """The connections never wait for the database between batches: with batches of 5 and 8
    messages allowed in flight, 8 are in flight at once (two batches), each sent once."""
    monkeypatch.setattr(sender, "BATCH", 5)
    monkeypatch.setitem(app.config, "PUSH_CONCURRENCY", 8)
    push_service.delay = 0.05
    push_service.together = 8  # nothing is answered until 8 messages are in flight at once
    remind_many(make_user, device, people=4, each=5)
    assert sender.send_due() == 20
    assert push_service.most_in_flight == 8
    urls = [m.payload["url"] for m in push_service.received]
    assert len(urls) == 20 and not push_service.refused
    assert db.session.scalars(select(ScheduledNotification.status)).all() == ["sent"] * 20


def test_connections_are_kept_open_and_reused_from_one_pass_to_the_next(app, frozen_clock, make_user, device,
                                                                        push_service, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_CONCURRENCY", 4)
    users = [make_user() for _ in range(3)]
    for user in users:
        device(user)
    for n in range(30):
        remind(users[n % 3], subject_id=n)
    assert sender.send_due() == 30
    assert 1 <= push_service.opened <= 4
    opened = push_service.opened
    for n in range(30, 40):
        remind(users[n % 3], subject_id=n)
    assert sender.send_due() == 10
    assert push_service.opened == opened  # the next pass went out on the connections already open
    assert len(push_service.received) == 40 and not push_service.refused


def test_the_push_service_checks_a_kept_vapid_token_every_time(app, frozen_clock, make_user, device, push_service):
    """The local push service keeps a VAPID token whose signature it checked, as a real one does,
    yet still refuses it once it expires, and a token it has not checked is checked in full."""
    user = make_user()
    browser = device(user)
    remind(user)
    sender.send_due()
    [message] = push_service.received
    path = f"/push/{browser.token}"
    forged = message.headers["authorization"].replace(f"t={message.jwt}", f"t={message.jwt[:-4]}AAAA")
    assert push_service.handle(path, {**message.headers, "authorization": forged}, b"", ("127.0.0.1", 1))[0] == 401
    clock.advance(timedelta(hours=13))  # the token (12 hours) has expired
    assert push_service.handle(path, message.headers, b"", ("127.0.0.1", 1))[0] == 403
    assert push_service.refused[-1] == "exp is not within the next 24 hours"


def reload_id(row_id: int) -> ScheduledNotification:
    db.session.expire_all()
    return db.session.get(ScheduledNotification, row_id)


def test_a_proxy_in_the_environment_is_honoured_and_no_proxy_goes_around_it(app, monkeypatch):
    import urllib3

    from webapp.notifications.webpush_client import PushClient, _pem

    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "updates.push.services.mozilla.com")
    client = PushClient(_pem(app.config["VAPID_PRIVATE_KEY"], "private"),
                        _pem(app.config["VAPID_PUBLIC_KEY"], "public"), "digital@flourish.example")
    via = client._manager("https://fcm.googleapis.com/fcm/send/abc")
    assert isinstance(via, urllib3.ProxyManager) and via.proxy.host == "proxy.example"
    assert client._manager("https://fcm.googleapis.com/fcm/send/def") is via  # one pool per proxy, kept
    assert client._manager("https://updates.push.services.mozilla.com/wpush/v2/abc") is client.http
