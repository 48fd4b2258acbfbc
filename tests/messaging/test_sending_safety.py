"""The worker's messaging job under crashes, time budgets, changed channels and secrets: nothing sent
twice, nothing held open, nothing kept that should not be."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import select, update

from webapp import clock
from webapp.accounts import verification
from webapp.extensions import db
from webapp.messaging import channels, sender, service
from webapp.messaging.models import CANCELLED, Message
from webapp.outbox import CLAIM_EXPIRES_AFTER, FAILED, PENDING, SENDING, SENT

ADDRESS = {"lines": ["Alex Morgan", "1 Elm Road", "Norwich"], "postcode": "NR1 3SR"}


class WorkerDied(BaseException):
    """The worker process ending mid-send (killed, out of memory): nothing after it runs."""


def _text(number: str = "07700900123", **extra) -> int:
    row = service.queue(channel="sms", to=number, template="verify_code", personalisation={"code": "424242"},
                        language="en", **extra)
    db.session.commit()
    return row.id


def _row(row_id: int) -> Message:
    db.session.remove()
    return db.session.get(Message, row_id)


def _notify_error(status: int) -> APIError:
    response = requests.Response()
    response.status_code, response._content = status, b'{"errors": [{"error": "Exception", "message": "boom"}]}'
    return APIError(response)


# -- H1, M2: counted and committed before the send -------------------------------------------------------

def test_a_worker_that_dies_after_notify_took_the_message_never_causes_a_second_send(
        frozen_clock, notify, send, monkeypatch):
    notify.callback_url = None  # no receipt: only asking Notify can tell
    row_id = _text()
    real = sender._post

    def post_then_die(client, request):
        real(client, request)
        raise WorkerDied

    monkeypatch.setattr(sender, "_post", post_then_die)
    with pytest.raises(WorkerDied):
        sender.send_due()
    db.session.rollback()
    db.session.remove()
    monkeypatch.setattr(sender, "_post", real)
    frozen_clock.advance(CLAIM_EXPIRES_AFTER + timedelta(seconds=1))  # the dead worker's claim is released
    send()
    assert len(notify.received) == 1
    stored = _row(row_id)
    assert stored.status == SENT and stored.notify_id == notify.received[0].id


def test_no_database_transaction_is_open_while_notify_is_asked_or_sent_to(notify, send, monkeypatch):
    row_id = _text()
    row = _row(row_id)
    row.attempts = 1  # an earlier try: Notify is asked first
    db.session.commit()
    open_during: list[tuple[str, bool]] = []
    for name in ("get_all_notifications", "send_sms_notification"):
        real = getattr(NotificationsAPIClient, name)

        def spy(self, *args, _real=real, _name=name, **kwargs):
            open_during.append((_name, db.session().in_transaction()))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(NotificationsAPIClient, name, spy)
    send()
    assert open_during == [("get_all_notifications", False), ("send_sms_notification", False)]
    assert _row(row_id).status == SENT


# -- H4: the time budget and a Notify outage inside a batch ---------------------------------------------

def test_the_job_stops_inside_a_batch_when_over_its_budget_and_gives_the_rest_back_untried(notify, send):
    from webapp import jobs

    budget = 1.0  # seconds: a pass's budget is real time (`jobs.budget`), whatever the clock says
    ids = [_text(), _text("07700900124"), _text("07700900125")]

    @notify.app.after_request
    def answer_slowly(response):
        # A Notify this slow uses the whole budget on one send: the pass is over its budget once the
        # first answer is back, whatever else took time (it started before the send arrived here).
        time.sleep(budget)
        return response

    with jobs.budget(budget):
        assert send() == 1
    assert len(notify.received) == 1
    rest = [_row(row_id) for row_id in ids[1:]]
    assert all(row.status == PENDING and row.attempts == 0 and row.claimed_by is None for row in rest)
    assert all(row.next_attempt_at <= clock.now() for row in rest)  # due again at once


def test_a_5xx_stops_the_pass_and_the_rest_of_the_batch_waits_a_little_untried(frozen_clock, notify, send):
    ids = [_text(), _text("07700900124"), _text("07700900125")]
    notify.fail_next(500)
    send()
    assert notify.answers == [500]  # nothing more sent to a Notify that is failing
    first, *rest = (_row(row_id) for row_id in ids)
    assert first.status == PENDING and first.attempts == 1
    assert all(row.status == PENDING and row.attempts == 0 for row in rest)
    assert all(row.next_attempt_at == clock.now() + sender.FIRST_RETRY for row in rest)
    frozen_clock.advance(sender.FIRST_RETRY)
    send()
    assert sorted(m.to for m in notify.received) == ["+447700900123", "+447700900124", "+447700900125"]


# -- L1: rows another worker took over ------------------------------------------------------------------

def test_a_429_after_a_row_was_taken_over_by_another_worker_gives_the_rest_back(app, frozen_clock, notify, send):
    ids = [_text(), _text("07700900124"), _text("07700900125"), _text("07700900126")]
    another_worker = "another-host:4242"
    taken_over: list[int] = []

    @notify.app.after_request
    def meanwhile_another_worker_takes_over_the_second(response):
        # While the first is being sent, the second row's claim passes to another worker (as one
        # that found it stale would leave it), and Notify's next answer is 429.
        if not taken_over:
            taken_over.append(ids[1])
            with app.app_context():
                db.session.execute(update(Message).where(Message.id == ids[1])
                                   .values(claimed_by=another_worker, claimed_at=clock.now()))
                db.session.commit()
                db.session.remove()
            notify.fail_next(429)
        return response

    send()
    assert notify.answers == [201, 429]  # the second row was not sent: it is no longer this worker's
    assert _row(ids[0]).status == SENT
    taken = _row(ids[1])
    assert taken.status == SENDING and taken.claimed_by == another_worker  # left to its new owner
    assert [_row(row_id).status for row_id in ids[2:]] == [PENDING, PENDING]
    assert _row(ids[3]).next_attempt_at >= clock.now() + sender.RATE_LIMITED_RETRY


# -- M4: ask Notify before falling back ------------------------------------------------------------------

def _last_try(**extra) -> int:
    row_id = _text(fallbacks=[{"channel": "email", "to": "parent@example.org"}], **extra)
    row = _row(row_id)
    row.attempts = sender.MAX_ATTEMPTS - 1
    db.session.commit()
    return row_id


def test_after_the_last_try_an_earlier_send_found_at_notify_means_no_fallback(notify, send, monkeypatch):
    notify.callback_url = None
    row_id = _last_try()
    real = sender._post

    def taken_but_answer_lost(client, request):
        real(client, request)
        raise _notify_error(500)

    monkeypatch.setattr(sender, "_post", taken_but_answer_lost)
    send()
    assert _row(row_id).status == SENT
    assert db.session.scalar(select(Message).where(Message.channel == "email")) is None
    assert [m.type for m in notify.received] == ["sms"]


def test_after_the_last_try_a_notify_that_cannot_say_keeps_the_message_waiting(notify, send, monkeypatch):
    row_id = _last_try()

    def cannot_say(self, *args, **kwargs):
        raise _notify_error(503)

    monkeypatch.setattr(NotificationsAPIClient, "get_all_notifications", cannot_say)
    notify.fail_next(500)
    send()
    stored = _row(row_id)
    assert stored.status == PENDING and "could not say" in stored.last_error
    assert db.session.scalar(select(Message).where(Message.channel == "email")) is None
    assert notify.received == []


# -- H6: secrets ---------------------------------------------------------------------------------------------

def test_a_sent_code_is_not_kept_but_dev_messages_still_shows_it(app, client, notify, send):
    row_id = _text()
    send()
    assert _row(row_id).status == SENT and _row(row_id).personalisation == {}
    assert "424242" in client.get("/dev/messages").get_data(as_text=True)  # the stand-in's own copy


def test_expired_cancelled_and_refused_messages_keep_no_words(frozen_clock, notify, send):
    expired = _text(expires_at=clock.now() + timedelta(minutes=1))
    cancelled = _text("07700900124", subject_type="booking", subject_id=7)
    refused = _text("07700900125")
    sender.cancel("booking", 7)
    db.session.commit()
    frozen_clock.advance(timedelta(minutes=2))
    notify.fail_next(400)
    send()
    assert [_row(row_id).status for row_id in (expired, cancelled, refused)] == ["expired", CANCELLED, FAILED]
    assert all(_row(row_id).personalisation == {} for row_id in (expired, cancelled, refused))


# -- H2: the person's channels as they are now ------------------------------------------------------------

def _person_with_channels(make_user, **choice):
    user = make_user()
    saved = {"order": ["sms", "email"], "phone": "+447700900123", "email": "me@example.org", "address": None,
             "name_service": False, **choice}
    channels.save(user.id, **saved)
    db.session.commit()
    return user.id


def _news(user_id: int, *, detailed: bool = False) -> int:
    template, words = ("request_update", {"reference": "FL-1", "link": "https://x.test/r"}) if detailed else (
        "discreet_news", {"link": "https://x.test/"})
    row = service.queue(channel="sms", to="07700900123", template=template, personalisation=words, language="en",
                        sensitive=detailed, user_id=user_id, fallbacks=[{"channel": "email", "to": "me@example.org"}])
    db.session.commit()
    return row.id


def test_a_channel_taken_out_of_the_order_after_queuing_is_not_used(make_user, notify, send):
    user_id = _person_with_channels(make_user)
    row_id = _news(user_id)
    channels.save(user_id, order=["email"], phone=None, email="me@example.org", address=None, name_service=False)
    db.session.commit()
    send()
    assert _row(row_id).status == CANCELLED
    assert [(m.type, m.to) for m in notify.received] == [("email", "me@example.org")]


def test_a_number_changed_after_queuing_gets_nothing_sent_to_the_old_one(make_user, notify, send):
    user_id = _person_with_channels(make_user)
    row_id = _news(user_id)
    channels.save(user_id, order=["sms", "email"], phone="+447700900999", email="new@example.org", address=None,
                  name_service=False)
    db.session.commit()
    send()
    assert _row(row_id).status == CANCELLED
    assert notify.received == []  # the old email in its fallbacks is not used either


def test_say_who_it_is_from_turned_off_after_queuing_sends_the_discreet_words(make_user, notify, send):
    user_id = _person_with_channels(make_user, name_service=True)
    verification.record_proof(user_id, "sms", "07700900123")  # proved: detailed words may go to it
    db.session.commit()
    row_id = _news(user_id, detailed=True)
    channels.save(user_id, order=["sms", "email"], phone="+447700900123", email="me@example.org", address=None,
                  name_service=False)
    db.session.commit()
    send()
    assert _row(row_id).status == SENT and _row(row_id).template == "discreet_news"
    assert len(notify.received) == 1 and "FL-1" not in notify.received[0].body


# -- H3: each fallback decides detailed-or-discreet again --------------------------------------------------

def test_a_fallback_to_an_unproved_email_or_a_letter_is_discreet_never_skipped_or_detailed(notify, send):
    verification.record_proof(None, "sms", "07700900123")  # the number is proved, the email is not
    row = service.queue(channel="sms", to="07700900123", template="request_update",
                        personalisation={"reference": "FL-9", "link": "https://x.test/track"}, language="en",
                        sensitive=True, fallbacks=[{"channel": "email", "to": "parent@example.org"},
                                                   {"channel": "letter", "to": ADDRESS}])
    db.session.commit()
    notice = row.notice
    notify.fail_next(400, times=2)  # the text, then the email, refused
    send()
    send()
    email = db.session.scalar(select(Message).where(Message.notice == notice, Message.channel == "email"))
    letter = db.session.scalar(select(Message).where(Message.notice == notice, Message.channel == "letter"))
    assert email.template == "discreet_news" and email.status == FAILED  # tried, not skipped as unproved
    assert letter.template == "discreet_news" and not letter.sensitive and letter.status == SENT
    assert [m.type for m in notify.received] == ["letter"] and "FL-9" not in notify.received[0].body
    assert notify.received[0].body.endswith("/track to read it.")


# -- M3 (push): one unexpected error fails one device, not the batch --------------------------------------

def test_an_unexpected_error_sending_one_push_is_that_devices_outcome(app):
    from webapp.notifications import sender as push

    class Broken:
        def encrypt(self, payload, device):
            raise RuntimeError("a bug")

    class Device:
        id = 1

    outcome = push._send_one(Broken(), Device(), b"{}", {}, clock.now())
    assert not outcome.sent and outcome.retry_after is None and "RuntimeError" in outcome.error
