"""Nothing written is lost: twenty updates to one request at the same moment are all stored, all in the
record the front door gets, and each delivered once.

Runs on the suite's database: a SQLite file shared by the threads by default, PostgreSQL with
TEST_DATABASE_URL. Each thread has its own test client (its own browser, as it were) or app context,
so its own session and connection.
"""

from __future__ import annotations

import json
import threading

from sqlalchemy import select

from tests.support.helpers import send
from webapp.extensions import db
from webapp.support import delivery, service
from webapp.support.models import FrontDoorDelivery, RequestUpdate, RiskSignal, SupportRequest

THREADS = 20


def _all_at_once(actions) -> list[object]:
    """Run every action at the same moment; each result is what it returned, or the exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _tracking_client(app, reference: str):
    browser = app.test_client()
    response = browser.post_form("/track", {"reference": reference, "date_of_birth": "2012-03-27"})
    assert response.status_code == 303
    return browser


def _record_texts(bundle: dict) -> list[str]:
    items = next(e["resource"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "QuestionnaireResponse")["item"]
    return [item["answer"][0]["valueString"] for item in items if item["linkId"].startswith("update-")]


def test_twenty_got_worse_reports_at_once_are_all_kept_recorded_and_delivered_once(app, services, receiver):
    reference, _ = send(app.test_client(), "parent")
    browsers = [_tracking_client(app, reference) for _ in range(THREADS)]
    texts = [f"Report {n}: things are worse" for n in range(THREADS)]

    def report(browser, text):
        return lambda: browser.post_form(f"/track/{reference}/worse", {"what_changed": text}).status_code

    results = _all_at_once([report(b, t) for b, t in zip(browsers, texts, strict=True)])

    assert results == [200] * THREADS  # everyone was thanked, and ...
    db.session.expire_all()
    req = db.session.scalar(select(SupportRequest).where(SupportRequest.reference == reference))
    stored = db.session.scalars(select(RequestUpdate.text).where(RequestUpdate.request_id == req.id)).all()
    assert sorted(stored) == sorted(texts)  # ... every report was kept
    signals = db.session.scalars(select(RiskSignal).where(RiskSignal.request_id == req.id)).all()
    assert len(signals) == THREADS and all(s.kind == "worse" and s.reviewed_at is None for s in signals)
    assert sorted(_record_texts(json.loads(req.fhir_record))) == sorted(texts)  # the pull API's record has all

    keys = db.session.scalars(select(FrontDoorDelivery.idempotency_key)
                              .where(FrontDoorDelivery.request_id == req.id)).all()
    assert sorted(keys) == sorted([reference] + [f"{reference}-U{n}" for n in range(1, THREADS + 1)])
    while delivery.deliver_due():
        pass
    assert receiver.duplicates == 0 and sorted(r["key"] for r in receiver.received) == sorted(keys)
    last = next(r for r in receiver.received if r["key"] == f"{reference}-U{THREADS}")
    assert sorted(_record_texts(last["bundle"])) == sorted(texts)  # the last update carries every report


def test_reports_and_status_changes_at_once_lose_nothing(app, services):
    """Half report things are worse, half are the front door's status changes with a note: every one is
    stored, every note is on the timeline, and the record holds every report."""
    reference, _ = send(app.test_client(), "parent")
    browsers = [_tracking_client(app, reference) for _ in range(THREADS // 2)]

    def report(browser, n):
        return lambda: browser.post_form(f"/track/{reference}/worse",
                                         {"what_changed": f"Worse {n}"}).status_code

    def note(n):
        def action():
            with app.app_context():
                try:
                    req = service.by_reference(reference)
                    service.move(req, "triaged", actor="ifd_api", note=f"Note {n}", deliver=False)
                    db.session.commit()
                    return 200
                finally:
                    db.session.remove()
        return action

    actions = [report(b, n) for n, b in enumerate(browsers)] + [note(n) for n in range(THREADS // 2)]
    results = _all_at_once(actions)

    assert results == [200] * THREADS
    db.session.expire_all()
    req = service.by_reference(reference)
    assert sorted(u.text for u in req.updates) == sorted(f"Worse {n}" for n in range(THREADS // 2))
    notes = [e.note_for_requester for e in req.events if e.note_for_requester]
    assert sorted(notes) == sorted(f"Note {n}" for n in range(THREADS // 2))
    assert sorted(_record_texts(json.loads(req.fhir_record))) == sorted(f"Worse {n}" for n in range(THREADS // 2))
