"""The status API refuses, never breaks: hostile text, the transition rules, Idempotency-Key.

Runs on the database the suite runs on (SQLite by default, PostgreSQL with TEST_DATABASE_URL): the
concurrency test races real transactions, one app context (session, connection) per thread.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.helpers import send
from webapp import clock
from webapp.extensions import db
from webapp.notifications.models import ScheduledNotification
from webapp.retention import apply_retention
from webapp.support import status_rules
from webapp.support.models import (
    ALLOCATED,
    CLOSED,
    FIRST_APPOINTMENT,
    MORE_INFORMATION_NEEDED,
    RECEIVED,
    STATUSES,
    RequestStatusEvent,
    StatusIdempotencyKey,
    SupportRequest,
)
from webapp.support.service import API_STATUSES, NOTE_LIMIT, TEXT_FIELDS

BASE = "/api/v1/front-door/requests"
# (value, words the reason must use)
HOSTILE = {
    "NUL": ("before\x00after", "U+0000"),
    "escape": ("\x1b[31mred", "control character"),
    "DEL": ("delete\x7f", "control character"),
    "C1 next line": ("line\x85line", "control character"),
    "lone high surrogate": ("\ud800", "surrogate"),
    "lone low surrogate": ("text\udfff", "surrogate"),
    "right-to-left override": ("invoice\u202egnp.exe", "bidirectional"),
    "left-to-right isolate": ("\u2066hidden\u2069", "bidirectional"),
    "10,000 characters": ("x" * 10_000, "at most"),
}
THREADS = 10


def _post(client, reference: str, payload, key: str | None = None):
    """The body as bytes (json.dumps escapes a lone surrogate, as a real client's JSON would)."""
    headers = {"Authorization": f"Bearer {client.application.config['FRONT_DOOR_API_TOKEN']}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"{BASE}/{reference}/status", headers=headers, data=json.dumps(payload),
                       content_type="application/json")


def _request(reference: str) -> SupportRequest:
    db.session.expire_all()
    return db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))


def _events(reference: str) -> list[str]:
    req = _request(reference)
    return list(db.session.scalars(select(RequestStatusEvent.status).where(RequestStatusEvent.request_id == req.id)
                                   .order_by(RequestStatusEvent.id)))


def _count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def _put_at(reference: str, status: str) -> None:
    """Set the request's status directly, so each rule is tested on its own."""
    req = _request(reference)
    req.status = status
    if status in (ALLOCATED, FIRST_APPOINTMENT):
        req.service_id = "point-1"
    db.session.commit()


def _news_for(status: str) -> dict:
    """A payload the API accepts for `status` when the rules allow the move: it always brings news."""
    payload = {"status": status, "note_for_requester": f"Now {status}."}
    if status == MORE_INFORMATION_NEEDED:
        payload["question"] = "Which school year is Jamie in?"
    if status == ALLOCATED:
        payload["service_id"] = "point-1"
    return payload


def _unprocessable(response, field: str) -> str:
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body["error"] == "unprocessable" and body["field"] == field and body["reason"], body
    return body["reason"]


# -- hostile text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("hostile", HOSTILE, ids=list(HOSTILE))
def test_every_hostile_string_in_every_text_field_is_a_422_with_the_field_and_reason(client, services, api_token,
                                                                                   field, hostile):
    reference, _ = send(client, "parent")
    value, words = HOSTILE[hostile]
    response = _post(client, reference, {"status": "triaged", field: value})
    assert words in _unprocessable(response, field)
    assert _request(reference).status == RECEIVED and _events(reference) == [RECEIVED]


def test_a_note_just_over_the_limit_is_refused_and_one_at_it_accepted(client, services, api_token):
    reference, _ = send(client, "parent")
    over = _post(client, reference, {"status": "triaged", "note_for_requester": "x" * (NOTE_LIMIT + 1)})
    assert str(NOTE_LIMIT) in _unprocessable(over, "note_for_requester")
    assert _post(client, reference, {"status": "triaged", "note_for_requester": "x" * NOTE_LIMIT}).status_code == 200


def test_ordinary_text_in_any_language_is_kept(client, services, api_token):
    """Tab, newline and carriage return, emoji, and the right-to-left mark Arabic and Urdu need are fine."""
    reference, _ = send(client, "parent")
    note = "Line one\r\nLine two\tand a tab 😀 مرحبا\u200f بك"
    response = _post(client, reference, {"status": "triaged", "note_for_requester": note})
    assert response.status_code == 200, response.get_json()
    event = db.session.scalar(select(RequestStatusEvent).order_by(RequestStatusEvent.id.desc()))
    assert event.note_for_requester == note


# -- the transition rules ---------------------------------------------------------------------------

def test_the_rules_cover_every_status_and_never_send_a_request_back_to_received():
    assert set(status_rules.TRANSITIONS) == set(STATUSES)
    assert all(set(targets) <= set(API_STATUSES) for targets in status_rules.TRANSITIONS.values())
    assert status_rules.allowed_next(CLOSED) == ()
    assert set(status_rules.REOPEN_TO) <= set(API_STATUSES) and CLOSED not in status_rules.REOPEN_TO


@pytest.mark.parametrize(("current", "new"), [(c, n) for c in STATUSES for n in API_STATUSES],
                         ids=lambda value: value)
def test_each_move_is_allowed_or_refused_as_the_rules_table_says(client, services, api_token, current, new):
    reference, _ = send(client, "parent")
    _put_at(reference, current)
    response = _post(client, reference, _news_for(new))
    if new in status_rules.allowed_next(current):
        assert response.status_code == 200, response.get_json()
        assert _request(reference).status == new and _events(reference) == [RECEIVED, new]
    else:
        assert current in _unprocessable(response, "status")
        assert _request(reference).status == current and _events(reference) == [RECEIVED]


def test_a_closed_request_is_not_moved_without_an_explicit_reopen(client, services, api_token):
    reference, _ = send(client, "parent")
    assert _post(client, reference, {"status": "closed"}).status_code == 200
    reason = _unprocessable(_post(client, reference, {"status": "triaged"}), "status")
    assert "reopen" in reason
    assert _request(reference).status == CLOSED and _events(reference) == [RECEIVED, CLOSED]


def test_a_closed_request_reopened_explicitly_moves_on_with_an_event(client, services, api_token):
    from webapp.audit import AuditEvent

    reference, _ = send(client, "parent")
    _post(client, reference, {"status": "closed"})
    response = _post(client, reference, {"status": "triaged", "reopen": True})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "triaged" and response.get_json()["event_at"]
    assert _request(reference).status == "triaged" and _events(reference) == [RECEIVED, CLOSED, "triaged"]
    assert _count(AuditEvent, action="support_request.reopened") == 1


@pytest.mark.parametrize("new", API_STATUSES)
def test_a_reopen_goes_only_to_the_front_doors_own_work(client, services, api_token, new):
    reference, _ = send(client, "parent")
    _put_at(reference, CLOSED)
    response = _post(client, reference, {**_news_for(new), "reopen": True})
    if new in status_rules.REOPEN_TO:
        assert response.status_code == 200 and _events(reference) == [RECEIVED, new]
    else:
        assert "reopen" in _unprocessable(response, "status") and _events(reference) == [RECEIVED]


@pytest.mark.parametrize(("payload", "field"), [
    ({"status": "triaged", "reopen": True}, "reopen"),  # not closed
    ({"status": "triaged", "reopen": "yes"}, "reopen"),
    ({"reopen": True, "wait_note": "Extra clinics", "service_id": "point-1"}, "reopen"),  # no status
])
def test_a_reopen_that_makes_no_sense_is_refused(client, services, api_token, payload, field):
    reference, _ = send(client, "parent")
    assert _unprocessable(_post(client, reference, payload), field)
    assert _events(reference) == [RECEIVED]


def test_the_same_status_again_needs_news(client, services, api_token):
    reference, _ = send(client, "parent")
    first = {"status": "allocated", "service_id": "point-1", "note_for_requester": "On the Point 1 list."}
    assert _post(client, reference, first).status_code == 200
    assert "already allocated" in _unprocessable(_post(client, reference, first), "status")  # the same note
    assert _unprocessable(_post(client, reference, {"status": "allocated"}), "status")  # nothing at all
    assert _post(client, reference, {"status": "allocated", "service_id": "point-1"}).status_code == 422  # same one
    news = _post(client, reference, {"status": "allocated", "note_for_requester": "Moved up the list."})
    assert news.status_code == 200
    elsewhere = _post(client, reference, {"status": "allocated", "service_id": "kooth"})  # another service
    assert elsewhere.status_code == 200 and _request(reference).service_id == "kooth"
    assert _events(reference) == [RECEIVED, ALLOCATED, ALLOCATED, ALLOCATED]


# -- Idempotency-Key --------------------------------------------------------------------------------

def test_a_replayed_post_is_answered_again_and_changes_nothing(client, services, api_token, make_user, login):
    user = make_user(role="parent")
    login(client, user)
    reference, _ = send(client, "parent")
    payload = {"status": "triaged", "note_for_requester": "A clinician has read it."}
    first = _post(client, reference, payload, key="ifd-7f3a")
    replay = _post(client, reference, payload, key="ifd-7f3a")
    assert first.status_code == replay.status_code == 200
    assert "Idempotent-Replayed" not in first.headers and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert _events(reference) == [RECEIVED, "triaged"]
    assert _count(ScheduledNotification, user_id=user.id) == 1
    assert _count(StatusIdempotencyKey) == 1


def test_the_same_key_with_a_different_body_is_refused(client, services, api_token):
    reference, _ = send(client, "parent")
    assert _post(client, reference, {"status": "triaged"}, key="ifd-1").status_code == 200
    response = _post(client, reference, {"status": "closed"}, key="ifd-1")
    assert "different body" in _unprocessable(response, "Idempotency-Key")
    assert _request(reference).status == "triaged" and _events(reference) == [RECEIVED, "triaged"]


def test_a_key_belongs_to_the_request_it_was_first_used_with(client, services, api_token):
    first, _ = send(client, "parent")
    second, _ = send(client.application.test_client(), "professional")
    assert _post(client, first, {"status": "triaged"}, key="ifd-2").status_code == 200
    response = _post(client, second, {"status": "triaged"}, key="ifd-2")
    assert "another request" in _unprocessable(response, "Idempotency-Key")
    assert _request(second).status == RECEIVED and _events(second) == [RECEIVED]


def test_a_refused_post_is_not_remembered_so_its_key_can_be_sent_again(client, services, api_token):
    reference, _ = send(client, "parent")
    _unprocessable(_post(client, reference, {"status": "allocated"}, key="ifd-3"), "service_id")
    assert _count(StatusIdempotencyKey) == 0
    response = _post(client, reference, {"status": "allocated", "service_id": "point-1"}, key="ifd-3")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers


@pytest.mark.parametrize("key", ["", "x" * 201, "clé", "tab\there", "\x7f"], ids=["empty", "201 characters",
                                                                                 "not ascii", "tab", "DEL"])
def test_a_key_that_is_not_1_to_200_printable_ascii_characters_is_refused(client, services, api_token, key):
    reference, _ = send(client, "parent")
    assert "printable ASCII" in _unprocessable(_post(client, reference, {"status": "triaged"}, key=key),
                                               "Idempotency-Key")
    assert _events(reference) == [RECEIVED]


def test_a_key_of_200_printable_characters_is_fine(client, services, api_token):
    reference, _ = send(client, "parent")
    key = ("abc-XYZ_0 9~!" * 20)[:200]
    assert _post(client, reference, {"status": "triaged"}, key=key).status_code == 200
    assert _post(client, reference, {"status": "triaged"}, key=key).headers["Idempotent-Replayed"] == "true"


def test_ten_posts_with_one_key_at_once_take_effect_once(app, client, services, api_token, make_user, login):
    """Ten deliveries of the same POST at the same moment, each its own client, session and connection:
    one status event, one notification, and every one answered the same."""
    user = make_user(role="parent")
    login(client, user)
    reference, _ = send(client, "parent")
    payload = {"status": "triaged", "note_for_requester": "A clinician has read it."}
    db.session.remove()
    barrier = threading.Barrier(THREADS)
    answers: list[object] = [None] * THREADS

    def deliver(index: int) -> None:
        own = app.test_client()
        barrier.wait()
        try:
            answers[index] = _post(own, reference, payload, key="ifd-concurrent")
        except Exception as error:  # noqa: BLE001 - reported by the test
            answers[index] = error

    threads = [threading.Thread(target=deliver, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(getattr(a, "status_code", None) == 200 for a in answers), answers
    assert sum("Idempotent-Replayed" not in a.headers for a in answers) == 1
    assert len({a.get_data() for a in answers}) == 1
    assert _events(reference) == [RECEIVED, "triaged"]
    assert _count(ScheduledNotification, user_id=user.id) == 1
    assert _count(StatusIdempotencyKey) == 1


def test_keys_are_deleted_after_seven_days(client, services, api_token, frozen_clock):
    reference, _ = send(client, "parent")
    assert _post(client, reference, {"status": "triaged"}, key="ifd-old").status_code == 200
    clock.advance(timedelta(days=2))
    assert _post(client, reference, {"status": "closed"}, key="ifd-newer").status_code == 200
    clock.advance(timedelta(days=5, hours=1))  # the first is 7 days and an hour old, the second 5 days
    apply_retention()
    db.session.commit()
    assert set(db.session.scalars(select(StatusIdempotencyKey.key))) == {"ifd-newer"}
