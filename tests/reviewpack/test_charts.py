"""The SVG bar chart's geometry: one bar per month, its height its share of the plot."""

import pytest

from servicedesk.reviewpack.charts import Point, bar_chart


def point(code: str, value: float | None) -> Point:
    return Point(label=code[-2:], code=code, value=value, value_label=f"{value}%", title=code)


def test_it_draws_one_bar_per_point_with_its_share_of_the_plot_height() -> None:
    chart = bar_chart(
        [point("2026-01", 100.0), point("2026-02", 90.0), point("2026-03", 37.5)],
        objective=90.0,
    )

    assert [bar.point.code for bar in chart.bars] == ["2026-01", "2026-02", "2026-03"]
    for bar, share in zip(chart.bars, (100.0, 90.0, 37.5), strict=True):
        assert bar.height == pytest.approx(chart.plot_height * share / 100, abs=0.01)
        assert bar.y + bar.height == pytest.approx(chart.bottom)
    assert chart.objective_y == pytest.approx(chart.bottom - chart.plot_height * 0.9)
    assert [bar.meets for bar in chart.bars] == [True, True, False]


def test_bars_stand_side_by_side_inside_the_plot() -> None:
    chart = bar_chart([point(f"2025-{m:02d}", 50.0) for m in range(1, 13)], objective=None)

    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert chart.bars[0].x >= chart.left
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.right
    for left, right in zip(chart.bars, chart.bars[1:], strict=False):
        assert left.x + left.width < right.x
    assert chart.objective_y is None


def test_a_month_without_a_measurement_has_no_height_and_does_not_meet() -> None:
    chart = bar_chart([point("2026-01", None), point("2026-02", 0.0)], objective=95.0)

    empty, zero = chart.bars
    assert (empty.height, zero.height) == (0, 0)
    assert not empty.meets
    assert not zero.meets


def test_values_outside_0_to_100_stay_inside_the_plot() -> None:
    chart = bar_chart([point("2026-01", 130.0), point("2026-02", -5.0)], objective=100.0)

    high, low = chart.bars
    assert high.y == chart.top
    assert low.height == 0
