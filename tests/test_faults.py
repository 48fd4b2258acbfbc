"""Faults, with real processes on the real test database (SQLite, or PostgreSQL via TEST_DATABASE_URL).

- A real worker (`flask --app webapp worker`) is killed with SIGKILL while the other system holds
  its request open. Nothing is lost: the row stays "sending", no other worker takes it while the
  claim is fresh, and once the claim has expired (aged in the database here, not slept for) a
  new worker sends it. The front door sees the same Idempotency-Key again and suppresses the
  repeat; a push repeat carries the same Topic and tag, so it replaces rather than adds.
- With the database unreachable (PostgreSQL: nothing listening; SQLite: a file that cannot be opened),
  a real server answers /healthz, every page, API and sign-in with 503 (the friendly page with the way
  to urgent help; JSON with a reason), never 500; urgent help and the offline pages still work; and
  when the database returns (or drops every connection and returns) all is well without a restart.
- After a restart, every delivery and notification left pending or sending by a dead worker is sent.
- A worker whose batch outlives its claim renews it before each send (`outbox.keep_claim`) and
  leaves alone a row another worker has already taken.

The workers run on the real clock, so these tests never freeze it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import time as clock_time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_PASSWORD
from tests.notifications.push_service import LocalPushService
from tests.support.helpers import send
from webapp import clock
from webapp.directory.service import sync_services_from_data
from webapp.extensions import db
from webapp.notifications import devices
from webapp.notifications import service as notifications
from webapp.notifications.models import ScheduledNotification
from webapp.notifications.preferences import update_preferences
from webapp.outbox import CLAIM_EXPIRES_AFTER, PENDING, SENDING, SENT, claim_due, keep_claim, worker_name
from webapp.support.models import FrontDoorDelivery

ROOT = Path(__file__).resolve().parents[1]
SECRET = "faults-webhook-secret"
API_TOKEN = "faults-front-door-api-token"
WAIT = 90  # seconds: the most any step may take on a busy machine before the test gives up
FRONT_DOOR_JOB = "front-door"
PUSH_JOB = "push"


class FrontDoor:
    """A local front-door webhook: checks the signature, suppresses a repeated Idempotency-Key
    (answering 200), and can hold a request open (after or before storing it) until released."""

    def __init__(self) -> None:
        self.keys_seen: list[str] = []  # every correctly signed request's key, repeats included
        self.stored: list[str] = []
        self.duplicates = 0
        self.bad_signatures = 0
        self.hold: str | None = None  # "after-storing" or "before-storing": hold the next request
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        front_door = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = front_door.handle(body, self.headers)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the worker died while we held its request

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/fhir/requests"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, body: bytes, headers) -> int:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("X-Flourish-Signature", ""), expected):
            self.bad_signatures += 1
            return 401
        key = headers.get("Idempotency-Key", "")
        with self.lock:
            hold, self.hold = self.hold, None
            self.keys_seen.append(key)
        if hold == "before-storing":
            self._hold()
            return 503  # never stored: the worker is gone and will send it again
        with self.lock:
            if key in self.stored:
                self.duplicates += 1
                return 200
            self.stored.append(key)
        if hold == "after-storing":
            self._hold()  # stored, but the worker never hears so
        return 201

    def _hold(self) -> None:
        self.arrived.set()
        self.release.wait(timeout=WAIT)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class HoldingPushService(LocalPushService):
    """The local push service (every RFC 8030/8291/8292 check) that can hold messages open until
    released, having accepted them (`accept_held`) or not. The worker sends a batch concurrently,
    so every message that arrives while `holding` is held, not only the first."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.accept_held = False
        self.arrived = threading.Event()
        self.release = threading.Event()

    def handle(self, path, headers, body, peer):
        if not self.holding or self.release.is_set():
            return super().handle(path, headers, body, peer)
        answer = super().handle(path, headers, body, peer) if self.accept_held else (503, {})
        self.arrived.set()
        self.release.wait(timeout=WAIT)
        return answer

    def stop(self) -> None:
        self.release.set()
        super().stop()


@pytest.fixture
def front_door(app) -> Iterator[FrontDoor]:
    receiver = FrontDoor()
    yield receiver
    receiver.stop()


@pytest.fixture
def push(app) -> Iterator[HoldingPushService]:
    service = HoldingPushService().start()
    yield service
    service.stop()


def worker_env(app, front_door: FrontDoor | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLOURISH_", "TEST_DATABASE"))}
    env.update(FLOURISH_ENV="development", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               FLOURISH_INSTANCE_DIR=str(app.config["INSTANCE_DIR"]), SECRET_KEY=app.config["SECRET_KEY"],
               VAPID_PRIVATE_KEY=app.config["VAPID_PRIVATE_KEY"], VAPID_PUBLIC_KEY=app.config["VAPID_PUBLIC_KEY"],
               VAPID_SUBJECT=app.config["VAPID_SUBJECT"], SEALING_KEYS=app.config["SEALING_KEYS"], PYTHONPATH=str(ROOT),
               FRONT_DOOR_WEBHOOK_URL=front_door.url if front_door else "",
               FRONT_DOOR_WEBHOOK_SECRET=SECRET)
    return env


def start_worker(app, front_door: FrontDoor | None = None) -> subprocess.Popen:
    """A real, long-running worker process, as `make run` and production start it."""
    db.session.remove()  # nothing of ours holds the database while the worker works
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "webapp", "worker", "--interval", "0.2"],
                            cwd=ROOT, env=worker_env(app, front_door), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def kill_when(worker: subprocess.Popen, arrived: threading.Event) -> None:
    """SIGKILL the worker once the other system holds its request: no clean-up of any kind runs."""
    if not arrived.wait(timeout=WAIT):
        worker.kill()
        pytest.fail("the worker never sent anything: " + (worker.communicate()[1] or "")[-2000:])
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=WAIT)
    assert worker.returncode == -signal.SIGKILL


def worker_once(app, front_door: FrontDoor | None = None, keep_session: bool = False) -> dict[str, int]:
    """One pass of a new worker (`flask --app webapp worker --once`): how many each job handled."""
    if keep_session:
        db.session.commit()  # this process plays a worker too: its claimed rows stay in its session
    else:
        db.session.remove()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "worker", "--once"], cwd=ROOT,
                          env=worker_env(app, front_door), capture_output=True, text=True, timeout=WAIT * 2)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = {}
    for job in (FRONT_DOOR_JOB, PUSH_JOB):
        counts[job] = int(done.stdout.split(f"{job}=")[1].split()[0])
        assert counts[job] >= 0, done.stderr[-2000:]  # -1: the job failed
    return counts


def age_claims(model) -> int:
    """Make every claim look older than CLAIM_EXPIRES_AFTER, as it will be that long after the crash."""
    stale = clock.now() - CLAIM_EXPIRES_AFTER - timedelta(minutes=1)
    result = db.session.execute(update(model).where(model.status == SENDING).values(claimed_at=stale))
    db.session.commit()
    return result.rowcount


def statuses(model) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(model.status).order_by(model.id)))


def new_request(client) -> str:
    reference, _draft = send(client, "parent")
    db.session.remove()
    return reference


def reminder_for(make_user, push, subject: str):
    """Someone with one subscribed device and one due notification; returns their fake browser."""
    user = make_user()
    update_preferences(user.id, appointment_reminders=True, goal_checkins=True, request_updates=True,
                       discreet=True, quiet_hours=False, quiet_start=clock_time(21), quiet_end=clock_time(8))
    browser = push.new_browser()
    devices.subscribe(user.id, browser.subscription, devices.EndpointRules(False, None))
    notifications.schedule(user_id=user.id, kind="request_update", due_at=clock.now() - timedelta(minutes=1),
                           title="t", body="b", subject_type="support_request", subject_id=subject,
                           url=f"/n/{subject}")
    db.session.commit()
    return browser


@pytest.fixture
def services(app):
    sync_services_from_data()
    db.session.commit()


@pytest.mark.parametrize("hold", ["after-storing", "before-storing"])
def test_a_worker_killed_mid_delivery_loses_nothing_and_the_front_door_stores_it_once(
        app, client, services, front_door, hold):
    reference = new_request(client)
    front_door.hold = hold
    kill_when(start_worker(app, front_door), front_door.arrived)
    assert statuses(FrontDoorDelivery) == [SENDING]  # not lost: still claimed by the dead worker

    front_door.release.set()
    assert worker_once(app, front_door)[FRONT_DOOR_JOB] == 0  # a fresh claim is never taken twice
    assert front_door.keys_seen == [reference]

    assert age_claims(FrontDoorDelivery) == 1
    assert worker_once(app, front_door)[FRONT_DOOR_JOB] == 1
    assert statuses(FrontDoorDelivery) == [SENT]
    assert front_door.keys_seen == [reference, reference]  # the same Idempotency-Key both times
    assert front_door.stored == [reference] and front_door.bad_signatures == 0
    assert front_door.duplicates == (1 if hold == "after-storing" else 0)


@pytest.mark.parametrize("accepted", [False, True], ids=["refused-before-kill", "accepted-before-kill"])
def test_a_worker_killed_mid_push_loses_nothing_and_a_repeat_replaces_the_first(app, make_user, push, accepted):
    browser = reminder_for(make_user, push, "fault-1")
    push.holding, push.accept_held = True, accepted
    kill_when(start_worker(app), push.arrived)
    assert statuses(ScheduledNotification) == [SENDING]

    push.release.set()
    assert worker_once(app)[PUSH_JOB] == 0  # a fresh claim is never taken twice
    assert age_claims(ScheduledNotification) == 1
    assert worker_once(app)[PUSH_JOB] == 1
    assert statuses(ScheduledNotification) == [SENT]

    got = push.for_browser(browser)
    assert [m.payload["url"] for m in got] == ["/n/fault-1"] * (2 if accepted else 1)
    # Web Push has no idempotency key. A repeat after a crash has the same Topic (the push service
    # keeps only the newest of an undelivered pair) and the same tag (the phone shows one).
    assert len({(m.headers["topic"], m.payload["tag"]) for m in got}) == 1
    assert not push.refused


def test_after_a_crash_every_pending_and_half_sent_row_is_sent_by_a_new_worker(
        app, client, services, make_user, front_door, push):
    references = [new_request(client) for _ in range(3)]
    browsers = [reminder_for(make_user, push, f"resume-{n}") for n in range(3)]
    push.holding = True  # the worker dies sending the first push: every push is claimed, no request sent
    kill_when(start_worker(app, front_door), push.arrived)
    assert statuses(ScheduledNotification) == [SENDING] * 3
    assert statuses(FrontDoorDelivery) == [PENDING] * 3
    push.release.set()

    age_claims(ScheduledNotification)
    done = worker_once(app, front_door)
    assert done == {FRONT_DOOR_JOB: 3, PUSH_JOB: 3}
    assert statuses(ScheduledNotification) == [SENT] * 3 and statuses(FrontDoorDelivery) == [SENT] * 3
    assert sorted(front_door.stored) == sorted(references) and front_door.duplicates == 0
    assert [[m.payload["url"] for m in push.for_browser(b)] for b in browsers] == [
        [f"/n/resume-{n}"] for n in range(3)]


def set_claim_age(model, age: timedelta) -> None:
    db.session.execute(update(model).where(model.status == SENDING).values(claimed_at=clock.now() - age))
    db.session.commit()


def test_a_slow_batch_keeps_its_claims_and_never_sends_what_another_worker_took(
        app, client, services, front_door):
    """This process is worker A, part way through a slow batch; a real worker B runs meanwhile."""
    first, second = new_request(client), new_request(client)
    rows = claim_due(FrontDoorDelivery)
    assert [row.idempotency_key for row in rows] == [first, second]
    set_claim_age(FrontDoorDelivery, CLAIM_EXPIRES_AFTER * 0.8)  # the batch has run slowly
    for row in rows:
        db.session.refresh(row)

    assert keep_claim(rows[0])  # still A's: renewed before A sends it
    db.session.expire_all()
    assert clock.now() - db.session.get(FrontDoorDelivery, rows[0].id).claimed_at < timedelta(minutes=1)
    set_claim_age(FrontDoorDelivery, CLAIM_EXPIRES_AFTER * 0.2)  # ... then B sees row 1 fresh, row 2 stale
    db.session.execute(update(FrontDoorDelivery).where(FrontDoorDelivery.id == rows[1].id)
                       .values(claimed_at=clock.now() - CLAIM_EXPIRES_AFTER - timedelta(minutes=1)))
    db.session.commit()

    assert worker_once(app, front_door, keep_session=True)[FRONT_DOOR_JOB] == 1
    assert front_door.stored == [second]  # B took the stale claim, and only that
    assert keep_claim(rows[0]) and not keep_claim(rows[1])  # so A sends the first and leaves the second
    assert statuses(FrontDoorDelivery) == [SENDING, SENT]
    assert db.session.scalar(select(FrontDoorDelivery.claimed_by).order_by(FrontDoorDelivery.id)) == worker_name()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(tmp_path, **settings: str) -> Iterator[str]:
    """A real gunicorn server, as `make run` starts it (one process), with these settings."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLOURISH_", "TEST_DATABASE"))}
    env.update(FLOURISH_ENV="development", FLOURISH_INSTANCE_DIR=str(tmp_path), PYTHONPATH=str(ROOT),
               WEB_CONCURRENCY="1", **settings)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
                               "webapp:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(WAIT * 5):
            try:
                requests.get(f"{url}/offline", timeout=WAIT)  # gunicorn listens before its worker is ready
                break
            except (requests.ConnectionError, requests.Timeout):
                if server.poll() is not None:
                    pytest.fail("the server did not start: " + server.communicate()[1][-2000:])
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=WAIT)


class Switchable:
    """A database the test can take away and give back while a real server uses it: PostgreSQL behind
    a TCP relay that refuses connections (and cuts the open ones) while down; SQLite at a path that
    is a directory while down, the real file (a copy of the test database) while up."""

    def __init__(self, app_url: str, tmp_path: Path) -> None:
        self.source = make_url(app_url)
        self.kind = self.source.get_backend_name()
        self.up = threading.Event()
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        if self.kind == "sqlite":
            self.path = tmp_path / "switchable" / "flourish.db"
            self.path.mkdir(parents=True)  # a directory: "unable to open database file"
            self.url = f"sqlite:///{self.path}"
            return
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = self.source.set(host="127.0.0.1", port=self.listener.getsockname()[1]).render_as_string(
            hide_password=False)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()  # as a database that is not there: the connection ends at once
                continue
            upstream = socket.create_connection((self.source.host or "127.0.0.1", self.source.port or 5432))
            with self.lock:
                self.connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def bring_up(self) -> None:
        if self.kind == "sqlite":
            self.path.rmdir()
            with sqlite3.connect(self.source.database) as original, sqlite3.connect(self.path) as copy:
                original.backup(copy)
        self.up.set()

    def take_down(self) -> None:
        self.up.clear()
        if self.kind == "sqlite":
            self.path.unlink()
            self.path.mkdir()
            return
        with self.lock:
            for connection in self.connections:  # the database went away under every open connection
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def close(self) -> None:
        if self.kind != "sqlite":
            self.take_down()
            self.listener.close()


@pytest.fixture
def switchable_database(app, tmp_path) -> Iterator[Switchable]:
    database = Switchable(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def server_without_database(switchable_database, tmp_path) -> Iterator[str]:
    """Its database does not answer (on the test's own kind of database)."""
    with gunicorn_server(tmp_path, DATABASE_URL=switchable_database.url, FRONT_DOOR_API_TOKEN=API_TOKEN) as url:
        yield url


def assert_told_honestly(answer: requests.Response) -> None:
    """503, never 500: the friendly page with the way to urgent help, or JSON with a reason; no internals."""
    assert answer.status_code == 503, (answer.request.method, answer.url, answer.status_code)
    assert int(answer.headers["Retry-After"]) > 0
    assert "Traceback" not in answer.text and "psycopg" not in answer.text and "OperationalError" not in answer.text
    if "/api/" in answer.url:
        assert answer.json()["error"] == "database_unavailable" and answer.json()["reason"]
    else:
        assert "text/html" in answer.headers["Content-Type"]
        assert "Sorry, something went wrong on our side" in answer.text
        assert 'href="/help-now"' in answer.text  # the way to urgent help is on the error page


def sign_in(browser: requests.Session, url: str, email: str, password: str = DEFAULT_PASSWORD) -> requests.Response:
    form = browser.get(f"{url}/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text).group(1)
    return browser.post(f"{url}/login", timeout=30, allow_redirects=False,
                        data={"csrf_token": token, "email": email, "password": password})


def test_with_redis_for_rate_limits_unreachable_sign_in_still_works_and_is_still_limited(app, tmp_path, make_user):
    """The documented several-instance set-up (RATELIMIT_STORAGE_URI=redis://...) with Redis down:
    nobody is refused for it, and limits count in the process until it is back."""
    user = make_user(email="limited@example.org")
    redis_down = f"redis://127.0.0.1:{_free_port()}/0"
    with gunicorn_server(tmp_path, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_STORAGE_URI=redis_down) as url:
        browser = requests.Session()
        form = browser.get(f"{url}/login", timeout=30)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text).group(1)
        answers = [browser.post(f"{url}/login", timeout=30, allow_redirects=False, data={
            "csrf_token": token, "email": user.email, "password": "not the password at all"}) for _ in range(10)]
    statuses = [answer.status_code for answer in answers]
    # three tries free, then waits that double (1, 2, 4 ... seconds): most of ten quick tries must wait
    assert statuses[:3] == [400] * 3 and statuses.count(429) >= 4, statuses
    assert "The email address or password is not right." in answers[0].text
    slowed = answers[statuses.index(429)]
    assert "Too many tries" in slowed.text and int(slowed.headers["Retry-After"]) >= 1


def test_with_the_database_unreachable_healthz_pages_apis_and_sign_in_are_503_and_friendly(server_without_database):
    url = server_without_database
    health = requests.get(f"{url}/healthz", timeout=30)
    assert health.status_code == 503 and health.json() == {"status": "unavailable"}

    assert_told_honestly(requests.get(f"{url}/waits", timeout=30))  # an ordinary page that reads the database
    assert_told_honestly(requests.get(f"{url}/api/v1/waits", timeout=30))
    front_door = {"Authorization": f"Bearer {API_TOKEN}"}
    assert_told_honestly(requests.get(f"{url}/api/v1/front-door/requests", headers=front_door, timeout=30))
    assert_told_honestly(requests.get(f"{url}/api/v1/front-door/requests/FL-ABCD-1234", headers=front_door,
                                      timeout=30))
    assert_told_honestly(sign_in(requests.Session(), url, "someone@example.org"))

    help_now = requests.get(f"{url}/help-now", timeout=30)
    assert help_now.status_code == 200 and "111, then option 2" in help_now.text  # urgent help needs no database
    assert requests.get(f"{url}/offline", timeout=30).status_code == 200
    pack = requests.get(f"{url}/offline-pack.json?lang=en", timeout=30)
    assert pack.status_code == 200 and "/help-now?lang=en" in pack.text  # the kept pages can still be kept


def test_when_the_database_goes_and_returns_everything_recovers_without_a_restart(
        app, make_user, switchable_database, tmp_path):
    user = make_user(email="through-an-outage@example.org")
    database = switchable_database
    with gunicorn_server(tmp_path, DATABASE_URL=database.url, FRONT_DOOR_API_TOKEN=API_TOKEN) as url:
        browser = requests.Session()
        assert_told_honestly(browser.get(f"{url}/waits", timeout=30))  # down from the start

        database.bring_up()  # it returns: no restart
        assert browser.get(f"{url}/waits", timeout=30).status_code == 200
        assert sign_in(browser, url, user.email).status_code == 303
        assert browser.get(f"{url}/goals", timeout=30).status_code == 200
        assert requests.get(f"{url}/healthz", timeout=30).json() == {"status": "ok"}

        if database.kind == "sqlite":
            return  # an open SQLite connection keeps the file it opened: the next test takes it away in-process
        database.take_down()  # it goes away under the server's open connections
        assert_told_honestly(browser.get(f"{url}/goals", timeout=30))  # signed in: still the friendly page
        assert_told_honestly(browser.get(f"{url}/api/v1/waits", timeout=30))
        help_now = browser.get(f"{url}/help-now", timeout=30)
        assert help_now.status_code == 200 and "111, then option 2" in help_now.text  # signed in, urgent help

        database.bring_up()  # and returns again
        assert browser.get(f"{url}/goals", timeout=30).status_code == 200  # still signed in
        assert requests.get(f"{url}/api/v1/waits", timeout=30).status_code == 200
        assert requests.get(f"{url}/api/v1/front-door/requests", timeout=30,
                            headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code == 200
        assert requests.get(f"{url}/healthz", timeout=30).json() == {"status": "ok"}


def test_signed_in_through_an_outage_urgent_help_still_shows_and_every_other_page_is_503(
        app, client, make_user, login, tmp_path, monkeypatch):
    """In-process, on either database: every new connection fails (the engine points at a database
    that is not there), as in an outage, with someone signed in."""
    login(client, make_user())
    assert client.get("/goals/").status_code == 200
    kind = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    (tmp_path / "gone.db").mkdir()
    dead = create_engine(f"postgresql+psycopg://flourish@127.0.0.1:{_free_port()}/flourish" if kind == "postgresql"
                         else f"sqlite:///{tmp_path / 'gone.db'}", pool_pre_ping=True)
    monkeypatch.setitem(db._app_engines[app], None, dead)

    for path in ("/goals/", "/waits", "/settings/notifications", "/request-support/my-requests"):
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.status_code)
        assert answer.headers["Retry-After"] and answer.headers["Cache-Control"] == "no-store"
        page = answer.get_data(as_text=True)
        assert "Sorry, something went wrong on our side" in page and 'href="/help-now"' in page
    api = client.get("/api/v1/waits")
    assert api.status_code == 503 and api.json["error"] == "database_unavailable" and api.json["reason"]
    help_now = client.get("/help-now")
    assert help_now.status_code == 200 and "111, then option 2" in help_now.get_data(as_text=True)
    assert client.get("/offline").status_code == 200 and client.get("/goals/offline").status_code == 200

    monkeypatch.undo()  # it returns: the same session goes on, nothing restarted
    dead.dispose()
    assert client.get("/goals/").status_code == 200
