"""The statistics, checked by hand on small made-up data."""

from __future__ import annotations

import pytest

from webapp.waits.service import days_to_weeks, mean_and_sd, median, percentile, weeks_until_nth_start
from webapp.waits.stats import WeeksRange


def test_median_odd_count_is_the_middle_value():
    assert median([5, 1, 3]) == 3


def test_median_even_count_is_the_mean_of_the_two_middle_values():
    assert median([4, 1, 3, 2]) == 2.5


def test_median_with_ties():
    assert median([2, 2, 2, 5]) == 2
    assert median([1, 3, 3, 3, 9]) == 3


def test_median_of_one_and_of_none():
    assert median([7]) == 7
    assert median([]) is None


def test_percentile_is_nearest_rank():
    ten = list(range(1, 11))
    assert percentile(ten, 90) == 9  # rank ceil(0.9 * 10) = 9
    assert percentile(ten, 10) == 1
    assert percentile(ten, 100) == 10
    assert percentile([1, 2, 3, 4, 5], 90) == 5  # rank ceil(4.5) = 5
    assert percentile([10, 20, 30, 40], 50) == 20  # rank 2: a value someone waited, not 25


def test_percentile_with_ties_one_value_and_none():
    assert percentile([3, 3, 3, 9], 90) == 9  # rank ceil(3.6) = 4
    assert percentile([3, 3, 3, 9], 75) == 3  # rank 3
    assert percentile([12.5], 90) == 12.5
    assert percentile([], 90) is None


def test_percentile_does_not_depend_on_order():
    assert percentile([9, 1, 5, 3, 7], 90) == percentile([1, 3, 5, 7, 9], 90) == 9


def test_percentile_rejects_nonsense():
    with pytest.raises(ValueError):
        percentile([1], 0)


def test_mean_and_sample_sd():
    assert mean_and_sd([2, 4, 4, 4, 5, 5, 7, 9]) == (5.0, pytest.approx(2.138, abs=1e-3))
    assert mean_and_sd([4]) == (4.0, 0.0)
    assert mean_and_sd([]) is None


def test_steady_starts_give_an_exact_range():
    assert weeks_until_nth_start(10, [5] * 12) == WeeksRange(2, 2)
    assert weeks_until_nth_start(11, [5] * 12) == WeeksRange(3, 3)
    assert weeks_until_nth_start(1, [5] * 12) == WeeksRange(1, 1)


def test_uneven_starts_widen_the_range():
    # mean 5, sample sd sqrt(12 * 9 / 11) = 3.133; z = 1.2816
    # optimistic: n=2 gives 10 + 5.68 >= 10. pessimistic: n=3 gives 15 - 6.95 < 10, n=4 gives 20 - 8.03 >= 10.
    assert weeks_until_nth_start(10, [2, 8] * 6) == WeeksRange(2, 4)


def test_no_starts_means_no_estimate():
    assert weeks_until_nth_start(3, [0] * 12) is None
    assert weeks_until_nth_start(3, []) is None


def test_a_very_long_queue_is_capped_not_invented():
    assert weeks_until_nth_start(10_000, [1] * 12).high == 156


def test_days_to_weeks_rounds_half_up():
    assert days_to_weeks(3) == 0
    assert days_to_weeks(3.5) == 1
    assert days_to_weeks(10.5) == 2
    assert days_to_weeks(24) == 3
