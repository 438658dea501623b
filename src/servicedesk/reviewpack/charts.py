"""A small bar chart of shares per month against an objective line, as SVG geometry.

Pure Python: values in, shapes out (`BarChart`); the template `reviewpack/chart.html` draws
them as inline SVG, so the page and the PDF show the same picture and no script runs. The
scale is fixed at 0-100%: a bar's height is its share of the plot's height.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 170
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 14, 26  # the margins around the plot
GRID = (0, 50, 100)  # the percentages with a grid line and a label
BAR_FILL = 0.6  # of each month's slot


@dataclass(frozen=True, slots=True)
class Point:
    """One value to draw: its label under the axis, a code for machines, the share (None:
    nothing measured), and the words a reader hovers or a screen reader reads."""

    label: str
    code: str
    value: float | None
    value_label: str  # the value as the reader writes numbers, e.g. "92,5%"
    title: str


@dataclass(frozen=True, slots=True)
class Bar:
    """A drawn bar (or, without a value, an empty slot with a dash)."""

    point: Point
    x: float
    y: float
    width: float
    height: float
    centre: float
    meets: bool  # the value reaches the objective

    @property
    def value_y(self) -> float:
        """Return the baseline of the value written above the bar."""
        return round(self.y - 3, 2)


@dataclass(frozen=True, slots=True)
class GridLine:
    percent: int
    y: float


@dataclass(frozen=True, slots=True)
class BarChart:
    """Everything the template draws, in SVG user units."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    grid: tuple[GridLine, ...]
    objective: float | None
    objective_y: float | None

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    @property
    def label_y(self) -> float:
        """Return the baseline of the labels under the axis."""
        return self.bottom + 14

    @property
    def empty_label_y(self) -> float:
        """Return the baseline of the dash in a month without a value."""
        return self.bottom - 3

    @property
    def axis_label_x(self) -> float:
        """Return where the percentages left of the plot end."""
        return self.left - 4

    @property
    def objective_label_y(self) -> float | None:
        """Return the baseline of the objective's label, just above its line."""
        return None if self.objective_y is None else round(self.objective_y - 3, 2)


def _y(percent: float, *, top: float, bottom: float) -> float:
    return round(bottom - (bottom - top) * max(0.0, min(percent, 100.0)) / 100, 2)


def bar_chart(
    points: Sequence[Point],
    *,
    objective: float | None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> BarChart:
    """Return the chart of the points (one slot each, in order) against the objective."""
    left, right = float(LEFT), float(width - RIGHT)
    top, bottom = float(TOP), float(height - BOTTOM)
    slot = (right - left) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        x0 = left + index * slot
        bar_width = round(slot * BAR_FILL, 2)
        y = _y(point.value or 0.0, top=top, bottom=bottom)
        bars.append(
            Bar(
                point=point,
                x=round(x0 + (slot - bar_width) / 2, 2),
                y=y,
                width=bar_width,
                height=round(bottom - y, 2),
                centre=round(x0 + slot / 2, 2),
                meets=point.value is not None and (objective is None or point.value >= objective),
            )
        )
    return BarChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=tuple(bars),
        grid=tuple(GridLine(p, _y(p, top=top, bottom=bottom)) for p in GRID),
        objective=objective,
        objective_y=None if objective is None else _y(objective, top=top, bottom=bottom),
    )
