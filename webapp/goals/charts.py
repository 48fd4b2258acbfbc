"""Geometry for the server-rendered SVG chart of a goal's ratings (no JavaScript, no style attributes).

The SVG has no viewBox, so nothing in it is scaled down on a phone: across, positions are
percentages of its width (0-100); down, CSS pixels. Its axis labels (0, 5, 10 and the dates) are
HTML beside it, so they are as big as the page's own text at any width or zoom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.goals.models import GoalRating

WIDTH, HEIGHT = 100, 220  # WIDTH in % of the chart's width, HEIGHT in CSS px
LEFT, RIGHT, TOP, BOTTOM = 4, 4, 10, 10
LAST = 20  # ratings shown; the table below the chart has them all


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    rating: int
    index: int  # 1 = the first rating shown
    when: datetime


@dataclass(frozen=True)
class Gridline:
    y: float
    value: int
    labelled: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    points: list[Point]
    gridlines: list[Gridline]

    @property
    def segments(self) -> list[tuple[Point, Point]]:
        """The line from each rating to the next (a polyline cannot take percentages)."""
        return list(zip(self.points, self.points[1:], strict=False))


def y_for(rating: int) -> float:
    return TOP + (10 - rating) * (HEIGHT - TOP - BOTTOM) / 10


def chart(ratings_oldest_first: list[GoalRating], last: int = LAST) -> Chart:
    """The newest `last` ratings, oldest on the left, on a 0-10 scale (0, 5 and 10 labelled)."""
    shown = ratings_oldest_first[-last:]
    inner = WIDTH - LEFT - RIGHT
    step = inner / (len(shown) - 1) if len(shown) > 1 else 0
    points = [Point(x=round(LEFT + (i * step if len(shown) > 1 else inner / 2), 1), y=round(y_for(r.rating), 1),
                    rating=r.rating, index=i + 1, when=r.recorded_at) for i, r in enumerate(shown)]
    gridlines = [Gridline(y=round(y_for(v), 1), value=v, labelled=v in (0, 5, 10)) for v in range(11)]
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, points, gridlines)
