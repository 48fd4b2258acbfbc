"""The compact trend charts: whole-number geometry, one path per series, labels that stay inside."""

from __future__ import annotations

import re

import pytest

from webapp.waits.charts import BAR, HEIGHT, PLOT_HEIGHT, SLOT, TOP, chart, nice_ceiling


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20),
                                                 (45, 50), (51, 100), (120, 200), (999, 1000)])
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == expected


def _line_points(path: str) -> list[tuple[int, int]]:
    start, steps = re.fullmatch(r"M(\d+) (\d+)l(.*)", path).group(1, 2), path.split("l", 1)[1]
    numbers = [int(n) for n in re.findall(r"-?\d+", steps)]
    points = [(int(start[0]), int(start[1]))]
    for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
        points.append((points[-1][0] + dx, points[-1][1] + dy))
    return points


def test_the_line_is_one_path_of_relative_steps_through_every_week():
    values = [0, 5, 10, 20, 15, 20]
    c = chart(values, kind="line")
    assert c.top_value == 20 and c.bottom == TOP + PLOT_HEIGHT
    points = _line_points(c.path)
    assert [x for x, _y in points] == [c.left + SLOT // 2 + i * SLOT for i in range(len(values))]
    assert [y for _x, y in points] == [c.bottom - round(PLOT_HEIGHT * v / 20) for v in values]
    assert "." not in c.path  # whole numbers only


def test_bars_are_one_outline_with_a_bar_for_each_week():
    values = [4, 0, 10, 1]
    c = chart(values, kind="bars")
    assert c.top_value == 10
    tops = [int(y) for y in re.findall(r"V(\d+)h" + str(BAR), c.path)]
    assert tops == [c.bottom - round(PLOT_HEIGHT * 0.4), c.bottom, TOP, c.bottom - round(PLOT_HEIGHT * 0.1)]
    assert c.path.startswith(f"M{c.left + (SLOT - BAR) // 2} {c.bottom}V")
    assert "." not in c.path


def test_a_tiny_week_still_shows_a_bar():
    c = chart([1000, 1], kind="bars")
    assert f"V{c.bottom - 1}h{BAR}" in c.path


def test_ticks_label_every_eighth_week_back_from_the_latest_which_ends_at_the_edge():
    c = chart(list(range(26)), kind="line")
    assert [t.index for t in c.ticks] == [1, 9, 17, 25]
    assert c.ticks[-1].anchor == "end" and c.ticks[-1].x == c.right
    assert all(t.anchor == "middle" for t in c.ticks[:-1])
    assert c.width >= c.right and c.height == HEIGHT


def test_room_for_longer_values_on_the_axis():
    assert chart([3]).left < chart([30]).left < chart([300]).left < chart([3000]).left


def test_no_weeks_or_one_week():
    assert chart([], kind="line").path == "" and chart([], kind="bars").path == ""
    assert chart([], kind="line").ticks == []
    assert chart([4], kind="line").path.endswith("h1")  # a single point still shows
