"""Column types and small helpers shared by every package's models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.types import String, TypeDecorator

# The database is down, unreachable or saturated (no pooled connection came free in time): an outage,
# answered 503 (`webapp/core/errors.py`), never a fault in our code.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)


def works_without_database(view):
    """Mark a view that must answer while the database is down (urgent help, the offline pages): who
    is signed in is then not asked of the database, and the page shows as it does to anyone."""
    view.works_without_database = True
    return view


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, PostgreSQL does; this makes both behave the same, and refuses naive
    datetimes so a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use webapp.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on foreign keys (so deleting an account cascades) and WAL for concurrent readers."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def sealing_keys() -> MultiFernet:
    """The keys secrets at rest are sealed with: `SEALING_KEYS`, comma-separated Fernet keys.

    The first seals; every one opens, so a new key can be put first and the old one dropped once
    `flask reseal-secrets` has sealed everything again with the new one.
    """
    from flask import current_app

    keys = [key.strip() for key in (current_app.config.get("SEALING_KEYS") or "").split(",") if key.strip()]
    if not keys:
        raise RuntimeError("SEALING_KEYS is not set: secrets at rest cannot be sealed or opened")
    return MultiFernet([Fernet(key) for key in keys])


class SealedString(TypeDecorator):
    """A short secret stored encrypted (Fernet: AES-128-CBC and HMAC-SHA256), read back in the clear.

    A copy of the database alone (a backup, a dump) then holds no usable authenticator keys.
    """

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else sealing_keys().encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else sealing_keys().decrypt(value.encode()).decode()


def one_of(column, ids: list[int]):
    """`column IN (ids)`; on PostgreSQL `column = ANY(:ids)`, one array parameter, so the statement
    is the same short one for any number of ids (a long IN list is parsed afresh every time)."""
    from sqlalchemy import ARRAY, Integer, any_, bindparam

    from webapp.extensions import db

    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def assign_fields(row, values: dict, names) -> None:
    """Set on `row` each of `names` that `values` holds: values a service has already checked."""
    for name in names:
        if name in values:
            setattr(row, name, values[name])


def _advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock's 64-bit key for `name`."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _take_lock(name: str, wait: bool, timeout: timedelta | None = None) -> bool:
    """PostgreSQL: a transaction-level advisory lock keyed by `name`, released at commit or rollback;
    waited for (up to `timeout` when given, then OperationalError: the database's 503), or tried once.
    SQLite has one writer at a time: an UPDATE that changes nothing takes the write lock until commit
    (waiting up to the busy timeout), and whatever is read after it is the latest."""
    from sqlalchemy import text

    from webapp.extensions import db

    if db.engine.dialect.name == "postgresql":
        if wait and timeout is not None:
            db.session.execute(text("SELECT set_config('lock_timeout', :ms, true)"),
                               {"ms": f"{int(timeout.total_seconds() * 1000)}ms"})
        if wait:
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _advisory_key(name)})
            return True
        return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _advisory_key(name)}))
    db.session.execute(text("UPDATE worker_heartbeats SET worker = worker WHERE 1 = 0"))
    return True


def hold_job_lock(name: str) -> bool:
    """Take this transaction's lock for a job that must run once per pass across every worker and app
    instance; False when another worker holds it (that worker is doing the pass now)."""
    return _take_lock(name, wait=False)


def wait_for_job_lock(name: str, timeout: timedelta | None = None) -> None:
    """Wait for (up to `timeout`), then hold until commit or rollback, a job's lock: for a page that
    must do a job's work itself (nothing to show until it is done) and must not do it at the same
    time as a worker."""
    _take_lock(name, wait=True, timeout=timeout)


def wait_for_key_lock(name: str) -> None:
    """Wait for, then hold until commit or rollback, this transaction's lock on `name` (e.g. one
    address): two transactions that check and then write for the same key (a limit per address) go one
    after the other, across every worker and app instance, so neither decides on a count the other is
    about to change. Keys never share a lock with jobs (`key:` before the name)."""
    _take_lock(f"key:{name}", wait=True)
