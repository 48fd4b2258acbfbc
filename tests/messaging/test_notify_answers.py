"""Notify answering 400, 403, 429 and 500, lost answers, and its rate limit: nothing lost, nothing twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from webapp import clock
from webapp.extensions import db
from webapp.messaging import sender, service
from webapp.messaging.models import PERMANENT_FAILURE, Message
from webapp.outbox import FAILED, PENDING, SENT


def _text(number: str = "07700900123", **extra) -> int:
    row = service.queue(channel="sms", to=number, template="verify_code", personalisation={"code": "424242"},
                        language="en", **extra)
    db.session.commit()
    return row.id


def _row(row_id: int) -> Message:
    db.session.remove()
    return db.session.get(Message, row_id)


def test_a_400_fails_for_good_with_notifys_words_for_staff_and_the_next_channel_is_tried(notify, send):
    row_id = _text(fallbacks=[{"channel": "email", "to": "parent@example.org"}])
    notify.fail_next(400)
    send()
    failed = _row(row_id)
    assert failed.status == FAILED and "Notify refused the message (400)" in failed.last_error
    assert "Not a UK mobile number" in failed.last_error
    email = db.session.scalar(select(Message).where(Message.notice == failed.notice, Message.channel == "email"))
    assert email is not None and email.status in (PENDING, SENT)
    assert [m.type for m in notify.received] == ["email"]  # the email went in the same pass; the text never


def test_a_403_is_our_key_so_nothing_is_failed_the_batch_waits_and_health_shows_it(frozen_clock, notify, send,
                                                                                     caplog):
    from webapp.admin.service import health

    ids = [_text(fallbacks=[{"channel": "email", "to": "parent@example.org"}]), _text("07700900124")]
    notify.fail_next(403)
    with caplog.at_level("ERROR", logger="flourish.messaging"):
        send()
    rows = [_row(row_id) for row_id in ids]
    assert notify.answers == [403]  # the pass stopped: the second was never tried
    assert all(row.status == PENDING for row in rows)  # nothing failed, nothing lost
    assert all(row.next_attempt_at >= clock.now() + sender.KEY_REFUSED_RETRY for row in rows)
    assert all("403" in row.last_error for row in rows)
    assert db.session.scalar(select(Message).where(Message.channel == "email")) is None
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert errors and "403" in errors[0].getMessage() and "07700" not in caplog.text and "+44" not in caplog.text
    assert health().messages.overdue == 2 and health().problems > 0


def test_a_429_backs_off_and_stops_the_pass_then_sends_each_once(frozen_clock, notify, send):
    ids = [_text(), _text("07700900124"), _text("07700900125")]
    notify.fail_next(429)
    assert send() == 0
    rows = [_row(row_id) for row_id in ids]
    assert all(row.status == PENDING for row in rows)  # nothing lost
    assert all(row.next_attempt_at >= clock.now() + timedelta(minutes=1) for row in rows)  # backed off
    assert notify.answers == [429]  # the pass stopped at the first 429
    frozen_clock.advance(timedelta(minutes=2))
    send()
    assert sorted(m.to for m in notify.received) == ["+447700900123", "+447700900124", "+447700900125"]
    assert all(_row(row_id).status == SENT for row_id in ids)


def test_a_500_is_retried_with_backoff_and_sent_once(frozen_clock, notify, send):
    row_id = _text()
    notify.fail_next(500)
    send()
    waiting = _row(row_id)
    assert waiting.status == PENDING and waiting.attempts == 1 and "500" in waiting.last_error
    assert waiting.next_attempt_at == clock.now() + sender.FIRST_RETRY
    send()
    assert notify.received == []  # not due yet
    frozen_clock.advance(sender.FIRST_RETRY)
    send()
    assert len(notify.received) == 1 and _row(row_id).status == SENT


def test_a_send_whose_answer_was_lost_is_found_at_notify_and_never_sent_again(app, notify, send):
    """The worker died (or timed out) after Notify took the message: before trying again it asks
    Notify for our reference, finds it, and keeps Notify's id."""
    row_id = _text()
    row = _row(row_id)
    client = sender.client_for()
    notify.callback_url = None  # no receipt either: only asking Notify can tell
    answer = client.send_sms_notification(phone_number="07700900123", template_id=str(uuid.uuid4()),
                                          personalisation={"body": "x"}, reference=row.notify_reference)
    row.attempts, row.last_error = 1, "Notify unavailable (503): Request failed"
    db.session.commit()
    send()
    assert len(notify.received) == 1
    stored = _row(row_id)
    assert stored.status == SENT and stored.notify_id == answer["id"]


def test_a_failure_notify_knows_of_whose_receipt_was_lost_still_goes_to_the_next_channel(app, notify, send):
    """The worker died after Notify took a text that then failed for good, and Notify's receipt came
    while the row was still being sent (refused, 503) and was never sent again: the worker that asks
    Notify by reference reads the failure and queues the next channel, not "sent"."""
    row_id = _text("07700900002", fallbacks=[{"channel": "email", "to": "parent@example.org"}])
    row = _row(row_id)
    client = sender.client_for()
    notify.callback_url = None
    client.send_sms_notification(phone_number="07700900002", template_id=str(uuid.uuid4()),
                                 personalisation={"body": "x"}, reference=row.notify_reference)
    row.attempts, row.last_error = 1, "Notify unavailable (503): Request failed"
    db.session.commit()
    send()
    assert [(m.type, m.to) for m in notify.received] == [("sms", "07700900002"), ("email", "parent@example.org")]
    assert _row(row_id).outcome == PERMANENT_FAILURE  # the text not sent again, and not called sent


def test_no_more_than_the_rate_limit_is_sent_in_a_minute(app, frozen_clock, notify, send):
    app.config["NOTIFY_RATE_PER_MINUTE"] = 2
    try:
        for n in range(3):
            _text(f"0770090013{n}")
        send()
        assert len(notify.received) == 2
        send()
        assert len(notify.received) == 2  # the third waits for the minute to pass
        frozen_clock.advance(timedelta(seconds=61))
        send()
        assert len(notify.received) == 3
    finally:
        app.config["NOTIFY_RATE_PER_MINUTE"] = 3000


def test_without_notify_configured_messages_wait(app, send):
    app.config["NOTIFY_API_KEY"], key = "", app.config["NOTIFY_API_KEY"]
    try:
        row_id = _text()
        assert send() == 0
        assert _row(row_id).status == PENDING
    finally:
        app.config["NOTIFY_API_KEY"] = key
