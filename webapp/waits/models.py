"""The precomputed picture of waits: one row, refreshed by the worker and marked stale on change.

Reading one row keeps /waits and /api/v1/waits fast however many requests there are; the
arithmetic over every request and status event happens in `service.refresh_snapshot()`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.database import UTCDateTime
from webapp.extensions import db

SNAPSHOT_ID = 1


class WaitSnapshot(db.Model):
    __tablename__ = "wait_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Set when a request or status event changes after `computed_at`; the worker then refreshes.
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    # See `service.compute_payload` for the shape (per service: counts, waits in days, weeks).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
