"""Geometry for the small server-rendered SVG trend charts (no JavaScript, no style attributes).

Compact on purpose (/waits holds two per service): whole-number coordinates, one `<path>` per series
(a line, or all the bars as one filled outline), and the look in CSS classes (`.wc-*` in app.css).
Each week is SLOT units wide, so the line's steps are all "10 dy" and each bar is "V y h6 V base h4":
only the y changes from week to week, which keeps the HTML short once gzipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SLOT = 10  # units per week
BAR = 6  # a bar's width in its week's slot (centred), the rest is the gap
TOP, BOTTOM, RIGHT = 8, 20, 2  # room for the top value above, the week labels below
PLOT_HEIGHT = 64
HEIGHT = TOP + PLOT_HEIGHT + BOTTOM
DIGIT = 8  # about how wide a digit of the value labels is, in units (13px text)
TICK_EVERY = 8  # a week label every 8 weeks, counted back from the latest


@dataclass(frozen=True)
class Tick:
    x: int
    index: int  # which week it labels
    anchor: str = "middle"  # "end" for the latest week: its label ends at the plot's edge, not past it


@dataclass(frozen=True)
class Chart:
    kind: str  # "line" or "bars"
    width: int
    height: int
    left: int  # where the plot starts (the value labels sit left of it)
    right: int
    top: int
    bottom: int  # the baseline (value 0)
    top_value: int
    path: str  # the series: the line, or every bar, in one `d`
    ticks: list[Tick]

    @property
    def frame(self) -> str:
        """The baseline and the dashed line at the top value, as one `d` each: (grid, axis)."""
        return f"M{self.left} {self.top}H{self.right}", f"M{self.left} {self.bottom}H{self.right}"


def nice_ceiling(value: int) -> int:
    """A round number at or above `value` for the axis (1, 2, 5, 10, 20, 50, ...)."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def chart(values: list[int], kind: str = "bars", tick_every: int = TICK_EVERY) -> Chart:
    """A line or bars over `values` (one a week), scaled to a round top value."""
    top_value = nice_ceiling(max(values, default=0))
    left = 6 + DIGIT * len(str(top_value))
    bottom = TOP + PLOT_HEIGHT
    centres = [left + i * SLOT + SLOT // 2 for i in range(len(values))]
    heights = [round(PLOT_HEIGHT * value / top_value) for value in values]
    if kind == "line":
        path = _line(centres, [bottom - h for h in heights])
    else:
        path = _bars(left, bottom, [max(h, 1) if v > 0 else 0 for h, v in zip(heights, values, strict=True)])
    count = len(values)
    ticks = [Tick(x=centres[i], index=i) for i in range(count - 1) if (count - 1 - i) % tick_every == 0]
    if count:
        ticks.append(Tick(x=left + count * SLOT, index=count - 1, anchor="end"))
    return Chart(kind=kind, width=left + count * SLOT + RIGHT, height=HEIGHT, left=left,
                 right=left + count * SLOT, top=TOP, bottom=bottom, top_value=top_value, path=path, ticks=ticks)


def _line(xs: list[int], ys: list[int]) -> str:
    """"M x0 y0 l 10 dy 10 dy ...": relative steps from whole-number points (no rounding drift)."""
    if not xs:
        return ""
    if len(xs) == 1:
        return f"M{xs[0]} {ys[0]}h1"
    steps = " ".join(f"{x1 - x0} {y1 - y0}" for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False))
    return f"M{xs[0]} {ys[0]}l{steps}".replace(" -", "-")


def _bars(left: int, bottom: int, heights: list[int]) -> str:
    """Every bar in one outline: up to the top, across, down to the baseline, across the gap.
    A bar of height 0 is a line along the baseline, so it fills nothing."""
    if not heights:
        return ""
    gap = SLOT - BAR
    bars = f"h{gap}".join(f"V{bottom - h}h{BAR}V{bottom}" for h in heights)
    return f"M{left + gap // 2} {bottom}{bars}"
