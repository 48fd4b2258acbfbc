"""Issue 16, item 4: a cluster, proven. Two gunicorn instances and three workers on one PostgreSQL
database, rate limits in Redis, a local push service and a local front-door webhook; mixed traffic
across both instances for a bounded time (bookings racing for the last places, requests for support,
concurrent got-worse reports, push reminders, front-door deliveries and pulls). Then: nobody
overbooked, no duplicate sessions or deliveries, no lost updates, every record delivered once, rate
limits shared across the instances. The figures are printed (`pytest -s`, or `make cluster-test`).

On SQLite it is skipped (a cluster shares a PostgreSQL server); it runs in the PostgreSQL half of
`.ci/run` and needs Redis at CLUSTER_REDIS_URL (default redis://127.0.0.1:6379/14, emptied first).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_PASSWORD
from tests.notifications.push_service import LocalPushService
from tests.support.conftest import Receiver
from tests.support.helpers import STEP_DATA, steps_for
from webapp import clock
from webapp.bookings import places, sessions
from webapp.bookings.models import BOOKED, Booking, DropInSession, Slot
from webapp.directory.service import sync_services_from_data
from webapp.extensions import db
from webapp.notifications import devices
from webapp.notifications import service as notifications
from webapp.support.models import FrontDoorDelivery, RequestUpdate, SupportRequest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET, TOKEN = "cluster-webhook-secret", "cluster-front-door-api-token"
START_WITHIN = 120  # seconds for the five processes to start on a busy machine
DRAIN_WITHIN = 45  # seconds for the workers to send everything due
PLACES, BOOKERS, SUPPORT_REQUESTS, WORSE_REPORTS, REMINDERS = 3, 6, 3, 3, 6
TRACK_LIMIT = 10  # /track: 10 failed looks per 15 minutes per address (webapp/support/requester_routes.py)
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
DRAFT_FIELD = re.compile(r'name="draft" value="([^"]+)"')


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_or_fail() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        pytest.fail(f"The cluster test shares rate limits through Redis at {REDIS_URL} and it does not answer "
                    f"({type(error).__name__}). Start Redis (apt-get install redis-server) or set CLUSTER_REDIS_URL.")


class Cluster:
    """The processes, with one environment: the same database, instance secrets and Redis."""

    def __init__(self, database_url: str, instance: Path, webhook: str) -> None:
        from flask import Flask

        from webapp.instance_secrets import ensure_instance_secrets

        ensure_instance_secrets(Flask("cluster-secrets"), instance)  # once, before five processes read them
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("FLOURISH_", "TEST_DATABASE"))}
        self.env.update(FLOURISH_ENV="development", FLOURISH_INSTANCE_DIR=str(instance), PYTHONPATH=str(ROOT),
                        DATABASE_URL=database_url, RATELIMIT_STORAGE_URI=REDIS_URL, WEB_CONCURRENCY="1",
                        GUNICORN_THREADS="4", FRONT_DOOR_WEBHOOK_URL=webhook, FRONT_DOOR_WEBHOOK_SECRET=SECRET,
                        FRONT_DOOR_API_TOKEN=TOKEN, FRONT_DOOR_TIMEOUT_SECONDS="5", WORKER_INTERVAL_SECONDS="0.3")
        self.processes: list[subprocess.Popen] = []
        self.urls: list[str] = []
        self.log_dir = instance

    def _start(self, name: str, args: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.processes.append(subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def start(self, instances: int = 2, workers: int = 3) -> None:
        for index in range(instances):
            port = _free_port()
            self._start(f"web{index}", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                        "-b", f"127.0.0.1:{port}", "webapp:create_app()"])
            self.urls.append(f"http://127.0.0.1:{port}")
        for index in range(workers):
            self._start(f"worker{index}", [sys.executable, "-m", "flask", "--app", "webapp", "worker"])
        deadline = time.monotonic() + START_WITHIN
        for url in self.urls:
            while True:
                with suppress(requests.RequestException):
                    if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                    pytest.fail("the cluster did not start:\n" + self.logs())
                time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-1500:]}"
                         for path in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def instance(self, index: int) -> str:
        return self.urls[index % len(self.urls)]


@contextmanager
def running_cluster(database_url: str, instance: Path, webhook: str) -> Iterator[Cluster]:
    cluster = Cluster(database_url, instance, webhook)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _token(page: requests.Response, pattern: re.Pattern = CSRF_INPUT) -> str:
    found = pattern.search(page.text)
    assert found, (page.status_code, page.url)
    return found.group(1)


def sign_in(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(f"{url}/login", timeout=30, allow_redirects=False, data={
        "csrf_token": _token(browser.get(f"{url}/login", timeout=30)), "email": email, "password": DEFAULT_PASSWORD})
    assert answer.status_code == 303, answer.status_code
    return browser


def ask_for_support(cluster: Cluster, number: int) -> str:
    """The whole form, each step on the other instance from the one before. Returns the reference."""
    browser = requests.Session()

    def post(step: int, path: str, data: dict) -> requests.Response:
        url = cluster.instance(number + step)
        token = _token(browser.get(f"{url}/offline", timeout=30), CSRF_META)
        return browser.post(f"{url}{path}", data={"csrf_token": token, **data}, timeout=30, allow_redirects=False)

    assert post(0, "/request-support/", {}).status_code == 303
    for step, name in enumerate(steps_for("parent"), start=1):
        answer = post(step, f"/request-support/{name}", STEP_DATA[name]("parent"))
        assert answer.status_code == 303, (name, answer.status_code)
    check = browser.get(f"{cluster.instance(number)}/request-support/check", timeout=30)
    sent = post(number + 1, "/request-support/check", {"draft": _token(check, DRAFT_FIELD)})
    assert sent.status_code == 303, sent.status_code
    return sent.headers["Location"].rsplit("/", 1)[1]


def at_once(count: int, work) -> list:
    """`work(index)` in `count` threads released together; each result, or the exception raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def postgres_only(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("the cluster test needs PostgreSQL: a cluster of instances and workers shares one database "
                    "server (run with TEST_DATABASE_URL=postgresql://..., as .ci/run and make cluster-test do)")
    _redis_or_fail()
    return url.render_as_string(hide_password=False)


def _setup(app, make_user, client, login):
    """In-process, before the cluster starts: services, a drop-in with 3 places and a weekly series,
    bookers, someone with a request, phones with a reminder due."""
    sync_services_from_data()
    places.load_bases()
    db.session.commit()
    admin = make_user(role="admin")
    base = places.all_bases()[0]
    day = clock.today_local() + timedelta(days=7)
    made = sessions.create(admin, sessions.SessionDraft(base.id, day, time_of_day(16), time_of_day(16, 30),
                                                        30, PLACES, "Drop-in chat", "young_people", repeat_weeks=2))
    db.session.commit()
    slot_id = made[0].slots[0].id
    bookers = [make_user(role="young_person").email for _ in range(BOOKERS)]
    worried = make_user(role="young_person")
    login(client, worried)
    from tests.support.helpers import send

    reference = send(client, "young_person")[0]
    return slot_id, bookers, worried.email, reference


def _phones_with_a_reminder_due(push: LocalPushService, make_user) -> list:
    phones = []
    for _ in range(REMINDERS):
        person = make_user()
        phone = push.new_browser()
        devices.subscribe(person.id, phone.subscription, devices.EndpointRules(False, None),
                          "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36")
        notifications.schedule(user_id=person.id, kind="appointment_reminder", due_at=clock.now(), title="Drop-in",
                               body="Your drop-in is soon.", url="/bookings/mine")
        phones.append(phone)
    db.session.commit()
    return phones


def _wait_until(done, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.3)
    return done()


def test_a_cluster_of_two_instances_and_three_workers_keeps_every_promise(
        app, postgres_only, tmp_path, make_user, client, login):
    slot_id, bookers, worried, first_reference = _setup(app, make_user, client, login)
    with ExitStack() as stack:
        receiver = Receiver(SECRET)
        stack.callback(receiver.stop)
        push = LocalPushService().start()
        stack.callback(push.stop)
        phones = _phones_with_a_reminder_due(push, make_user)
        began = time.monotonic()
        cluster = stack.enter_context(running_cluster(postgres_only, tmp_path, receiver.url))
        started = time.monotonic()

        # Bookings racing for the last places: each person signs in on one instance and books on the other.
        def book(index: int) -> int:
            browser = sign_in(cluster.instance(index), bookers[index])
            url = cluster.instance(index + 1)
            page = browser.get(f"{url}/bookings/slots/{slot_id}/book", timeout=30)
            return browser.post(f"{url}/bookings/slots/{slot_id}/book", data={"csrf_token": _token(page)},
                                timeout=30, allow_redirects=False).status_code

        # Got-worse reports at the same moment, for one request, through both instances.
        def worse(index: int) -> int:
            browser = sign_in(cluster.instance(index), worried)
            url = cluster.instance(index + 1)
            page = browser.get(f"{url}/request-support/my-requests/{first_reference}", timeout=30)
            return browser.post(f"{url}/request-support/my-requests/{first_reference}/worse", timeout=30,
                                allow_redirects=False,
                                data={"csrf_token": _token(page), "what_changed": f"Worse again ({index})"}).status_code

        pulls: list[int] = []
        stop_pulling = threading.Event()

        def pull() -> None:
            index = 0
            while not stop_pulling.is_set():
                pulls.append(requests.get(f"{cluster.instance(index)}/api/v1/front-door/requests", timeout=30,
                                          headers={"Authorization": f"Bearer {TOKEN}"}).status_code)
                index += 1
                time.sleep(0.1)

        puller = threading.Thread(target=pull)
        puller.start()
        try:
            traffic = at_once(3, lambda part: [
                lambda: at_once(BOOKERS, book),
                lambda: at_once(SUPPORT_REQUESTS, lambda index: ask_for_support(cluster, index)),
                lambda: at_once(WORSE_REPORTS, worse)][part]())
        finally:
            stop_pulling.set()
            puller.join(timeout=60)
        booked, references, worse_reports = traffic
        for outcome in traffic:
            assert not isinstance(outcome, Exception), outcome

        # Rate limits shared: failed /track looks alternate between the instances; the limit is counted once.
        looker = requests.Session()
        track = [looker.post(f"{cluster.instance(index)}/track", timeout=30, allow_redirects=False, data={
            "csrf_token": _token(looker.get(f"{cluster.instance(index)}/offline", timeout=30), CSRF_META),
            "reference": "FL-AAAA-AAAA", "date_of_birth": "2010-01-01"}).status_code
            for index in range(TRACK_LIMIT + 2)]
        traffic_seconds, start_seconds = time.monotonic() - started, started - began

        expected_keys = lambda: set(db.session.scalars(select(FrontDoorDelivery.idempotency_key)))  # noqa: E731
        drained = _wait_until(lambda: (db.session.remove() or True) and expected_keys() <= receiver.keys
                              and all(push.for_browser(phone) for phone in phones), DRAIN_WITHIN)
        drain_seconds = time.monotonic() - started - traffic_seconds
        logs = cluster.logs()
    db.session.remove()

    # The figures.
    bookings = db.session.scalars(select(Booking).where(Booking.slot_id == slot_id, Booking.status == BOOKED)).all()
    slot = db.session.get(Slot, slot_id)
    sessions_made = list(db.session.execute(select(DropInSession.series_id, DropInSession.local_date)))
    updates = db.session.scalar(select(func.count()).select_from(RequestUpdate).join(SupportRequest).where(
        SupportRequest.reference == first_reference, RequestUpdate.kind == "worse"))
    deliveries = db.session.scalars(select(FrontDoorDelivery)).all()
    print(f"\ncluster: 2 instances, 3 workers; started in {start_seconds:.1f} s; traffic {traffic_seconds:.1f} s; "
          f"drained in {drain_seconds:.1f} s; "
          f"bookings {booked} -> {len(bookings)} booked of {PLACES} places; "
          f"requests sent {len(references)}; got-worse {worse_reports} -> {updates} kept; "
          f"deliveries {len(deliveries)} -> received {len(receiver.received)}, repeats {receiver.duplicates}; "
          f"push {sum(len(push.for_browser(p)) for p in phones)} of {REMINDERS}; pulls {len(pulls)} "
          f"({pulls.count(200)} ok); /track {track}; sessions {len(sessions_made)}")

    assert drained, "the workers did not send everything due in time:\n" + logs
    # nobody overbooked, and the last places all went
    assert booked.count(303) == PLACES and len(bookings) == PLACES, booked
    assert all(status in (303, 409) for status in booked), booked
    assert slot.booked == PLACES and slot.booked + slot.held <= slot.places
    # no duplicate sessions (three workers extended the series)
    assert len(sessions_made) == len(set(sessions_made))
    # no lost updates: every got-worse report kept, each its own delivery
    assert worse_reports == [200] * WORSE_REPORTS, worse_reports  # "we have told the front door"
    assert updates == WORSE_REPORTS
    # every record delivered once: the first, the new requests and each update
    assert len(references) == len(set(references)) == SUPPORT_REQUESTS
    assert len(deliveries) == 1 + SUPPORT_REQUESTS + WORSE_REPORTS
    assert receiver.keys == {row.idempotency_key for row in deliveries} and receiver.duplicates == 0
    assert len(receiver.received) == len(deliveries) and receiver.bad_signatures == 0
    assert all(row.status == "sent" for row in deliveries)
    # push reminders: each phone got its reminder once
    assert [len(push.for_browser(phone)) for phone in phones] == [1] * REMINDERS
    # pulls answered on both instances throughout
    assert pulls and set(pulls) == {200}
    # rate limits shared across the instances: the limit reached after TRACK_LIMIT failed looks in all
    assert track.count(429) == 2 and 429 not in track[:TRACK_LIMIT], track
