"""Shared fixtures: the app, a fresh database per test, a frozen clock, factories, a live server.

- SQLite (a file per test run, so threads and processes can share it) by default;
  PostgreSQL when TEST_DATABASE_URL is set (one database per xdist worker, made fresh).
- Each test starts with empty tables: rows are deleted after every test.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import exists, literal, select, text, union_all
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.serving import make_server

from tests.helpers import log_watch
from tests.helpers.databases import test_database_url
from webapp import clock, create_app
from webapp.extensions import db as _db
from webapp.extensions import limiter

FROZEN_AT = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)  # Monday 12:00 in London (BST)
DEFAULT_PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Client(FlaskClient):
    """A test client that can send forms with the session's CSRF token, as a browser would."""

    def csrf_token(self) -> str:
        """The token for the current session, read from a page as a script would."""
        page = self.get("/offline").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def forget_csrf(self) -> None:
        """Kept for readability in tests: tokens are read afresh for every form anyway."""

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production, so `g` (the CSRF token, the language)
        # does not leak from one request into the next through the test's own app context.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def post_json(self, url: str, body, method: str = "POST", **kwargs):
        headers = {"X-CSRFToken": self.csrf_token(), **kwargs.pop("headers", {})}
        return self.open(url, method=method, json=body, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory, worker_id) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    url = test_database_url(worker_id, instance)
    application = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": str(instance),
            "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 8192, "parallelism": 1},
            "SERVER_NAME": None,
        },
    )
    application.test_client_class = Client
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables(attempts: int = 5) -> None:
    """Delete every row. On PostgreSQL a request still finishing in the live server can deadlock
    with the emptying (it holds one table and wants the next); PostgreSQL then aborts one of the two,
    so the emptying is tried again once that request is done."""
    for attempt in range(1, attempts + 1):
        try:
            if _db.engine.dialect.name == "postgresql":
                _empty_postgres_tables()
            else:
                for table in reversed(_db.metadata.sorted_tables):
                    _db.session.execute(table.delete())
            _db.session.commit()
            return
        except (OperationalError, IntegrityError):
            _db.session.rollback()
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


_SEQUENCES_OF: dict[str, list[str]] = {}


def _empty_postgres_tables() -> None:
    """Only the tables a test wrote to, children first, their id sequences restarted. TRUNCATE of
    every table costs about a second per test (a new file per table, synced at commit); most tests
    touch a handful of tables, and a DELETE from those takes milliseconds."""
    tables = list(reversed(_db.metadata.sorted_tables))
    probe = union_all(*(select(literal(index)).where(exists(select(literal(1)).select_from(table)))
                        for index, table in enumerate(tables)))
    written = [tables[index] for (index,) in _db.session.execute(probe)]
    if not written:
        return
    if not _SEQUENCES_OF:
        owned = _db.session.execute(text(
            "SELECT t.relname, format('%I', s.relname) FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S'"))
        for table_name, sequence in owned:
            _SEQUENCES_OF.setdefault(table_name, []).append(sequence)
        _SEQUENCES_OF.setdefault("", [])
    for table in sorted(written, key=tables.index):
        _db.session.execute(table.delete())
    for table in written:
        for sequence in _SEQUENCES_OF.get(table.name, []):
            _db.session.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


LOG_WATCH = log_watch.install()


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs() -> Iterator[None]:
    """Every test: whatever it made the app log holds no email, password or typed free text."""
    LOG_WATCH.leaks.clear()
    yield
    if LOG_WATCH.leaks:
        leaks, LOG_WATCH.leaks[:] = list(LOG_WATCH.leaks), []
        pytest.fail("personal data reached the logs:\n" + "\n".join(leaks[:5]))


@pytest.fixture(autouse=True)
def _fresh_state(request) -> Iterator[None]:
    """Every test: an empty database, a running clock, fresh rate limits."""
    if "app" not in request.fixturenames and "live_server" not in request.fixturenames:
        clock.freeze(None)
        yield
        return
    application: Flask = request.getfixturevalue("app")
    clock.freeze(None)
    with application.app_context():
        limiter.reset()
        from webapp.page_cache import forget

        forget()  # pages kept by an earlier test (webapp/page_cache.py)
        yield
        if "live_server" in request.fixturenames:
            request.getfixturevalue("live_server").wait_until_idle()
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
    clock.freeze(None)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def frozen_clock(app):
    """The clock stopped at FROZEN_AT; `clock.advance(...)` moves it."""
    clock.freeze(FROZEN_AT)
    yield clock
    clock.freeze(None)


@pytest.fixture
def make_user(app):
    from webapp.accounts import service
    from webapp.accounts.roles import Role

    counter = iter(range(1, 10_000))

    def factory(role: str | Role = Role.YOUNG_PERSON, email: str | None = None,
                password: str = DEFAULT_PASSWORD, **fields):
        role = str(role)
        user = service.create_user(email=email or f"{role}{next(counter)}@example.org", role=role,
                                   password=password)
        if role == Role.YOUNG_PERSON and "date_of_birth" not in fields:
            from datetime import date

            fields["date_of_birth"] = date(2010, 1, 1)
        for key, value in fields.items():
            setattr(user, key, value)
        _db.session.commit()
        return user

    return factory


@pytest.fixture
def login(app):
    def sign_in(client: Client, user, password: str = DEFAULT_PASSWORD):
        from tests.helpers.two_factor import sign_in as sign_in_with_second_factor

        response = sign_in_with_second_factor(client, user, password)
        client.forget_csrf()  # a new session at sign-in means a new token
        return response

    return sign_in


class LiveServer:
    """The app served on a free port in this process, for the browser tests.

    It counts the connections it is answering, so a test's teardown can wait for the requests
    its browser left running (a background sync, a service worker's fetch) before emptying the
    tables. Counted from the accept, not from the app call, so a request still being read is
    waited for too."""

    def __init__(self, app: Flask):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.open_connections = 0
        self.changed = threading.Condition()
        answer_connection = self.server.process_request_thread
        accept_connection = self.server.process_request

        def accept(request, client_address) -> None:
            self._count(1)
            try:
                accept_connection(request, client_address)
            except BaseException:
                self._count(-1)
                raise

        def answer(request, client_address) -> None:
            try:
                answer_connection(request, client_address)
            finally:
                self._count(-1)

        self.server.process_request = accept
        self.server.process_request_thread = answer
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def _count(self, step: int) -> None:
        with self.changed:
            self.open_connections += step
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """True once no connection is open; False after `timeout` (teardown retries then)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.open_connections == 0, timeout=timeout)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def count_queries(app):
    """`with count_queries() as statements:` the SQL statements the block sent to the database, in order
    (as Indico's `count_queries`): `len(statements)` is how many; print them when a test fails."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def listener(_connection, _cursor, statement, *_args) -> None:
            statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counting


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
