"""Plain statistics over waits, in days. No database, no Flask: easy to check by hand.

Methods (chosen so every figure shown is one a real person actually waited, never interpolated):
- `median`: the middle value; for an even count, the mean of the two middle values.
- `percentile`: nearest rank. The p-th percentile of n sorted values is the value at rank
  ceil(p/100 * n) (1-based). For 10 values the 90th percentile is the 9th smallest.
Both return None for no data, so "no figure" is never mistaken for "no wait".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# 80% interval: the 10th and 90th percentiles of a normal distribution are mean -/+ Z80 * sd.
Z80 = 1.2815515655446004


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (0 < p <= 100)."""
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered) - 1e-9))
    return float(ordered[rank - 1])


def mean_and_sd(values: Sequence[float]) -> tuple[float, float] | None:
    """The mean and the sample standard deviation (0 for a single value)."""
    if not values:
        return None
    mean = sum(values) / len(values)
    if len(values) == 1:
        return mean, 0.0
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance)


@dataclass(frozen=True)
class WeeksRange:
    low: int
    high: int


def weeks_until_nth_start(place: int, weekly_starts: Sequence[int], max_weeks: int = 156) -> WeeksRange | None:
    """An 80% interval for how many weeks until the `place`-th person in the queue starts.

    The starts over the next n weeks are modelled as the sum of n weeks like the recent ones:
    mean n*m, standard deviation sd*sqrt(n) (normal approximation). The optimistic end is the
    first n at which even a good run (the 90th percentile) reaches `place`; the pessimistic end
    the first n at which a poor run (the 10th percentile) does. Returns None when no one started
    in those weeks (no rate to go on). `high` is capped at `max_weeks`.
    """
    stats = mean_and_sd([float(v) for v in weekly_starts])
    if place < 1 or stats is None or stats[0] <= 0:
        return None
    mean, sd = stats

    def first_week(sign: float) -> int:
        for n in range(1, max_weeks + 1):
            if n * mean + sign * Z80 * sd * math.sqrt(n) >= place:
                return n
        return max_weeks

    return WeeksRange(low=first_week(+1), high=first_week(-1))


def days_to_weeks(days: float) -> int:
    """Whole weeks, rounded half up (10.5 days -> 2 weeks), so 3 days reads as 0 weeks."""
    return int(math.floor(days / 7 + 0.5))
