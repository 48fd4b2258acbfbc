"""Notify's delivery receipts at /api/v1/notify/callback: bearer token, unknown messages, outcomes."""

from __future__ import annotations

import uuid

from tests.helpers.at_once import at_once
from webapp import clock
from webapp.extensions import db
from webapp.messaging import receipts, service
from webapp.messaging.models import DELIVERED, TEMPORARY_FAILURE, Message
from webapp.outbox import PENDING, SENT

URL = "/api/v1/notify/callback"


def _sent_text(template: str = "verify_code", personalisation: dict | None = None, **extra) -> tuple[int, str]:
    row = service.queue(channel="sms", to="07700900123", template=template,
                        personalisation={"code": "1"} if personalisation is None else personalisation,
                        language="en", **extra)
    row.status, row.notify_id, row.sent_at = SENT, str(uuid.uuid4()), clock.now()
    db.session.commit()
    return row.id, row.notify_id


def _post(client, app, body, token=None):
    token = app.config["NOTIFY_CALLBACK_TOKEN"] if token is None else token
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def _row(row_id: int) -> Message:
    db.session.remove()
    return db.session.get(Message, row_id)


def test_a_wrong_or_missing_token_is_refused_and_changes_nothing(app, client):
    row_id, notify_id = _sent_text()
    body = {"id": notify_id, "reference": None, "status": "delivered"}
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Basic abc"}):
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorised"
    assert _row(row_id).outcome is None


def test_a_receipt_for_an_unknown_message_is_a_clear_404(app, client):
    response = _post(client, app, {"id": str(uuid.uuid4()), "reference": "nope", "status": "delivered"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "No message with that id or reference"}


def test_a_receipt_without_an_id_or_status_is_a_400(app, client):
    assert _post(client, app, {"status": "delivered"}).status_code == 400
    assert _post(client, app, ["not", "an", "object"]).status_code == 400
    row_id, notify_id = _sent_text()
    assert _post(client, app, {"id": notify_id, "status": "exploded"}).status_code == 400
    assert _row(row_id).outcome is None


def test_delivered_is_kept_and_the_same_receipt_twice_changes_nothing(app, client):
    row_id, notify_id = _sent_text()
    first = _post(client, app, {"id": notify_id, "reference": _row(row_id).reference, "status": "delivered"})
    assert first.status_code == 200 and first.get_json()["outcome"] == DELIVERED
    second = _post(client, app, {"id": notify_id, "reference": _row(row_id).reference, "status": "delivered"})
    assert second.status_code == 200 and second.get_json()["outcome"] is None
    assert _row(row_id).outcome == DELIVERED


def test_a_temporary_failure_sends_it_again_later_under_a_new_reference_then_gives_up_for_the_next_channel(
        app, client):
    row_id, notify_id = _sent_text("discreet_news", {"link": "https://x.test/track"},
                                   fallbacks=[{"channel": "email", "to": "parent@example.org"}])
    reference = _row(row_id).reference
    failed = _post(client, app, {"id": notify_id, "reference": reference, "status": "temporary-failure"})
    assert failed.status_code == 200
    again = _row(row_id)
    assert (again.status, again.outcome, again.round, again.notify_id) == (PENDING, TEMPORARY_FAILURE, 1, None)
    assert again.notify_reference == f"{reference}-r1"
    assert again.next_attempt_at > clock.now()
    # The old send's receipt arriving late changes nothing.
    late = _post(client, app, {"id": notify_id, "reference": reference, "status": "delivered"})
    assert late.get_json()["outcome"] is None
    assert _row(row_id).status == PENDING
    for round_number in range(1, receipts.MAX_ROUNDS):
        row = _row(row_id)
        row.status, row.notify_id, row.outcome = SENT, str(uuid.uuid4()), None  # as the worker sends it again
        db.session.commit()
        answer = _post(client, app, {"id": row.notify_id, "reference": f"{reference}-r{round_number}",
                                     "status": "technical-failure"})
        assert answer.status_code == 200 and answer.get_json()["outcome"] == "technical-failure"
    emails = db.session.query(Message).filter(Message.channel == "email").all()
    assert len(emails) == 1


def test_a_receipt_that_arrives_before_the_worker_kept_notifys_id_is_found_by_reference(app, client):
    row = service.queue(channel="email", to="a@example.org", template="verify_code", personalisation={"code": "1"},
                        language="en")
    row.status = "sending"
    db.session.commit()
    row_id, reference = row.id, row.reference
    notify_id = str(uuid.uuid4())
    assert _post(client, app, {"id": notify_id, "reference": reference, "status": "delivered"}).status_code == 200
    stored = _row(row_id)
    assert stored.outcome == DELIVERED and stored.notify_id == notify_id
    # A temporary failure must wait until the worker has finished with it (Notify sends it again).
    other = service.queue(channel="email", to="b@example.org", template="verify_code", personalisation={"code": "1"},
                          language="en")
    other.status = "sending"
    db.session.commit()
    response = _post(client, app, {"id": str(uuid.uuid4()), "reference": other.reference,
                                   "status": "temporary-failure"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"  # Notify retries a 503
    assert response.get_json()["error"] == "busy" and _row(other.id).outcome is None
    # So must a permanent one: the worker's "sent", written after it, would hide it and its next channel.
    response = _post(client, app, {"id": str(uuid.uuid4()), "reference": other.reference,
                                   "status": "permanent-failure"})
    assert response.status_code == 503 and _row(other.id).outcome is None
    assert db.session.query(Message).filter(Message.channel == "sms").count() == 0  # no next channel yet


def test_a_code_is_forgotten_once_delivered_and_never_sent_again_after_a_temporary_failure(app, client):
    delivered_id, delivered_notify_id = _sent_text()
    _post(client, app, {"id": delivered_notify_id, "reference": _row(delivered_id).reference, "status": "delivered"})
    assert _row(delivered_id).personalisation == {}
    row_id, notify_id = _sent_text(personalisation={"code": "424242"})
    answer = _post(client, app, {"id": notify_id, "reference": _row(row_id).reference, "status": "temporary-failure"})
    assert answer.status_code == 200
    stored = _row(row_id)
    assert stored.status == "failed" and stored.round == 0 and stored.personalisation == {}


def test_a_news_message_failed_for_good_keeps_no_words_after_its_fallback_is_queued(app, client):
    row_id, notify_id = _sent_text("discreet_news", {"link": "https://x.test/track"},
                                   fallbacks=[{"channel": "email", "to": "parent@example.org"}])
    _post(client, app, {"id": notify_id, "reference": _row(row_id).reference, "status": "permanent-failure"})
    assert _row(row_id).personalisation == {}
    email = db.session.query(Message).filter(Message.channel == "email").one()
    assert email.personalisation == {"link": "https://x.test/track"}


def test_the_same_temporary_failure_twice_at_once_queues_one_send_again(app):
    """Notify may deliver a callback twice at once: under the row's lock the second sees the first's
    change (a new round, no Notify id) and is stale, so the message goes once more, not twice."""
    row_id, notify_id = _sent_text("discreet_news", {"link": "https://x.test/track"})
    reference = _row(row_id).reference
    body = {"id": notify_id, "reference": reference, "status": "temporary-failure"}

    def receive():
        applied = receipts.apply(body)
        db.session.commit()
        return applied.outcome

    outcomes = at_once(app, receive, 4)
    assert sorted(map(str, outcomes)) == ["None", "None", "None", TEMPORARY_FAILURE]
    again = _row(row_id)
    assert (again.round, again.status) == (1, PENDING)
