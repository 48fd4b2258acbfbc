"""A page that must compute the wait figures itself (the first time, or when no worker has kept them
fresh for hours) holds the worker's lock as the worker does, so two refreshes never run at once: the
older figures can never be published after the newer ones, and the first figures are made once."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text

from tests.support.conftest import services  # noqa: F401 - fixture
from tests.support.helpers import send
from webapp import clock
from webapp.database import hold_job_lock
from webapp.extensions import db
from webapp.waits import service as waits
from webapp.waits.models import WaitFigureChange, WaitSnapshot


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two connections with transactions open at once: SQLite has one writer at a time anyway")


def _changes() -> int:
    return db.session.scalar(select(func.count()).select_from(WaitFigureChange))


def test_figures_no_worker_kept_fresh_are_computed_by_the_page(app, services, frozen_clock):  # noqa: F811
    waits.refresh_snapshot()
    db.session.commit()
    stale_at = clock.now()
    send(app.test_client(), "parent")
    clock.advance(waits.TOO_OLD_TO_SHOW + timedelta(minutes=1))
    assert waits.current_snapshot().computed_at > stale_at
    assert not waits.changed_since_refresh()


def test_while_a_worker_refreshes_the_page_shows_what_there_is_at_once(app, services, frozen_clock):  # noqa: F811
    """The worker holds the lock mid-refresh: the page neither waits nor refreshes alongside it, and the
    changes the worker is taking stay until the worker commits."""
    _postgresql_only()
    waits.refresh_snapshot()
    db.session.commit()
    stale_at = clock.now()
    send(app.test_client(), "parent")
    clock.advance(waits.TOO_OLD_TO_SHOW + timedelta(minutes=1))

    with ExitStack() as stack:
        stack.enter_context(app.app_context())  # the worker, mid-pass
        assert hold_job_lock(waits.REFRESH_JOB)
        waits.refresh_snapshot()
        db.session.flush()
        worker = db.session()
        with app.app_context():  # a person opening /waits
            db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert waits.current_snapshot().computed_at == stale_at
            assert _changes() >= 1  # not taken by the page: the worker's pass has them
            db.session.rollback()
        worker.commit()

    db.session.expire_all()
    assert waits.current_snapshot().computed_at == clock.now()
    assert not waits.changed_since_refresh()


def test_the_first_figures_are_made_once_when_a_worker_and_a_page_start_together(
        app, services, frozen_clock):  # noqa: F811
    """No figures yet: the worker is making them, and the page waits for them rather than making them
    a second time alongside (or inserting the one snapshot row twice)."""
    _postgresql_only()
    send(app.test_client(), "parent")
    db.session.execute(delete(WaitSnapshot))
    db.session.commit()
    seen: dict[str, object] = {}

    def a_person_opens_the_page() -> None:
        try:
            with app.app_context():
                seen["computed_at"] = waits.current_snapshot().computed_at
        except Exception as error:  # noqa: BLE001 - the failure is the finding
            seen["error"] = error

    with app.app_context():  # the worker, mid-pass
        assert hold_job_lock(waits.REFRESH_JOB)
        made_at = waits.refresh_snapshot().computed_at
        db.session.flush()
        clock.advance(timedelta(seconds=5))  # figures made again by the page would carry this time
        person = threading.Thread(target=a_person_opens_the_page)
        person.start()
        person.join(timeout=1)
        assert person.is_alive()  # waiting for the worker's figures
        db.session.commit()
    person.join(timeout=10)

    assert "error" not in seen, seen.get("error")
    assert seen["computed_at"] == made_at
    assert db.session.scalar(select(func.count()).select_from(WaitSnapshot)) == 1
