"""Pieces every data-growth benchmark shares: a fresh scratch database, and timing a call."""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine, make_url


def fresh_postgres_database(url: str) -> None:
    """Drop and create the database `url` names (benchmarks fill it from nothing)."""
    from tests.helpers.databases import recreate_postgres_database

    parsed = make_url(url)
    recreate_postgres_database(parsed, parsed.database)


def fresh_app(url: str):
    """An app (test settings, no rate limits) on a PostgreSQL database at `url` made anew, its tables created."""
    import tempfile

    from webapp import create_app
    from webapp.extensions import db

    fresh_postgres_database(url)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tempfile.mkdtemp(),
                                 "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
    return app


def scratch_database_url(scratch: str) -> str:
    """The database a benchmark that runs on either fills from nothing: the PostgreSQL database
    BENCH_DATABASE_URL names (dropped and made again), or else a new SQLite file in the folder `scratch`."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{scratch}/bench.db"
    from config import normalise_database_url

    url = make_url(normalise_database_url(url)).render_as_string(hide_password=False)
    fresh_postgres_database(url)
    return url


def database_name(engine: Engine) -> str:
    """"PostgreSQL 15.8" or "SQLite 3.40.1": which database, and which version, a run used."""
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect():  # the version is known once a connection has been made
        version = engine.dialect.server_version_info or ()
    name = {"postgresql": "PostgreSQL"}.get(engine.dialect.name, engine.dialect.name)
    return f"{name} {'.'.join(str(part) for part in version)}".strip()


def median_and_p95_ms(fn: Callable[[], object], repeats: int, warmups: int = 3,
                      setup: Callable[[], object] | None = None) -> tuple[float, float]:
    """Call `fn` a few times to warm up, then `repeats` times: the median and 95th percentile in ms.
    `setup`, if given, runs before each call and is not timed (e.g. emptying the session's cache)."""
    for _ in range(warmups):
        if setup is not None:
            setup()
        fn()
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
