"""Connection pooling settings (docs/deploy.md, "Connection pooling"): pool sizes from the environment,
and behind PgBouncer in transaction mode no server-side prepared statements."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import engine_options


def test_pool_sizes_and_pgbouncer_come_from_the_environment(monkeypatch):
    for name in ("DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "DATABASE_PGBOUNCER"):
        monkeypatch.delenv(name, raising=False)
    assert engine_options() == {"pool_pre_ping": True}
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "2")
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    assert engine_options() == {"pool_pre_ping": True, "pool_size": 3, "max_overflow": 2,
                                "connect_args": {"prepare_threshold": None}}


def _prepared_after_repeats(url, **options) -> int:
    engine = create_engine(url, **options)
    try:
        with engine.connect() as connection:
            for _ in range(8):  # psycopg prepares a statement on the server after five runs
                connection.execute(text("SELECT count(*) FROM worker_heartbeats WHERE worker = :w"), {"w": "x"})
            return connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    finally:
        engine.dispose()


def test_behind_pgbouncer_psycopg_prepares_no_statement_on_the_server(app, monkeypatch):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    assert _prepared_after_repeats(url) > 0  # what breaks in transaction mode: prepared on one server connection
    assert _prepared_after_repeats(url, **{k: v for k, v in engine_options().items() if k != "pool_pre_ping"}) == 0
