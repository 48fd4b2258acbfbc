"""Geometry for the small server-rendered SVG trend charts (no JavaScript, no style attributes)."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 8, 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class Tick:
    x: float
    index: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    plot_top: int
    plot_right: int
    top_value: int
    bars: list[Bar]
    points: str  # the polyline's points ("x,y x,y ...")
    ticks: list[Tick]


def nice_ceiling(value: int) -> int:
    """A round number at or above `value` for the axis (1, 2, 5, 10, 20, 50, ...)."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def chart(values: list[int], tick_every: int = 4) -> Chart:
    """Bars and a line over the same values, scaled to a round top value."""
    count = max(1, len(values))
    top = nice_ceiling(max(values, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / count
    bars, points = [], []
    for i, value in enumerate(values):
        height = plot_height * value / top
        x = LEFT + i * slot
        bars.append(Bar(x=round(x + slot * 0.15, 1), y=round(TOP + plot_height - height, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1), value=value))
        points.append(f"{round(x + slot / 2, 1)},{round(TOP + plot_height - height, 1)}")
    ticks = [Tick(x=round(LEFT + i * slot + slot / 2, 1), index=i)
             for i in range(len(values)) if (len(values) - 1 - i) % tick_every == 0]
    return Chart(width=WIDTH, height=HEIGHT, plot_left=LEFT, plot_bottom=HEIGHT - BOTTOM, plot_top=TOP,
                 plot_right=WIDTH - RIGHT, top_value=top, bars=bars, points=" ".join(points), ticks=ticks)
