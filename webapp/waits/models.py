"""The precomputed picture of waits: one row, refreshed by the worker, and the changes since.

Reading one row keeps /waits and /api/v1/waits fast however many requests there are; the
arithmetic over every request and status event happens in `service.refresh_snapshot()`.
A change to what the figures count adds a `WaitFigureChange` row (`service.figures_changed`): nothing
a support write does touches the snapshot row, so support writes never queue behind one another
(or behind a refresh) on it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

SNAPSHOT_ID = 1


class WaitSnapshot(db.Model):
    __tablename__ = "wait_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # See `service.compute_payload` for the shape (per service: counts, waits in days, weeks).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


class WaitFigureChange(db.Model):
    """A request sent or a status event recorded since the figures were last computed: appended in
    the writer's transaction (never an update, so it waits on no one), deleted by the refresh that
    counts it. Any row here means the figures are out of date."""

    __tablename__ = "wait_figure_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
