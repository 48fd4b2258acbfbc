"""Front-door delivery never holds anything back: a front door that hangs costs a worker pass at most
the job's budget and one record's timeout, push reminders and waiting-list offers still go in that
pass, records not yet tried stay unclaimed, urgent records go first, and no database transaction is
open while the front door is asked."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import create_engine, select, text

from tests.bookings.conftest import admin, bases, norwich, publish  # noqa: F401 - fixtures
from tests.notifications.conftest import device, push_service  # noqa: F401 - fixtures
from tests.support.conftest import WEBHOOK_SECRET, Receiver
from tests.support.helpers import send
from webapp import clock
from webapp.bookings import service as bookings
from webapp.bookings import waiting_list
from webapp.extensions import db
from webapp.notifications import service as notifications
from webapp.notifications.models import ScheduledNotification
from webapp.outbox import PENDING, SENT
from webapp.support import delivery
from webapp.support.models import FrontDoorDelivery
from webapp.worker import run_once

HANG_SECONDS = 60  # the front door answers nothing for a minute (released when the test ends)
TIMEOUT_SECONDS = 0.3  # each record waits this long for an answer
BUDGET_SECONDS = 0.5  # the front-door job's budget per pass


class HangingFrontDoor:
    """A webhook that accepts the connection and then says nothing (until released)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked: list[str] = []
        door = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                door.asked.append(self.headers.get("Idempotency-Key", ""))
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                door.release.wait(HANG_SECONDS)
                try:
                    self.send_response(201)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the worker gave up waiting long ago

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/fhir/requests"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hanging_front_door(app, monkeypatch):
    door = HangingFrontDoor()
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_URL", door.url)
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "FRONT_DOOR_TIMEOUT_SECONDS", TIMEOUT_SECONDS)
    registry = app.extensions["flourish_jobs"]
    monkeypatch.setitem(registry, "front-door",
                        dataclasses.replace(registry["front-door"], budget=timedelta(seconds=BUDGET_SECONDS)))
    yield door
    door.stop()


def _deliveries() -> list[FrontDoorDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(FrontDoorDelivery).order_by(FrontDoorDelivery.id)))


def _place_offer_waiting(publish, norwich, make_user, device):  # noqa: F811 - fixtures passed in
    """A one-place drop-in, booked; someone waiting with a phone; the booker cancels: a place offer is due."""
    session = publish(norwich, date(2026, 6, 16), "16:00", "16:30", 30, 1)[0]
    booker = make_user(role="young_person")
    bookings.book(booker, session.slots[0].id)
    waiting = make_user(role="young_person")
    phone = device(waiting)
    entry = waiting_list.join(waiting, session.slots[0].id)
    db.session.commit()
    bookings.cancel(booker, bookings.my_bookings(booker.id)[0].id)
    db.session.commit()
    return entry, phone


def test_a_front_door_that_hangs_holds_back_no_reminder_no_place_offer_and_no_other_record(
        app, client, services, hanging_front_door, frozen_clock, make_user, device, push_service,  # noqa: F811
        publish, norwich):  # noqa: F811
    references = [send(client, "parent")[0] for _ in range(4)]
    someone = make_user()
    reminders_phone = device(someone)
    notifications.schedule(user_id=someone.id, kind="appointment_reminder", due_at=clock.now(), title="Drop-in",
                           body="Your drop-in is soon.", url="/bookings/my/1")
    db.session.commit()
    entry, offer_phone = _place_offer_waiting(publish, norwich, make_user, device)

    # The front door's job first in the pass, so it has every chance to hold the others back.
    results = run_once(app, ["front-door", "place-offers", "push"])

    assert 1 <= len(hanging_front_door.asked) <= 2, hanging_front_door.asked  # stopped by its budget
    assert results["front-door"] == 0
    # The reminder and the place offer went out in the same pass, while the front door still hung.
    assert push_service.for_browser(reminders_phone) and push_service.for_browser(offer_phone)
    assert not hanging_front_door.release.is_set()
    sent = db.session.scalars(select(ScheduledNotification.kind).where(
        ScheduledNotification.status == SENT)).all()
    assert {"appointment_reminder", "place_offer"} <= set(sent)
    # Nothing was left claimed: each record tried timed out and waits for its retry; the rest were
    # never claimed, so another worker (or the next pass) can send them at once.
    rows = _deliveries()
    tried = [row for row in rows if row.idempotency_key in hanging_front_door.asked]
    untried = [row for row in rows if row.idempotency_key not in hanging_front_door.asked]
    assert all(row.status == PENDING and row.last_error == "ReadTimeout" and row.attempts == 1 for row in tried)
    assert untried and all(row.status == PENDING and row.claimed_by is None and row.attempts == 0 for row in untried)

    # The front door comes back: every record is delivered, once.
    receiver = Receiver(WEBHOOK_SECRET)
    try:
        app.config["FRONT_DOOR_WEBHOOK_URL"] = receiver.url
        clock.advance(timedelta(minutes=1))
        for _ in range(4):
            run_once(app, ["front-door"])
        assert sorted(got["key"] for got in receiver.received) == sorted(references)
        assert receiver.duplicates == 0 and all(row.status == SENT for row in _deliveries())
    finally:
        receiver.stop()


def test_urgent_records_go_to_the_front_door_before_routine_ones(client, services, receiver, frozen_clock):
    routine = [send(client, "parent")[0] for _ in range(2)]
    urgent = send(client, "parent", {"safety": {"risk_unsafe_tonight": "yes"}})[0]
    assert delivery.deliver_due() == 3
    assert [got["key"] for got in receiver.received] == [urgent, *routine]


class CheckingReceiver(Receiver):
    """The webhook checks, while it is being asked, what the database shows from outside: the record's
    claim committed, and (PostgreSQL) no connection left idle in a transaction."""

    def __init__(self, secret: str, database_url: str) -> None:
        super().__init__(secret)
        self.engine = create_engine(database_url)
        self.seen: list[tuple[str, int]] = []

    def handle(self, body: bytes, headers) -> int:
        with self.engine.connect() as connection:
            status = connection.scalar(text("SELECT status FROM front_door_deliveries WHERE idempotency_key = :key"),
                                       {"key": headers.get("Idempotency-Key")})
            idle_in_transaction = 0
            if connection.dialect.name == "postgresql":
                idle_in_transaction = connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))
        self.seen.append((status, idle_in_transaction))
        return super().handle(body, headers)


def test_no_database_transaction_is_open_while_the_front_door_is_asked(app, client, services, frozen_clock,
                                                                      monkeypatch):
    checking = CheckingReceiver(WEBHOOK_SECRET, app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_URL", checking.url)
    monkeypatch.setitem(app.config, "FRONT_DOOR_WEBHOOK_SECRET", WEBHOOK_SECRET)
    real_post = requests.post
    in_transaction: list[bool] = []

    def post(*args, **kwargs):
        in_transaction.append(db.session().in_transaction())
        return real_post(*args, **kwargs)

    monkeypatch.setattr(delivery.requests, "post", post)
    try:
        send(client, "parent")
        send(client, "young_person", {"safety": {"risk_self_harm": "yes"}})
        assert run_once(app, ["front-door"])["front-door"] == 2
    finally:
        checking.stop()
        checking.engine.dispose()
    assert in_transaction == [False, False]
    assert checking.seen == [("sending", 0), ("sending", 0)]  # claimed and committed; nothing idle in a transaction
    assert all(row.status == SENT for row in _deliveries())
