"""Which database the tests use: a SQLite file, or a fresh PostgreSQL database per xdist worker; and an
empty one for the tests that build the schema by migrating (`fresh_url`)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_database_url


def test_database_url(worker_id: str, tmp_dir: Path) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    url = make_url(normalise_database_url(base))
    if worker_id in ("master", ""):
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{worker_id}"
    recreate_postgres_database(url, name)
    return url.set(database=name).render_as_string(hide_password=False)


def recreate_postgres_database(url, name: str) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def fresh_url(tmp_path, worker_id):
    """An empty database for building the schema with the migrations: a new SQLite file, or a
    PostgreSQL database of the worker's own (dropped and made again)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    url = make_url(normalise_database_url(base))
    name = f"{url.database}_migrations_{worker_id}"
    recreate_postgres_database(url, name)
    return url.set(database=name).render_as_string(hide_password=False)
