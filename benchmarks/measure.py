"""Pieces every data-growth benchmark shares: a fresh PostgreSQL database, and timing a call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sqlalchemy.engine import make_url


def fresh_postgres_database(url: str) -> None:
    """Drop and create the database `url` names (benchmarks fill it from nothing)."""
    from tests.helpers.databases import recreate_postgres_database

    parsed = make_url(url)
    recreate_postgres_database(parsed, parsed.database)


def median_and_p95_ms(fn: Callable[[], object], repeats: int, warmups: int = 3) -> tuple[float, float]:
    """Call `fn` a few times to warm up, then `repeats` times: the median and 95th percentile in ms."""
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
