"""The one chart module: SVG with a text alternative and a table of the same figures."""

from __future__ import annotations

import re

import pytest

from portal.charts import line_chart


def test_a_line_chart_describes_itself_and_breaks_at_gaps() -> None:
    chart = line_chart(
        [("1 Nov", 10.0), ("2 Nov", None), ("3 Nov", 14.0), ("4 Nov", 12.0)], title="Active users"
    )
    assert chart.svg.count("<polyline") == 2  # the gap splits the line
    assert "from 10 to 12 over 4 periods; lowest 10, highest 14" in chart.summary
    assert chart.rows[1] == ("2 Nov", "no data")
    assert 'role="img"' in chart.svg and "<desc" in chart.svg


def test_an_empty_chart_says_so() -> None:
    chart = line_chart([("1 Nov", None)], title="Health", empty="no score yet")
    assert chart.summary == "Health: no score yet."
    assert "<polyline" not in chart.svg


def test_labels_are_escaped() -> None:
    chart = line_chart([("<b>x</b>", 1.0), ("y", 2.0)], title="T & <i>")
    assert "<b>x</b>" not in chart.svg and "&lt;b&gt;" in chart.svg


@pytest.mark.parametrize("top", [2_600.0, 48_000.0, 1_250_000.0])
def test_large_figures_get_a_few_round_grid_lines(top: float) -> None:
    chart = line_chart([("Mon", top * 0.8), ("Tue", top)], title="Active users", y_max=top)
    ticks = [
        float(t.replace(",", ""))
        for t in re.findall(r'text-anchor="end"[^>]*>([\d.,]+)<', str(chart.svg))
    ]
    assert 2 <= len(ticks) <= 6 and ticks[0] == 0 and ticks[-1] <= top
